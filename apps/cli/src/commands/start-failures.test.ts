// `rootaudit start` refusing to start: each failure one line, and nothing left running.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@rootaudit/db';
import { QUEUE_SCHEMA } from '@rootaudit/queue';
import t from 'tap';
import { startEnvironment as environment, runRootaudit } from '../../../../test/support/cli.ts';
import { testDatabase } from '../../../../test/support/db.ts';

t.test("the API's port in use: one line, exit 1, no queue, worker or scheduler started", async (t) => {
  const { url, prisma } = await testDatabase(t);
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const { port } = taken.address() as AddressInfo;
  const outcome = await runRootaudit(['start'], {
    ...environment(url),
    PORT: String(port),
    HOST: '127.0.0.1',
  });
  t.equal(outcome.code, 1);
  const lines = outcome.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { msg: string; level: number; err?: unknown });
  const fatal = lines.filter((line) => line.level === 60);
  t.equal(fatal.length, 1, 'one fatal line');
  t.equal(
    fatal[0]?.msg,
    `start-up failed: cannot listen on 127.0.0.1:${port} (HOST, PORT): another process listens there; stop it or set PORT to a free port`,
  );
  t.equal(fatal[0]?.err, undefined, 'no error object, so no stack');
  const messages = lines.map((line) => line.msg);
  t.notOk(messages.includes('worker started'), 'no worker started');
  t.notOk(messages.includes('scheduler started'), 'no scheduler started');
  const queueSchema = await prisma.$queryRaw<unknown[]>`
    SELECT 1 FROM pg_namespace WHERE nspname = ${QUEUE_SCHEMA}`;
  t.same(queueSchema, [], 'pg-boss never started: its schema was not created');
});

t.test('an unreachable database: one line with its host and port, no password, no stack', async (t) => {
  const outcome = await runRootaudit(['start'], {
    ...environment('postgresql://rootaudit:s3cret-pw@127.0.0.1:1/rootaudit'),
    PORT: '0',
  });
  t.equal(outcome.code, 1);
  const lines = outcome.stdout.trim().split('\n');
  t.equal(lines.length, 1, 'one line');
  const line = JSON.parse(lines[0] ?? '{}') as { msg?: string; err?: unknown };
  t.match(line.msg, /the database at 127\.0\.0\.1:1 \(DATABASE_URL\) is unreachable/);
  t.equal(line.err, undefined, 'no error object, so no stack');
  t.notMatch(outcome.stdout + outcome.stderr, /s3cret-pw|wasm|\n\s+at /);
});

t.test('an embedded PostgreSQL that cannot start: its one line, no stack', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'rootaudit-start-failures-'));
  await chmod(parent, 0o755);
  t.teardown(() => rm(parent, { recursive: true, force: true }));
  const dataDir = join(parent, 'postgres');
  const server = await startEmbeddedPostgres({ dataDir, logger: () => {} });
  await server.stop();
  await rm(join(parent, 'postgres.password'));

  const { DATABASE_URL: _, ...env } = environment('');
  const outcome = await runRootaudit(['start'], { ...env, ROOTAUDIT_DATA_DIR: parent, PORT: '0' });
  t.equal(outcome.code, 1);
  const lines = outcome.stdout.trim().split('\n');
  const fatal = lines
    .map((line) => JSON.parse(line) as { level?: number; msg?: string; err?: unknown })
    .at(-1);
  t.match(fatal?.msg, /^start-up failed: the embedded PostgreSQL in .* has no saved password/);
  t.equal(fatal?.err, undefined, 'no error object, so no stack');
  t.notMatch(outcome.stdout + outcome.stderr, /\n\s+at /);
});
