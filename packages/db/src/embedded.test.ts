import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import t from 'tap';
import { startEmbeddedPostgres, startTemporaryPostgres } from './embedded.ts';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rootaudit-embedded-test-'));
  await chmod(dir, 0o755);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// Fourteen tests, most of them an initdb and a server start or two: minutes on a busy machine.
t.setTimeout(600_000);

const fixture = fileURLToPath(new URL('./fixtures/start-stop-embedded.ts', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

t.test('first start initialises the data directory; the next start reuses its data', async (t) => {
  const dataDir = join(await tempDir(t), 'postgres');
  const logs: string[] = [];
  const logger = (line: string) => logs.push(line);

  let started = Date.now();
  const first = await startEmbeddedPostgres({ dataDir, logger });
  t.comment(`first start (initdb): ${Date.now() - started} ms`);
  t.match(first.url, /^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
  await query(first.url, 'CREATE TABLE survivor (note text)');
  await query(first.url, "INSERT INTO survivor VALUES ('written by the first server')");
  await first.stop();
  await first.stop(); // twice is harmless

  started = Date.now();
  const second = await startEmbeddedPostgres({ dataDir, logger });
  t.comment(`second start (existing data): ${Date.now() - started} ms`);
  t.teardown(() => second.stop());
  const rows = await query<{ note: string }>(second.url, 'SELECT note FROM survivor');
  t.same(rows, [{ note: 'written by the first server' }]);
  t.ok(
    logs.some((line) => line.includes('initialising')),
    'initdb ran once',
  );
  t.equal(logs.filter((line) => line.includes('initialising')).length, 1);
});

t.test('nothing the server prints reaches stdout, even with the default logger', async (t) => {
  const dataDir = join(await tempDir(t), 'postgres');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  t.equal(code, 0, 'the script exits 0', { stderr });
  t.equal(stdout, '', 'stdout stays empty');
  t.match(stderr, /embedded PostgreSQL listening on 127\.0\.0\.1:\d+/, 'notes go to stderr');
});

t.test('a stale postmaster.pid left by a crash does not prevent the next start', async (t) => {
  const dataDir = join(await tempDir(t), 'postgres');
  const first = await startEmbeddedPostgres({ dataDir, logger: () => {} });
  await first.stop();
  // What a crash leaves: a pid file naming a process that is gone (a short-lived child's pid).
  const child = spawn(process.execPath, ['-e', '0']);
  const deadPid = child.pid!;
  await new Promise((resolve) => child.on('exit', resolve));
  const pidFile = join(dataDir, 'postmaster.pid');
  await writeFile(pidFile, `${deadPid}\n${dataDir}\n1700000000\n5432\n\n127.0.0.1\n  5432001  0\nready\n`);
  const second = await startEmbeddedPostgres({ dataDir, logger: () => {} });
  t.teardown(() => second.stop());
  t.same(await query(second.url, 'SELECT 1 AS one'), [{ one: 1 }]);
  t.not((await readFile(pidFile, 'utf8')).split('\n')[0], String(deadPid), 'a new pid file was written');
});

t.test('an orphaned postmaster of the same data directory is shut down and replaced', async (t) => {
  const dataDir = join(await tempDir(t), 'postgres');
  // A process that starts the server and is then killed: the server outlives it.
  const holder = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir, '--hold'], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    holder.stderr.on('data', (chunk) => {
      if (String(chunk).includes('started')) resolve();
    });
    holder.on('exit', (code) => reject(new Error(`the holder exited early (${code})`)));
  });
  const orphanPid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  t.teardown(() => {
    try {
      process.kill(orphanPid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  });
  holder.kill('SIGKILL');
  await new Promise((resolve) => holder.on('exit', resolve));

  const next = await startEmbeddedPostgres({ dataDir, logger: () => {} });
  t.teardown(() => next.stop());
  t.same(await query(next.url, 'SELECT 1 AS one'), [{ one: 1 }]);
  t.not(Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]), orphanPid);
});

t.test('a data directory served by another live process is not taken over', async (t) => {
  const dataDir = join(await tempDir(t), 'postgres');
  const running = await startEmbeddedPostgres({ dataDir, logger: () => {} });
  t.teardown(() => running.stop());
  await t.rejects(
    startEmbeddedPostgres({ dataDir, logger: () => {} }),
    /is in use by postmaster \d+, started by process \d+: stop that process first/,
  );
  t.same(await query(running.url, 'SELECT 1 AS one'), [{ one: 1 }], 'the first server still runs');
});

t.test('connectToRunning: a second user of the data directory connects to the running server', async (t) => {
  const dataDir = join(await tempDir(t), 'postgres');
  const running = await startEmbeddedPostgres({ dataDir, logger: () => {} });
  t.teardown(() => running.stop());
  const second = await startEmbeddedPostgres({ dataDir, logger: () => {}, connectToRunning: true });
  t.equal(second.owned, false, 'not its server');
  t.equal(second.port, running.port, 'the same server');
  t.same(await query(second.url, 'SELECT 1 AS one'), [{ one: 1 }]);
  await second.stop();
  t.same(await query(running.url, 'SELECT 1 AS one'), [{ one: 1 }], "stop() leaves another's server running");
});

t.test('the password is generated per data directory and kept 0600 beside it, never a default', async (t) => {
  const parent = await tempDir(t);
  const first = await startEmbeddedPostgres({ dataDir: join(parent, 'one'), logger: () => {} });
  t.teardown(() => first.stop());
  const second = await startEmbeddedPostgres({ dataDir: join(parent, 'two'), logger: () => {} });
  t.teardown(() => second.stop());
  const password = (url: string) => decodeURIComponent(new URL(url).password);
  t.not(password(first.url), password(second.url), 'each data directory has its own');
  t.not(password(first.url), 'password');
  t.equal((await readFile(join(parent, 'one.password'), 'utf8')).trim(), password(first.url));
  t.equal((await stat(join(parent, 'one.password'))).mode & 0o777, 0o600, 'only its owner reads it');
  const wrong = new URL(first.url);
  wrong.password = 'password';
  await t.rejects(query(wrong.toString(), 'SELECT 1'), /password authentication failed/);
});

t.test('a data directory without a saved password: one line saying what to do, no fallback', async (t) => {
  const parent = await tempDir(t);
  const dataDir = join(parent, 'postgres');
  const first = await startEmbeddedPostgres({ dataDir, logger: () => {} });
  await first.stop();
  await rm(join(parent, 'postgres.password'));
  await t.rejects(startEmbeddedPostgres({ dataDir, logger: () => {} }), {
    name: 'EmbeddedPostgresError',
    message: new RegExp(
      `^the embedded PostgreSQL in ${dataDir} has no saved password \\(${parent}/postgres\\.password is missing or empty\\): put the password[^\n]*$`,
    ),
  });
});

t.test('a password kept inside the data directory by an earlier version is moved beside it', async (t) => {
  const parent = await tempDir(t);
  const dataDir = join(parent, 'postgres');
  const first = await startEmbeddedPostgres({ dataDir, logger: () => {} });
  await first.stop();
  const password = await readFile(join(parent, 'postgres.password'), 'utf8');
  await writeFile(join(dataDir, 'rootaudit-password'), password, { mode: 0o600 });
  await rm(join(parent, 'postgres.password'));
  const second = await startEmbeddedPostgres({ dataDir, logger: () => {} });
  t.teardown(() => second.stop());
  t.same(await query(second.url, 'SELECT 1 AS one'), [{ one: 1 }]);
  t.equal(await readFile(join(parent, 'postgres.password'), 'utf8'), password);
  t.notOk(existsSync(join(dataDir, 'rootaudit-password')), 'the old copy is gone');
});

const asRoot = process.getuid?.() === 0;

t.test(
  'as root, a data directory the database user cannot reach: one line naming the folder, no initdb',
  { skip: asRoot ? false : 'only root runs the server as another user' },
  async (t) => {
    const locked = await mkdtemp(join(tmpdir(), 'rootaudit-embedded-locked-'));
    t.teardown(() => rm(locked, { recursive: true, force: true }));
    await chmod(locked, 0o700);
    const logs: string[] = [];
    const dataDir = join(locked, 'data', 'postgres');
    const error = await startEmbeddedPostgres({ dataDir, logger: (line) => logs.push(line) }).catch((e) => e);
    t.equal(error?.name, 'EmbeddedPostgresError');
    t.match(
      error?.message,
      `runs as the user postgres (PostgreSQL refuses root), which cannot enter ${locked} (mode 0700, owner uid 0): allow it (chmod o+x ${locked})`,
    );
    t.equal(error?.message.split('\n').length, 1, 'one line');
    t.notOk(
      logs.some((line) => line.includes('initialising')),
      'initdb never ran',
    );
  },
);

t.test(
  'a read-only data directory: one line saying so, not ENOENT',
  { skip: asRoot ? false : 'mounting a read-only file system needs root' },
  async (t) => {
    const readOnly = join(await tempDir(t), 'read-only');
    await mkdir(readOnly);
    const mount = (args: string[]) =>
      new Promise<boolean>((done) => spawn(args[0]!, args.slice(1)).on('exit', (code) => done(code === 0)));
    if (!(await mount(['mount', '-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly]))) {
      t.plan(0, 'mounting is not permitted here');
      return;
    }
    const dataDir = join(readOnly, 'data', 'postgres');
    let error: Error | undefined;
    try {
      error = await startEmbeddedPostgres({ dataDir, logger: () => {} }).then(
        () => undefined,
        (e: Error) => e,
      );
    } finally {
      await mount(['umount', readOnly]);
    }
    t.equal(error?.name, 'EmbeddedPostgresError');
    t.equal(
      error?.message,
      `${readOnly} is on a read-only file system, and the embedded PostgreSQL keeps its data in ${dataDir}: ` +
        'choose a writable data directory (ROOTAUDIT_DATA_DIR), or set DATABASE_URL',
    );
  },
);

t.test('initdb fails once with its reason in one line, never retried', async (t) => {
  const dataDir = join(await tempDir(t), 'postgres');
  // Not empty and not a cluster: what an interrupted copy leaves, say.
  await mkdir(dataDir, { mode: 0o700 });
  await writeFile(join(dataDir, 'stray-file'), 'x');
  const logs: string[] = [];
  const error = await startEmbeddedPostgres({ dataDir, logger: (line) => logs.push(line) }).catch((e) => e);
  t.equal(error?.name, 'EmbeddedPostgresError');
  t.match(
    error?.message,
    /^initdb could not create the embedded PostgreSQL's data directory .*: directory ".*" exists but is not empty/,
  );
  t.equal(error?.message.split('\n').length, 1, 'one line');
  t.equal(logs.filter((line) => line.includes('initialising')).length, 1, 'initdb ran once');
});

/** The process group of a process (/proc/<pid>/stat: "pid (comm) state ppid pgrp …"). */
async function processGroup(pid: number | 'self'): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

t.test('the server leads a process group of its own, out of reach of a Ctrl-C to ours', async (t) => {
  const dataDir = join(await tempDir(t), 'postgres');
  const server = await startEmbeddedPostgres({ dataDir, logger: () => {} });
  t.teardown(() => server.stop());
  const postmaster = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  t.equal(await processGroup(postmaster), postmaster, 'the postmaster leads its group');
  t.not(await processGroup(postmaster), await processGroup('self'), 'not the group of this process');
});

t.test('a temporary server keeps its data in a temp folder that stop() removes', async (t) => {
  const server = await startTemporaryPostgres({ logger: () => {} });
  t.teardown(() => server.stop());
  const [row] = await query<{ data_directory: string }>(server.url, 'SHOW data_directory');
  const dataDir = row!.data_directory;
  t.ok(existsSync(join(dataDir, 'PG_VERSION')), 'the data directory is initialised');
  await server.stop();
  t.notOk(existsSync(dirname(dataDir)), 'its temp folder is gone');
});
