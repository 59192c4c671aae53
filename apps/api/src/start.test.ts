import { Writable } from 'node:stream';
import { loadConfig } from '@rootaudit/config';
import { openDatabase } from '@rootaudit/db';
import { createLogger, loggerOptions } from '@rootaudit/log';
import { type PgBoss, startQueue, stopQueue } from '@rootaudit/queue';
import {
  MEMBER_ACCOUNT,
  privilegedSessionCallByRootaudit,
  ROOTAUDIT_ORG_ROLE,
  rootSignInWithMfa,
} from '@rootaudit/root-events/fixtures';
import { createApiKey } from '@rootaudit/store';
import { pino } from 'pino';
import t from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { startApi } from './start.ts';

t.test('startApi serves over the configured database, with its own queue for POST /v1/scans', async (t) => {
  const { url } = await testDatabase(t);
  const database = await openDatabase({ databaseUrl: url, dataDir: t.testdirName, logger: () => undefined });
  t.teardown(() => database.close());
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1' });
  const api = await startApi({ config, logger: createLogger({ level: 'silent' }), database });
  let closed = false;
  t.teardown(async () => {
    if (!closed) await api.close();
  });
  t.match(api.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.equal((await fetch(`${api.url}/readyz`)).status, 200, 'ready: migrated database');
  const { key } = await createApiKey(database.prisma, { name: 'ops', scope: 'write' });
  const started = await fetch(`${api.url}/v1/scans`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(started.status, 202);
  t.match(await started.json(), { status: 'QUEUED', requestedBy: 'api-key:ops' });
  await api.close();
  closed = true;
  await t.rejects(fetch(`${api.url}/healthz`), 'closed: no longer listening');
});

t.test(
  'listening before the queue runs (runRoles): /readyz says "starting", POST /v1/scans waits for the queue',
  async (t) => {
    const { url } = await testDatabase(t);
    const database = await openDatabase({
      databaseUrl: url,
      dataDir: t.testdirName,
      logger: () => undefined,
    });
    t.teardown(() => database.close());
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1' });
    const logger = createLogger({ level: 'silent' });
    let queueRuns!: (boss: PgBoss) => void;
    let everythingStarted!: () => void;
    const api = await startApi({
      config,
      logger,
      database,
      boss: new Promise<PgBoss>((resolve) => {
        queueRuns = resolve;
      }),
      started: new Promise<void>((resolve) => {
        everythingStarted = resolve;
      }),
    });
    t.teardown(() => api.close());
    const notYet = await fetch(`${api.url}/readyz`);
    t.equal(notYet.status, 503);
    t.same(await notYet.json(), { status: 'not ready', reason: 'starting' });

    const { key } = await createApiKey(database.prisma, { name: 'ops', scope: 'write' });
    const trigger = fetch(`${api.url}/v1/scans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    const boss = await startQueue(url, logger);
    t.teardown(() => stopQueue(boss));
    queueRuns(boss);
    t.equal((await trigger).status, 202, 'the scan was queued once the queue ran');
    everythingStarted();
    t.equal((await fetch(`${api.url}/readyz`)).status, 200, 'ready once every role runs');
  },
);

t.test('on 0.0.0.0 the API logs the address it is bound to, every interface', async (t) => {
  const { url } = await testDatabase(t);
  const database = await openDatabase({ databaseUrl: url, dataDir: t.testdirName, logger: () => undefined });
  t.teardown(() => database.close());
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({ PORT: '0', HOST: '0.0.0.0' });
  const api = await startApi({ config, logger: pino(loggerOptions({ level: 'info' }), sink), database });
  t.teardown(() => api.close());
  const port = new URL(api.url).port;
  const listening = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'api listening');
  t.equal(listening?.url, `http://0.0.0.0:${port}`, 'not http://127.0.0.1, which reads as loopback only');
  t.equal((await fetch(`${api.url}/healthz`)).status, 200, 'the url it returns is one to connect to');
});

t.test(
  'startApi takes pushed root events in, knowing its own privileged sessions by its organization role',
  async (t) => {
    const { url } = await testDatabase(t);
    const database = await openDatabase({
      databaseUrl: url,
      dataDir: t.testdirName,
      logger: () => undefined,
    });
    t.teardown(() => database.close());
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ROOTAUDIT_ORG_ROLE_ARN: ROOTAUDIT_ORG_ROLE });
    const api = await startApi({ config, logger: createLogger({ level: 'silent' }), database });
    t.teardown(() => api.close());
    await database.prisma.account.create({
      data: { id: MEMBER_ACCOUNT, name: 'member', email: 'aws+member@example.com', status: 'ACTIVE' },
    });
    const { key } = await createApiKey(database.prisma, { name: 'eventbridge', scope: 'ingest' });
    const post = (body: unknown) =>
      fetch(`${api.url}/v1/events/aws`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
      });
    const own = await post(privilegedSessionCallByRootaudit);
    t.equal(own.status, 200);
    t.match(await own.json(), { status: 'own-session' });
    const signIn = await post(rootSignInWithMfa);
    t.equal(signIn.status, 200);
    t.match(await signIn.json(), { status: 'stored', accountId: MEMBER_ACCOUNT });
    t.equal(await database.prisma.rootEvent.count(), 1);
  },
);
