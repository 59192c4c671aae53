import { createLogger, type Logger } from '@rootaudit/log';
import t from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import {
  ACCOUNT_HEARTBEAT_SECONDS,
  accountJobId,
  DISCOVERY_HEARTBEAT_SECONDS,
  defaultQueueSettings,
  enqueueAccountScans,
  LEGACY_QUEUE_SCHEMA,
  QUEUE_SCHEMA,
  QUEUES,
  type ScanAccountJob,
  startQueue,
  stopQueue,
} from './index.ts';

const logger = createLogger({ level: 'silent' });

t.test('startQueue creates the queues with their retry, expiry and dead-letter options', async (t) => {
  const { url } = await testDatabase(t);
  const boss = await startQueue(url, logger, { scanAccount: { expireInSeconds: 42 } });
  t.teardown(() => stopQueue(boss));
  const account = await boss.getQueue(QUEUES.scanAccount);
  t.equal(account?.retryLimit, 3);
  t.equal(account?.retryBackoff, true);
  t.equal(account?.expireInSeconds, 42);
  t.equal(account?.deadLetter, QUEUES.scanAccountFailed);
  t.ok(await boss.getQueue(QUEUES.scanAccountFailed));
  t.ok(await boss.getQueue(QUEUES.scanOrganization));
  const webhooks = await boss.getQueue(QUEUES.webhookDelivery);
  t.equal(webhooks?.retryLimit, 7);
  t.equal(webhooks?.retryBackoff, true);
  // A second process starting on the same database: options follow its code.
  const second = await startQueue(url, logger, { scanAccount: { expireInSeconds: 60 } });
  t.teardown(() => stopQueue(second));
  t.equal((await second.getQueue(QUEUES.scanAccount))?.expireInSeconds, 60);
});

t.test(
  'an account job is retried long enough to ride out an AWS outage of a minute, and no longer than a few',
  async (t) => {
    const { retryLimit = 0, retryDelay = 0, retryBackoff } = defaultQueueSettings.scanAccount;
    t.equal(retryBackoff, true);
    // pg-boss waits retryDelay × 2^n × (1 + a random fraction in [0, 1)) before retry n+1.
    const shortest = Array.from({ length: retryLimit }, (_, n) => retryDelay * 2 ** n).reduce(
      (a, b) => a + b,
      0,
    );
    t.ok(shortest >= 60, `the retries span ${shortest} s at the least: an outage of 60 s costs no result`);
    t.ok(shortest * 2 <= 300, `and ${shortest * 2} s at the most: a dead account is recorded within minutes`);
    t.ok(
      retryDelay <= 30,
      'the first retry comes soon: a dead worker’s accounts are recorded within 2 minutes',
    );
  },
);

t.test('the discovery queue heart-beats, as the account queue does', async (t) => {
  t.equal(defaultQueueSettings.scanAccount.heartbeatSeconds, ACCOUNT_HEARTBEAT_SECONDS);
  t.equal(defaultQueueSettings.scanOrganization.heartbeatSeconds, DISCOVERY_HEARTBEAT_SECONDS);
  t.ok(
    (defaultQueueSettings.scanOrganization.expireInSeconds ?? 0) >= 1800,
    'its expiry stays long: a discovery of 10,000 accounts takes minutes',
  );
  const { url } = await testDatabase(t);
  const boss = await startQueue(url, logger);
  t.teardown(() => stopQueue(boss));
  t.equal((await boss.getQueue(QUEUES.scanOrganization))?.heartbeatSeconds, DISCOVERY_HEARTBEAT_SECONDS);
});

t.test('accountJobId is a stable UUID per scan and account', async (t) => {
  const id = accountJobId('scan-1', '111111111111');
  t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.equal(accountJobId('scan-1', '111111111111'), id);
  t.not(accountJobId('scan-2', '111111111111'), id);
  t.not(accountJobId('scan-1', '222222222222'), id);
});

t.test('enqueueAccountScans twice enqueues each account once', async (t) => {
  const { url } = await testDatabase(t);
  const boss = await startQueue(url, logger);
  t.teardown(() => stopQueue(boss));
  const accounts = ['111111111111', '222222222222', '333333333333'];
  await enqueueAccountScans(boss, 'scan-1', accounts);
  await enqueueAccountScans(boss, 'scan-1', accounts);
  t.equal((await boss.findJobs(QUEUES.scanAccount, { queued: true })).length, 3);
  const jobs = await boss.fetch<ScanAccountJob>(QUEUES.scanAccount, { batchSize: 10 });
  t.same(jobs.map((job) => job.data.accountId).sort(), accounts);
  t.ok(jobs.every((job) => job.data.scanId === 'scan-1'));
  t.same(jobs.map((job) => job.id).sort(), accounts.map((a) => accountJobId('scan-1', a)).sort());
});

t.test('a job that keeps failing is retried, then lands in the dead-letter queue', async (t) => {
  const { url } = await testDatabase(t);
  const boss = await startQueue(url, logger, {
    scanAccount: { retryLimit: 1, retryDelay: 1, retryBackoff: false },
  });
  t.teardown(() => stopQueue(boss));
  await enqueueAccountScans(boss, 'scan-1', ['111111111111']);
  const attempts: number[] = [];
  const dead = new Promise<ScanAccountJob>((resolve) => {
    void boss.work<ScanAccountJob>(
      QUEUES.scanAccountFailed,
      { pollingIntervalSeconds: 0.5 },
      async ([job]) => {
        if (job) resolve(job.data);
      },
    );
  });
  await boss.work<ScanAccountJob>(QUEUES.scanAccount, { pollingIntervalSeconds: 0.5 }, async () => {
    attempts.push(Date.now());
    throw new Error('database unreachable');
  });
  const job = await dead;
  t.same(job, { scanId: 'scan-1', accountId: '111111111111' });
  t.equal(attempts.length, 2, 'first try and one retry');
});

t.test('a pg-boss 10 schema left by an earlier version: one warning saying how to drop it', async (t) => {
  const { url, prisma } = await testDatabase(t);
  const warnings: string[] = [];
  const capture = {
    warn: (_fields: object, message: string) => warnings.push(message),
    error: () => undefined,
    info: () => undefined,
    debug: () => undefined,
  } as unknown as Logger;
  const clean = await startQueue(url, capture);
  await stopQueue(clean);
  t.same(warnings, [], 'no warning on a database that never had it');
  await prisma.$executeRawUnsafe(`CREATE SCHEMA ${LEGACY_QUEUE_SCHEMA}`);
  await prisma.$executeRawUnsafe(`CREATE TABLE ${LEGACY_QUEUE_SCHEMA}.version (version int)`);
  const boss = await startQueue(url, capture);
  t.teardown(() => stopQueue(boss));
  t.equal(warnings.length, 1);
  t.match(warnings[0], /"pgboss" schema .* no longer used.*DROP SCHEMA pgboss CASCADE/);
  t.ok(await boss.getQueue(QUEUES.scanAccount), 'the queues live in their own schema');
  const [row] = await prisma.$queryRawUnsafe<{ n: bigint }[]>(
    `SELECT count(*) AS n FROM ${QUEUE_SCHEMA}.queue WHERE name = $1`,
    QUEUES.scanAccount,
  );
  t.equal(Number(row?.n), 1);
});

t.test('an account job whose worker stopped heart-beating is retried before it expires', async (t) => {
  const { url } = await testDatabase(t);
  const boss = await startQueue(url, logger, {
    boss: { superviseIntervalSeconds: 1, monitorIntervalSeconds: 1 },
    scanAccount: { heartbeatSeconds: 10, retryDelay: 1, retryBackoff: false },
  });
  t.teardown(() => stopQueue(boss));
  t.equal((await boss.getQueue(QUEUES.scanAccount))?.expireInSeconds, 900);
  await enqueueAccountScans(boss, 'scan-1', ['111111111111']);
  // A worker takes the job and dies: fetch() sends no heartbeat.
  const [taken] = await boss.fetch<ScanAccountJob>(QUEUES.scanAccount);
  t.equal(taken?.retryCount, 0);
  let retried: ScanAccountJob | undefined;
  const deadline = Date.now() + 90_000;
  while (!retried && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [job] = await boss.fetch<ScanAccountJob>(QUEUES.scanAccount);
    if (job) {
      t.equal(job.retryCount, 1, 'the same job, second attempt');
      retried = job.data;
    }
  }
  t.same(retried, { scanId: 'scan-1', accountId: '111111111111' }, 'retried long before its 15 min expiry');
});
