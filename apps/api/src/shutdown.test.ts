/**
 * The API drains on shutdown: once stopping it refuses new connections, and a request already in
 * flight still gets its answer; a request that outlasts the drain timeout has its connection cut so
 * the process can stop. A PostgreSQL lock on the findings table holds GET /v1/findings in flight.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@rootaudit/config';
import { openDatabase, type PrismaClient } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { createApiKey } from '@rootaudit/store';
import t from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { startApi } from './start.ts';

const apiEntry = fileURLToPath(new URL('./main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Holds an ACCESS EXCLUSIVE lock on the findings table, in a transaction, until release(). */
async function lockFindings(prisma: PrismaClient) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const transaction = prisma.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe('LOCK TABLE findings IN ACCESS EXCLUSIVE MODE');
      locked();
      await released;
    },
    { timeout: 60_000 },
  );
  await Promise.race([isLocked, transaction]);
  /** Resolves once another session waits on a lock: the request has reached the database. */
  const waitForBlockedQuery = async () => {
    for (let tries = 0; tries < 200; tries++) {
      const [row] = await prisma.$queryRaw<{ waiting: number }[]>`
        SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted`;
      if ((row?.waiting ?? 0) > 0) return;
      await sleep(25);
    }
    throw new Error('no query ever waited on the findings lock');
  };
  return {
    release: async () => {
      release();
      await transaction;
    },
    waitForBlockedQuery,
  };
}

/** A GET on a fresh connection: the status, or the error code (ECONNREFUSED, ECONNRESET). */
function get(url: string, key: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { authorization: `Bearer ${key}` }, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

function listeningUrl(child: ChildProcess, output: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'api listening' && entry.url) resolve(entry.url);
        } catch {
          // not a log line
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the API exited (${code}) before listening`)));
  });
}

t.test('SIGTERM: new connections are refused, the request in flight is answered, exit 0', async (t) => {
  const { url, prisma } = await testDatabase(t);
  const { key } = await createApiKey(prisma, { name: 'drain', scope: 'read' });
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', tsx, apiEntry], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_V8_COVERAGE: '',
      DATABASE_URL: url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const api = await listeningUrl(child, output);
  t.match(await get(`${api}/healthz`, key), { status: 200 });

  const lock = await lockFindings(prisma);
  t.teardown(() => lock.release());
  const inFlight = get(`${api}/v1/findings`, key);
  await lock.waitForBlockedQuery();

  child.kill('SIGTERM');
  // Stopping: the listening socket closes while the request is still held by the lock.
  let refused: string | undefined;
  for (let tries = 0; tries < 100 && !refused; tries++) {
    const outcome = await get(`${api}/healthz`, key);
    if ('error' in outcome) refused = outcome.error;
    else await sleep(20);
  }
  // Refused by the kernel once the listener is closed, or reset when it landed in the accept
  // backlog just before: either way it is not served.
  t.match(refused, /^(ECONNREFUSED|ECONNRESET)$/, 'a new connection is refused once stopping');
  t.equal(child.exitCode, null, 'the process waits for the request in flight');

  await lock.release();
  const answered = await inFlight;
  t.match(answered, { status: 200 }, 'the request in flight is answered');
  t.same(JSON.parse((answered as { body: string }).body), { items: [], nextCursor: null });

  const [code, signal] = await exited;
  t.equal(code, 0, output.join('').slice(-3000));
  t.equal(signal, null);
});

t.test('a request outlasting the drain timeout is cut, so close() ends on time', async (t) => {
  const { url } = await testDatabase(t);
  const database = await openDatabase({ databaseUrl: url, dataDir: t.testdirName, logger: () => undefined });
  t.teardown(() => database.close());
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1' });
  const api = await startApi({
    config,
    logger: createLogger({ level: 'silent' }),
    database,
    drainTimeoutMs: 300,
  });
  const { key } = await createApiKey(database.prisma, { name: 'stuck', scope: 'read' });
  const lock = await lockFindings(database.prisma);
  t.teardown(() => lock.release());
  const inFlight = get(`${api.url}/v1/findings`, key);
  await lock.waitForBlockedQuery();

  const started = Date.now();
  await api.close();
  const took = Date.now() - started;
  t.ok(took >= 250 && took < 3_000, `close() waited about the drain timeout (${took} ms)`);
  t.match(await inFlight, { error: /ECONNRESET|socket hang up/ }, 'the stuck request lost its connection');
  await lock.release();
});
