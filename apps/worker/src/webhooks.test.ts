/**
 * Webhook delivery end to end: findings and scans recorded by the store become deliveries
 * (announceWebhookEvents, as the worker and scheduler call it after each commit), the worker's
 * webhook-delivery consumer POSTs them to a test receiver on 127.0.0.1, which verifies the
 * signature with the webhook's secret. Real PostgreSQL, real pg-boss.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Organization } from '@rootaudit/checks';
import { loadConfig } from '@rootaudit/config';
import type { PrismaClient } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { type PgBoss, startQueue, stopQueue } from '@rootaudit/queue';
import {
  completeScanIfDone,
  createScan,
  persistOrganization,
  recordAccountResults,
  type StoredResult,
} from '@rootaudit/store';
import {
  announceWebhookEvents,
  DELIVERY_HEADER,
  deliverWebhook,
  EVENT_HEADER,
  findingEvents,
  SIGNATURE_HEADER,
  scanCompletedEvent,
  verifySignature,
  type WebhookEvent,
} from '@rootaudit/webhooks';
import t, { type Test } from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { startWorker } from './worker.ts';

const ACCOUNT = '222222222222';
const SECRET = 'whsec_receiver-test-secret-0123456789abcdef';
const logger = createLogger({ level: 'silent' });

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1: answers each request with the next status of `statuses` (then 200). */
async function receiver(t: Test, statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = statuses.shift() ?? 200;
      response.end(response.statusCode === 200 ? 'ok' : 'receiver is down');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => new Promise((done) => server.close(done)));
  const { port } = server.address() as AddressInfo;
  return { received, port, url: `http://127.0.0.1:${port}/rootaudit` };
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const organization: Organization = {
  id: 'o-test',
  arn: 'arn:aws:organizations::111111111111:organization/o-test',
  partition: 'aws',
  featureSet: 'ALL',
  managementAccountId: '111111111111',
  rootId: 'r-root',
  accounts: ['111111111111', ACCOUNT].map((id) => ({
    id,
    arn: `arn:aws:organizations::111111111111:account/o-test/${id}`,
    name: `account-${id}`,
    email: `root+${id}@example.com`,
    status: 'ACTIVE' as const,
    joinedAt: '2024-01-01T00:00:00.000Z',
    parentId: 'r-root',
  })),
  organizationalUnits: [],
  trustedServices: [],
};

const result = (checkId: string, status: StoredResult['status']): StoredResult => ({
  checkId,
  status,
  severity: 'high',
  resource: `arn:aws:iam::${ACCOUNT}:root`,
  message: `${checkId} is ${status}`,
  evidence: {},
});

/** A database, pg-boss with fast retries, and a worker consuming webhook deliveries. */
async function setUp(t: Test) {
  const { url, prisma } = await testDatabase(t);
  await persistOrganization(prisma, { organization: { ok: true, value: organization } });
  const boss = await startQueue(url, logger, {
    boss: { maintenanceIntervalSeconds: 1 },
    webhookDelivery: { retryLimit: 3, retryDelay: 1, retryBackoff: false, expireInSeconds: 15 },
  });
  t.teardown(() => stopQueue(boss, { timeoutMs: 5_000 }));
  const config = loadConfig({ DATABASE_URL: url, ROOTAUDIT_ALLOW_PRIVATE_WEBHOOK_URLS: 'true' });
  const worker = await startWorker({
    config,
    logger,
    database: { prisma },
    boss,
    pollingIntervalSeconds: 0.5,
    checks: [],
  });
  t.teardown(() => worker.close());
  return { prisma, boss };
}

/** One scan of ACCOUNT with these results, announced as the worker does; returns its events. */
async function scan(prisma: PrismaClient, boss: PgBoss, results: StoredResult[]): Promise<WebhookEvent[]> {
  const created = await createScan(prisma, { trigger: 'MANUAL', accounts: organization.accounts });
  const events: WebhookEvent[] = [];
  for (const account of organization.accounts) {
    const recorded = await recordAccountResults(prisma, {
      scanId: created.id,
      accountId: account.id,
      results: account.id === ACCOUNT ? results : [],
      durationMs: 1,
    });
    events.push(...findingEvents(created.id, recorded.transitions));
  }
  const finished = await completeScanIfDone(prisma, created.id);
  if (finished) events.push(scanCompletedEvent(finished));
  await announceWebhookEvents({ prisma, boss, logger }, created.id, events);
  return events;
}

const parse = (request: Received) =>
  JSON.parse(request.body) as { id: string; event: string; eventId: string; data: Record<string, unknown> };

t.test('finding.failed, finding.resolved and scan.completed arrive signed with the secret', async (t) => {
  const { prisma, boss } = await setUp(t);
  const { received, url } = await receiver(t);
  const webhook = await prisma.webhook.create({
    data: { url, secret: SECRET, events: ['finding.failed', 'finding.resolved', 'scan.completed'] },
  });
  // Subscribed to one event only: gets only that one.
  const narrow = await receiver(t);
  await prisma.webhook.create({ data: { url: narrow.url, secret: SECRET, events: ['scan.completed'] } });

  await scan(prisma, boss, [result('root-mfa-enabled', 'FAIL'), result('root-no-access-keys', 'PASS')]);
  await scan(prisma, boss, [result('root-mfa-enabled', 'PASS'), result('root-no-access-keys', 'PASS')]);
  await until(
    '4 deliveries',
    async () => received.length,
    (count) => count >= 4,
  );
  await until(
    '2 narrow deliveries',
    async () => narrow.received.length,
    (count) => count >= 2,
  );

  t.same(received.map((request) => parse(request).event).sort(), [
    'finding.failed',
    'finding.resolved',
    'scan.completed',
    'scan.completed',
  ]);
  t.same(
    narrow.received.map((request) => parse(request).event),
    ['scan.completed', 'scan.completed'],
  );
  for (const request of received) {
    const body = parse(request);
    t.ok(
      verifySignature(SECRET, request.headers[SIGNATURE_HEADER.toLowerCase()] as string, request.body),
      `${body.event}: the signature verifies with the secret`,
    );
    t.notOk(
      verifySignature(
        'whsec_some-other-secret-0123456789abcdef',
        request.headers[SIGNATURE_HEADER.toLowerCase()] as string,
        request.body,
      ),
    );
    t.equal(request.headers[EVENT_HEADER.toLowerCase()], body.event);
    t.equal(request.headers[DELIVERY_HEADER.toLowerCase()], body.id);
    t.equal(request.headers['content-type'], 'application/json');
  }
  const failed = received.map(parse).find((body) => body.event === 'finding.failed');
  t.match(failed?.data, {
    finding: { accountId: ACCOUNT, checkId: 'root-mfa-enabled', status: 'FAIL', severity: 'high' },
  });
  t.match(failed?.eventId, /^[0-9a-f-]{36}:[0-9a-f-]{36}:finding\.failed$/);
  const completed = received.map(parse).find((body) => body.event === 'scan.completed');
  t.match(completed?.data, { scan: { status: 'SUCCEEDED', accountsDone: 2 } });

  const deliveries = await until(
    'deliveries recorded',
    () => prisma.webhookDelivery.findMany({ where: { webhookId: webhook.id } }),
    (rows) => rows.length === 4 && rows.every((row) => row.status === 'DELIVERED'),
  );
  for (const delivery of deliveries) {
    t.equal(delivery.attempts, 1);
    t.equal(delivery.responseStatus, 200);
    t.ok(delivery.deliveredAt);
  }
});

t.test('a 500 from the receiver is retried, then the delivery succeeds', async (t) => {
  const { prisma, boss } = await setUp(t);
  const { received, url } = await receiver(t, [500, 500]);
  await prisma.webhook.create({ data: { url, secret: SECRET, events: ['scan.completed'] } });
  await scan(prisma, boss, []);
  const [delivery] = await until(
    'the delivery to succeed',
    () => prisma.webhookDelivery.findMany(),
    (rows) => rows[0]?.status === 'DELIVERED',
  );
  t.equal(delivery?.attempts, 3);
  t.equal(delivery?.responseStatus, 200);
  t.equal(delivery?.lastError, null);
  t.equal(received.length, 3);
  t.equal(new Set(received.map((request) => request.headers[DELIVERY_HEADER.toLowerCase()])).size, 1);
  t.equal(new Set(received.map((request) => request.body)).size, 1, 'each attempt sends the same body');
  for (const request of received) {
    t.ok(verifySignature(SECRET, request.headers[SIGNATURE_HEADER.toLowerCase()] as string, request.body));
  }
});

t.test('a receiver that keeps failing: the delivery ends FAILED with the last error', async (t) => {
  const { prisma, boss } = await setUp(t);
  const { received, url } = await receiver(t, [503, 503, 503, 503, 503]);
  await prisma.webhook.create({ data: { url, secret: SECRET, events: ['scan.completed'] } });
  await scan(prisma, boss, []);
  const [delivery] = await until(
    'the delivery to fail',
    () => prisma.webhookDelivery.findMany(),
    (rows) => rows[0]?.status === 'FAILED',
  );
  t.equal(delivery?.attempts, 4, 'the first attempt and 3 retries');
  t.equal(delivery?.responseStatus, 503);
  t.match(delivery?.lastError, /answered 503: receiver is down/);
  t.equal(received.length, 4);
});

t.test('the same events produced again, or the job redelivered, send nothing twice', async (t) => {
  const { prisma, boss } = await setUp(t);
  const { received, url } = await receiver(t);
  await prisma.webhook.create({
    data: { url, secret: SECRET, events: ['finding.failed', 'scan.completed'] },
  });
  const events = await scan(prisma, boss, [result('root-mfa-enabled', 'FAIL')]);
  t.equal(events.length, 2);
  await until(
    '2 deliveries',
    () => prisma.webhookDelivery.findMany(),
    (rows) => rows.length === 2 && rows.every((row) => row.status === 'DELIVERED'),
  );
  // A retried producer announces the same events; a redelivered job runs again.
  await announceWebhookEvents({ prisma, boss, logger }, 'retry', events);
  for (const delivery of await prisma.webhookDelivery.findMany()) {
    const outcome = await deliverWebhook(
      { prisma, allowPrivate: true },
      { deliveryId: delivery.id, retryCount: 0, retryLimit: 3 },
    );
    t.same(outcome, { outcome: 'skipped', reason: 'already DELIVERED' });
  }
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  t.equal(await prisma.webhookDelivery.count(), 2);
  t.equal(received.length, 2, 'each event was POSTed once');
});

t.test('a URL that now resolves to loopback is refused at delivery time', async (t) => {
  const { prisma } = await setUp(t);
  const { received, port } = await receiver(t);
  // Public when the webhook was created; the name now points at the service's own host.
  let address = '93.184.215.14';
  const resolve = async () => [address];
  const webhook = await prisma.webhook.create({
    data: { url: `http://hooks.example.test:${port}/rootaudit`, secret: SECRET, events: ['scan.completed'] },
  });
  address = '127.0.0.1';
  const delivery = await prisma.webhookDelivery.create({
    data: { webhookId: webhook.id, eventId: 'scan-1:scan.completed', event: 'scan.completed', payload: {} },
  });
  const outcome = await deliverWebhook(
    { prisma, allowPrivate: false, resolve },
    { deliveryId: delivery.id, retryCount: 0, retryLimit: 3 },
  );
  t.equal(outcome.outcome, 'refused');
  const row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
  t.equal(row.status, 'FAILED');
  t.equal(row.attempts, 1);
  t.match(row.lastError, /hooks\.example\.test resolves to 127\.0\.0\.1/);
  t.equal(received.length, 0, 'nothing reached the receiver');
  // With private URLs allowed (tests, closed networks) the same name is delivered to.
  const allowed = await prisma.webhookDelivery.create({
    data: { webhookId: webhook.id, eventId: 'scan-2:scan.completed', event: 'scan.completed', payload: {} },
  });
  t.match(
    await deliverWebhook(
      { prisma, allowPrivate: true, resolve },
      { deliveryId: allowed.id, retryCount: 0, retryLimit: 3 },
    ),
    { outcome: 'delivered', responseStatus: 200 },
  );
  t.equal(received.length, 1);
});

t.test('a receiver that does not answer in time fails the attempt', async (t) => {
  const { prisma } = await setUp(t);
  const server = createServer(() => {
    // never answers
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise((done) => server.close(done));
  });
  const { port } = server.address() as AddressInfo;
  const webhook = await prisma.webhook.create({
    data: { url: `http://127.0.0.1:${port}/`, secret: SECRET, events: ['scan.completed'] },
  });
  const delivery = await prisma.webhookDelivery.create({
    data: { webhookId: webhook.id, eventId: 'scan-1:scan.completed', event: 'scan.completed', payload: {} },
  });
  await t.rejects(
    deliverWebhook(
      { prisma, allowPrivate: true, timeoutMs: 200 },
      { deliveryId: delivery.id, retryCount: 0, retryLimit: 3 },
    ),
    { message: /no answer within 0.2 s/ },
  );
  const row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
  t.equal(row.status, 'PENDING', 'pg-boss retries it');
  t.equal(row.attempts, 1);
  t.match(row.lastError, /no answer within/);
});
