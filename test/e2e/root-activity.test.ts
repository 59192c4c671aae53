// Live root activity end to end, both ways in at once: the API as production starts it (startApi,
// POST /v1/events/aws over HTTP with an ingest key) and a worker consuming an SQS queue (moto, over
// HTTP) with its own processing, on one PostgreSQL, announcing to a local webhook receiver. The same
// root sign-in delivered three times (once pushed, twice queued) is one stored event, one FAIL
// finding and one signed delivery of each webhook event; a non-root event is refused by both.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApi } from '@rootaudit/api';
import { startMoto, testQueues } from '@rootaudit/aws/testing';
import { loadConfig } from '@rootaudit/config';
import { createLogger } from '@rootaudit/log';
import { startQueue, stopQueue } from '@rootaudit/queue';
import { iamUserApiCall, MEMBER_ACCOUNT, rootSignInWithMfa } from '@rootaudit/root-events/fixtures';
import { createApiKey } from '@rootaudit/store';
import { verifySignature } from '@rootaudit/webhooks';
import { startWorker } from '@rootaudit/worker';
import t from 'tap';
import { testDatabase } from '../support/db.ts';

const moto = await startMoto();
if ('skip' in moto) {
  t.plan(0, moto.skip);
  process.exit(0);
}
t.teardown(() => moto.stop());
const EVENT_ID = (rootSignInWithMfa.detail as { eventID: string }).eventID;
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' };
const queues = await testQueues(moto.endpoint, credentials);
t.teardown(() => queues.destroy());

const { url: databaseUrl, prisma } = await testDatabase(t);
const logger = createLogger({ level: 'silent' });
const boss = await startQueue(databaseUrl, logger);
t.teardown(() => stopQueue(boss, { timeoutMs: 5_000 }));

// The account is one of the organization's, as the scheduler's discovery records it.
await prisma.account.create({
  data: { id: MEMBER_ACCOUNT, name: 'member', email: 'aws+member@example.com', status: 'ACTIVE' },
});

// The webhook receiver: every delivery, its headers and body.
const received: { headers: IncomingMessage['headers']; body: string }[] = [];
const receiver = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8').on('data', (chunk: string) => {
    body += chunk;
  });
  request.on('end', () => {
    received.push({ headers: request.headers, body });
    response.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
const SECRET = 'whsec_root_activity_e2e';
await prisma.webhook.create({
  data: {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    secret: SECRET,
    events: ['root.activity', 'finding.failed'],
  },
});

const { url: queueUrl, deadLetterUrl } = await queues.create({ visibility: 5 });
const config = loadConfig({
  DATABASE_URL: databaseUrl,
  PORT: '0',
  HOST: '127.0.0.1',
  ROOTAUDIT_EVENTS_QUEUE_URL: queueUrl,
  ROOTAUDIT_ALLOW_PRIVATE_WEBHOOK_URLS: 'true',
});
// The test owns the database: closing the API must not close it.
const database = { prisma, url: databaseUrl, embedded: false, close: async () => undefined };
const api = await startApi({ config, logger, database, boss });
t.teardown(() => api.close());
const worker = await startWorker({
  config,
  logger,
  database: { prisma },
  boss,
  clients: { endpoint: moto.endpoint, credentials },
  pollingIntervalSeconds: 0.5,
  shutdownGraceMs: 500,
  rootEvents: { queue: { waitTimeSeconds: 1 } },
});
t.teardown(() => worker.close());

const ingestKey = (await createApiKey(prisma, { name: 'eventbridge', scope: 'ingest' })).key;
const push = (event: unknown) =>
  fetch(`${api.url}/v1/events/aws`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

t.test(
  'one root sign-in, pushed once and queued twice: one event, one finding, one of each webhook',
  async (t) => {
    await queues.send(queueUrl, rootSignInWithMfa);
    const pushed = await push(rootSignInWithMfa);
    t.equal(pushed.status, 200);
    const answer = (await pushed.json()) as { status: string; eventId: string };
    t.ok(['stored', 'duplicate'].includes(answer.status), `pushed: ${answer.status}`);
    await queues.send(queueUrl, rootSignInWithMfa);
    await until('both queued copies consumed', async () => (await queues.depth(queueUrl)) === 0);
    await until('the webhooks delivered', () => received.length >= 2);
    // Time for a wrongly duplicated delivery to arrive, had one been enqueued.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    t.equal(await prisma.rootEvent.count(), 1, 'one stored event');
    const stored = await prisma.rootEvent.findFirstOrThrow();
    t.equal(stored.eventId, EVENT_ID);
    t.equal(stored.mfaUsed, true);
    const finding = await prisma.finding.findFirstOrThrow({
      where: { accountId: MEMBER_ACCOUNT, checkId: 'root-signin-activity' },
    });
    t.equal(finding.status, 'FAIL', 'the finding failed at once');
    t.same(
      received.map((delivery) => delivery.headers['x-rootaudit-event']).sort(),
      ['finding.failed', 'root.activity'],
      'one delivery of each event',
    );
    for (const delivery of received) {
      t.ok(
        verifySignature(SECRET, delivery.headers['x-rootaudit-signature'] as string, delivery.body),
        `${delivery.headers['x-rootaudit-event']} is signed`,
      );
    }
    const listed = await fetch(`${api.url}/v1/root-activity?account=${MEMBER_ACCOUNT}`, {
      headers: {
        authorization: `Bearer ${(await createApiKey(prisma, { name: 'reader', scope: 'read' })).key}`,
      },
    });
    const page = (await listed.json()) as { items: { eventId: string; mfaUsed: boolean; outcome: string }[] };
    t.same(
      page.items.map(({ eventId, mfaUsed, outcome }) => ({ eventId, mfaUsed, outcome })),
      [{ eventId: EVENT_ID, mfaUsed: true, outcome: 'success' }],
      'served by GET /v1/root-activity',
    );
  },
);

t.test('a non-root event is refused by both ways in, and nothing is written', async (t) => {
  const before = await prisma.rootEvent.count();
  const pushed = await push(iamUserApiCall);
  t.equal(pushed.status, 400);
  t.match(((await pushed.json()) as { message: string }).message, /userIdentity\.type/);
  await queues.send(queueUrl, iamUserApiCall);
  await until('the refused event dead-lettered', async () => (await queues.depth(deadLetterUrl!)) === 1);
  t.equal(await queues.depth(queueUrl), 0, 'gone from the queue');
  t.equal(await prisma.rootEvent.count(), before, 'nothing stored');
});
