/**
 * ingestRootEvent over a real PostgreSQL and a real pg-boss: what one EventBridge event writes
 * (event, finding, webhook deliveries and their jobs), that repeated and concurrent deliveries
 * write it once, and what is refused or ignored writes nothing.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrismaClient } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { type PgBoss, QUEUES, startQueue, stopQueue, type WebhookDeliveryJob } from '@rootaudit/queue';
import {
  iamUserApiCall,
  MEMBER_ACCOUNT,
  privilegedSessionCallByAdmin,
  privilegedSessionCallByRootaudit,
  ROOTAUDIT_ORG_ROLE,
  rootApiCallDenied,
  rootSignInFailed,
  rootSignInWithMfa,
  rootSignInWithoutMfa,
} from '@rootaudit/root-events/fixtures';
import { completeScanIfDone, createScan, recordAccountResults } from '@rootaudit/store';
import { deliverWebhook, verifySignature } from '@rootaudit/webhooks';
import t, { type Test } from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { type IngestDependencies, ingestRootEvent } from './ingest-root-event.ts';

const logger = createLogger({ level: 'silent' });
const SECRET = 'whsec_test';
const NOW = new Date('2026-11-30T08:16:00.000Z');
const RESOURCE = `arn:aws:iam::${MEMBER_ACCOUNT}:root`;

async function setUp(t: Test, options: { account?: boolean } = {}) {
  const { url, prisma } = await testDatabase(t);
  const boss = await startQueue(url, logger);
  t.teardown(() => stopQueue(boss, { timeoutMs: 5_000 }));
  if (options.account !== false) await insertMember(prisma);
  const deps: IngestDependencies = { prisma, boss, logger, auditIssuer: null, now: () => NOW };
  return { prisma, boss, deps };
}

function insertMember(prisma: PrismaClient, extra: { leftOrganizationAt?: Date } = {}) {
  return prisma.account.create({
    data: {
      id: MEMBER_ACCOUNT,
      name: 'member',
      email: 'aws+member@example.com',
      status: 'ACTIVE',
      ...extra,
    },
  });
}

/** Every table an event could write to, counted. */
async function written(prisma: PrismaClient) {
  const [rootEvents, findings, deliveries, ignored] = await Promise.all([
    prisma.rootEvent.count(),
    prisma.finding.count(),
    prisma.webhookDelivery.count(),
    prisma.rootEventIgnoredTotal.findMany({ orderBy: { reason: 'asc' } }),
  ]);
  return {
    rootEvents,
    findings,
    deliveries,
    ignored: Object.fromEntries(ignored.map((row) => [row.reason, Number(row.count)])),
  };
}

/** The pg-boss jobs of webhook deliveries waiting to run (fetching claims them). */
async function deliveryJobs(boss: PgBoss): Promise<string[]> {
  const jobs = await boss.fetch<WebhookDeliveryJob>(QUEUES.webhookDelivery, { batchSize: 100 });
  return jobs.map((job) => job.data.deliveryId).sort();
}

function finding(prisma: PrismaClient) {
  return prisma.finding.findUniqueOrThrow({
    where: {
      accountId_checkId_resource: {
        accountId: MEMBER_ACCOUNT,
        checkId: 'root-signin-activity',
        resource: RESOURCE,
      },
    },
  });
}

t.test('a root sign-in is stored, makes the finding FAIL and enqueues its webhooks, signed', async (t) => {
  const { prisma, boss, deps } = await setUp(t);
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  t.teardown(() => new Promise((closed) => server.close(closed)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const subscribed = await prisma.webhook.create({
    data: { url, secret: SECRET, events: ['root.activity', 'finding.failed'] },
  });
  await prisma.webhook.create({ data: { url, secret: SECRET, events: ['scan.completed'] } });

  const outcome = await ingestRootEvent(deps, rootSignInWithoutMfa);
  t.same(outcome, {
    status: 'stored',
    eventId: 'deb1e1f9-c99b-4612-8e9f-21f93b5e79a1',
    accountId: MEMBER_ACCOUNT,
  });
  const stored = await prisma.rootEvent.findMany();
  t.equal(stored.length, 1);
  t.match(stored[0], {
    eventId: 'deb1e1f9-c99b-4612-8e9f-21f93b5e79a1',
    accountId: MEMBER_ACCOUNT,
    eventName: 'ConsoleLogin',
    mfaUsed: false,
    outcome: 'success',
    sourceIpAddress: '198.51.100.23',
  });

  const row = await finding(prisma);
  t.equal(row.status, 'FAIL');
  t.equal(row.severity, 'high');
  t.same(row.firstSeenAt, NOW);
  t.same(row.statusChangedAt, NOW);
  t.equal(row.lastScanId, null);
  t.match(row.message, /console sign-in .* from 198\.51\.100\.23, no MFA, succeeded/);
  const evidence = row.evidence as {
    events: { eventId: string }[];
    eventIds: string[];
    rootActivity: string;
  };
  t.same(evidence.eventIds, ['deb1e1f9-c99b-4612-8e9f-21f93b5e79a1']);
  t.equal(evidence.events[0]?.eventId, 'deb1e1f9-c99b-4612-8e9f-21f93b5e79a1');
  t.equal(evidence.rootActivity, `/v1/root-activity?account=${MEMBER_ACCOUNT}`);

  const deliveries = await prisma.webhookDelivery.findMany({ orderBy: { event: 'asc' } });
  t.same(
    deliveries.map((delivery) => [delivery.webhookId, delivery.event, delivery.eventId]),
    [
      [
        subscribed.id,
        'finding.failed',
        `root-event:deb1e1f9-c99b-4612-8e9f-21f93b5e79a1:${row.id}:finding.failed`,
      ],
      [subscribed.id, 'root.activity', 'root-event:deb1e1f9-c99b-4612-8e9f-21f93b5e79a1:root.activity'],
    ],
    'one delivery per subscribed event; the scan.completed webhook gets none',
  );
  const jobs = await deliveryJobs(boss);
  t.same(jobs, deliveries.map((delivery) => delivery.id).sort(), 'each delivery has its pg-boss job');

  for (const deliveryId of jobs) {
    const result = await deliverWebhook(
      { prisma, allowPrivate: true },
      { deliveryId, retryCount: 0, retryLimit: 3 },
    );
    t.equal(result.outcome, 'delivered');
  }
  t.equal(received.length, 2);
  const activity = received.find((request) => request.headers['x-rootaudit-event'] === 'root.activity');
  t.ok(activity, 'root.activity arrived');
  if (!activity) return;
  t.ok(
    verifySignature(SECRET, activity.headers['x-rootaudit-signature'] as string, activity.body),
    'signed with the webhook secret',
  );
  const body = JSON.parse(activity.body) as { data: { rootEvent: Record<string, unknown> } };
  t.match(body.data.rootEvent, {
    eventId: 'deb1e1f9-c99b-4612-8e9f-21f93b5e79a1',
    accountId: MEMBER_ACCOUNT,
    eventName: 'ConsoleLogin',
    eventTime: '2026-11-30T08:15:42.000Z',
    mfaUsed: false,
    outcome: 'success',
    region: 'us-east-1',
  });
  t.notOk('raw' in body.data.rootEvent, 'the raw event is not announced');
});

t.test(
  'the same event three times, then five at once: one event, one transition, one webhook each',
  async (t) => {
    const { prisma, boss, deps } = await setUp(t);
    await prisma.webhook.create({
      data: {
        url: 'https://hooks.example.com/a',
        secret: SECRET,
        events: ['root.activity', 'finding.failed'],
      },
    });
    await prisma.webhook.create({
      data: { url: 'https://hooks.example.com/b', secret: SECRET, events: ['root.activity'] },
    });
    const outcomes = [];
    for (let delivery = 0; delivery < 3; delivery++)
      outcomes.push(await ingestRootEvent(deps, rootSignInWithMfa));
    t.same(
      outcomes.map((outcome) => outcome.status),
      ['stored', 'duplicate', 'duplicate'],
    );
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => ingestRootEvent(deps, rootSignInFailed)),
    );
    t.same(concurrent.map((outcome) => outcome.status).sort(), [
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'stored',
    ]);
    t.same(await written(prisma), { rootEvents: 2, findings: 1, deliveries: 5, ignored: {} });
    const deliveries = await prisma.webhookDelivery.groupBy({ by: ['event'], _count: { _all: true } });
    t.same(
      Object.fromEntries(deliveries.map((group) => [group.event, group._count._all])),
      { 'root.activity': 4, 'finding.failed': 1 },
      'root.activity per event and subscriber; finding.failed once, when the finding started failing',
    );
    t.equal((await deliveryJobs(boss)).length, 5);
    const row = await finding(prisma);
    t.equal(row.status, 'FAIL');
    t.same(
      (row.evidence as { eventIds: string[] }).eventIds,
      ['11b1a6a1-6b8c-4a43-97fa-0ac1b0a4e7c2', '3fcfb182-98f8-4744-bd45-10a395ab61cb'],
      'both events in the evidence, newest first',
    );
  },
);

t.test(
  'different events of one account at once: one FAIL transition, every event in the evidence',
  async (t) => {
    const { prisma, deps } = await setUp(t);
    await prisma.webhook.create({
      data: { url: 'https://hooks.example.com/a', secret: SECRET, events: ['finding.failed'] },
    });
    const outcomes = await Promise.all(
      [rootSignInWithMfa, rootSignInWithoutMfa, rootSignInFailed, rootApiCallDenied].map((envelope) =>
        ingestRootEvent(deps, envelope),
      ),
    );
    t.same(
      outcomes.map((outcome) => outcome.status),
      ['stored', 'stored', 'stored', 'stored'],
    );
    t.equal(await prisma.webhookDelivery.count(), 1, 'one finding.failed');
    const row = await finding(prisma);
    t.equal((row.evidence as { eventIds: string[] }).eventIds.length, 4);
  },
);

t.test(
  'a resolved finding is reopened; a failing one keeps failing without a new finding.failed',
  async (t) => {
    const { prisma, deps } = await setUp(t);
    await prisma.webhook.create({
      data: { url: 'https://hooks.example.com/a', secret: SECRET, events: ['finding.failed'] },
    });
    const earlier = new Date('2026-10-01T02:00:00.000Z');
    const created = await prisma.finding.create({
      data: {
        accountId: MEMBER_ACCOUNT,
        checkId: 'root-signin-activity',
        resource: RESOURCE,
        status: 'PASS',
        severity: 'high',
        message: 'No root console sign-in and no root API event (us-east-1) in the last 90 days.',
        evidence: { windowDays: 90, regions: ['us-east-1'], events: [] },
        firstSeenAt: earlier,
        lastSeenAt: earlier,
        statusChangedAt: earlier,
        resolvedAt: earlier,
      },
    });
    t.equal((await ingestRootEvent(deps, rootApiCallDenied)).status, 'stored');
    const reopened = await finding(prisma);
    t.equal(reopened.id, created.id);
    t.equal(reopened.status, 'FAIL');
    t.same(reopened.reopenedAt, NOW);
    t.equal(reopened.reopenCount, 1);
    t.equal(reopened.resolvedAt, null);
    t.same(reopened.firstSeenAt, earlier);
    t.match(reopened.evidence, { windowDays: 90, regions: ['us-east-1'] }, "the scan's facts are kept");
    t.match(reopened.message, /failed \(AccessDenied\)/);
    t.equal(await prisma.webhookDelivery.count(), 1);

    t.equal((await ingestRootEvent(deps, rootSignInWithMfa)).status, 'stored');
    const still = await finding(prisma);
    t.equal(still.status, 'FAIL');
    t.same(still.statusChangedAt, NOW);
    t.equal(still.reopenCount, 1);
    t.equal(await prisma.webhookDelivery.count(), 1, 'no second finding.failed');
    t.equal((still.evidence as { eventIds: string[] }).eventIds.length, 2);
  },
);

t.test('a suppression in force mutes the finding a live event creates', async (t) => {
  const { prisma, deps } = await setUp(t);
  await prisma.suppression.create({
    data: {
      checkId: 'root-signin-activity',
      accountId: MEMBER_ACCOUNT,
      reason: 'break-glass drill',
      author: 'ops',
    },
  });
  t.equal((await ingestRootEvent(deps, rootSignInWithMfa)).status, 'stored');
  t.equal((await finding(prisma)).muted, true);
});

t.test('malformed and non-root events are refused with the field, and nothing is written', async (t) => {
  const { prisma, deps } = await setUp(t);
  await prisma.webhook.create({
    data: { url: 'https://hooks.example.com/a', secret: SECRET, events: ['root.activity'] },
  });
  const iamUser = await ingestRootEvent(deps, iamUserApiCall);
  t.same(iamUser, {
    status: 'refused',
    reason: 'not a root identity: detail.userIdentity.type is "IAMUser", not "Root"',
  });
  const noEventId = structuredClone(rootSignInWithMfa) as { detail: Record<string, unknown> };
  delete noEventId.detail.eventID;
  const malformed = await ingestRootEvent(deps, noEventId);
  t.equal(malformed.status, 'refused');
  t.match(malformed, { reason: /detail\.eventID/ });
  t.match(await ingestRootEvent(deps, 'not an object'), { status: 'refused' });
  const before = await prisma.webhook.count();
  t.same(await written(prisma), { rootEvents: 0, findings: 0, deliveries: 0, ignored: {} });
  t.equal(before, 1);
});

t.test('an account outside the organization, or that left it: accepted, not stored, counted', async (t) => {
  const absent = await setUp(t, { account: false });
  t.same(await ingestRootEvent(absent.deps, rootSignInWithMfa), {
    status: 'foreign-account',
    eventId: '3fcfb182-98f8-4744-bd45-10a395ab61cb',
    accountId: MEMBER_ACCOUNT,
  });
  t.same(await written(absent.prisma), {
    rootEvents: 0,
    findings: 0,
    deliveries: 0,
    ignored: { 'foreign-account': 1 },
  });

  const concurrent = await Promise.all(
    Array.from({ length: 6 }, () => ingestRootEvent(absent.deps, rootSignInWithoutMfa)),
  );
  t.same(new Set(concurrent.map((outcome) => outcome.status)), new Set(['foreign-account']));
  t.same(
    (await written(absent.prisma)).ignored,
    { 'foreign-account': 7 },
    'concurrent deliveries each count',
  );

  const left = await setUp(t, { account: false });
  await insertMember(left.prisma, { leftOrganizationAt: new Date('2026-11-01T00:00:00Z') });
  t.equal((await ingestRootEvent(left.deps, rootSignInWithMfa)).status, 'foreign-account');
  t.equal((await ingestRootEvent(left.deps, rootSignInWithMfa)).status, 'foreign-account');
  t.same(await written(left.prisma), {
    rootEvents: 0,
    findings: 0,
    deliveries: 0,
    ignored: { 'foreign-account': 2 },
  });
});

t.test("rootaudit's own privileged session is not root use; another's is", async (t) => {
  const { prisma, deps } = await setUp(t);
  const own = { ...deps, auditIssuer: `arn:aws:sts::999988887777:assumed-role/RootAuditOrganization/scan-7` };
  t.equal(ROOTAUDIT_ORG_ROLE, 'arn:aws:iam::999988887777:role/RootAuditOrganization');
  t.same(await ingestRootEvent(own, privilegedSessionCallByRootaudit), {
    status: 'own-session',
    eventId: '9f8e7d6c-5b4a-4392-8a1b-0c9d8e7f6a5b',
    accountId: MEMBER_ACCOUNT,
  });
  t.same(await written(prisma), { rootEvents: 0, findings: 0, deliveries: 0, ignored: { 'own-session': 1 } });
  t.equal((await ingestRootEvent(own, privilegedSessionCallByAdmin)).status, 'stored');
  const stored = await prisma.rootEvent.findFirstOrThrow();
  t.equal(stored.privilegedSession, true);
  t.equal(stored.issuer, 'arn:aws:sts::999988887777:assumed-role/AdministratorAccess/jane');
  t.match((await finding(prisma)).message, /privileged root session issued to .*AdministratorAccess\/jane/);
  // Without knowing its own principal, rootaudit takes no session for its own.
  t.equal((await ingestRootEvent(deps, privilegedSessionCallByRootaudit)).status, 'stored');
});

t.test(
  'when the webhooks cannot be enqueued, nothing of the event is written and it is retried',
  async (t) => {
    const { prisma, boss, deps } = await setUp(t);
    await prisma.webhook.create({
      data: { url: 'https://hooks.example.com/a', secret: SECRET, events: ['root.activity'] },
    });
    const failing = {
      insert: async () => {
        throw new Error('queue unavailable');
      },
    } as unknown as PgBoss;
    await t.rejects(ingestRootEvent({ ...deps, boss: failing }, rootSignInWithMfa), /queue unavailable/);
    t.same(await written(prisma), { rootEvents: 0, findings: 0, deliveries: 0, ignored: {} });
    t.equal(
      (await ingestRootEvent({ ...deps, boss }, rootSignInWithMfa)).status,
      'stored',
      'the retry stores it',
    );
    t.same(await written(prisma), { rootEvents: 1, findings: 1, deliveries: 1, ignored: {} });
  },
);

t.test('an event the nightly scan found and the same event received live are one event', async (t) => {
  const { prisma, deps } = await setUp(t);
  const scanned = {
    eventId: '3fcfb182-98f8-4744-bd45-10a395ab61cb', // rootSignInWithMfa's CloudTrail eventID
    eventTime: '2026-11-30T08:15:42.000Z',
    eventName: 'ConsoleLogin',
    eventSource: 'signin.amazonaws.com',
    region: 'us-east-1',
    sourceIpAddress: '192.0.2.110',
    userAgent: 'Mozilla/5.0',
    mfaUsed: true,
    outcome: 'Success',
    errorCode: null,
    privilegedSession: null,
  };
  const onlyScanned = {
    ...scanned,
    eventId: 'a1b2c3d4-0000-4000-8000-000000000001',
    eventName: 'ListBuckets',
    eventSource: 's3.amazonaws.com',
    outcome: null,
  };
  const notRepresentable = { ...scanned, eventId: 'a1b2c3d4-0000-4000-8000-000000000002', outcome: null };
  const scan = await createScan(prisma, {
    trigger: 'MANUAL',
    accounts: [{ id: MEMBER_ACCOUNT, status: 'ACTIVE' }],
  });
  await recordAccountResults(prisma, {
    scanId: scan.id,
    accountId: MEMBER_ACCOUNT,
    durationMs: 1,
    results: [
      {
        checkId: 'root-signin-activity',
        status: 'FAIL',
        severity: 'high',
        resource: RESOURCE,
        message: 'Root was active in the last 90 days: 3 event(s)',
        evidence: { windowDays: 90, events: [scanned, onlyScanned, notRepresentable] },
      },
    ],
  });
  const stored = await prisma.rootEvent.findMany({ orderBy: { eventId: 'asc' } });
  t.same(
    stored.map((row) => [row.eventId, row.eventName, row.outcome, row.mfaUsed]),
    [
      ['3fcfb182-98f8-4744-bd45-10a395ab61cb', 'ConsoleLogin', 'success', true],
      ['a1b2c3d4-0000-4000-8000-000000000001', 'ListBuckets', 'success', true],
    ],
    "the scan's events are stored; a sign-in without a recorded outcome is not (the live parser refuses it too)",
  );
  t.match(stored[0]?.raw, { source: 'cloudtrail:LookupEvents', event: { eventId: scanned.eventId } });

  t.match(await ingestRootEvent(deps, rootSignInWithMfa), { status: 'duplicate' }, 'live after the scan');
  t.equal(await prisma.rootEvent.count(), 2);

  t.match(await ingestRootEvent(deps, rootSignInWithoutMfa), { status: 'stored' });
  await completeScanIfDone(prisma, scan.id);
  const again = await createScan(prisma, {
    trigger: 'MANUAL',
    accounts: [{ id: MEMBER_ACCOUNT, status: 'ACTIVE' }],
  });
  await recordAccountResults(prisma, {
    scanId: again.id,
    accountId: MEMBER_ACCOUNT,
    durationMs: 1,
    results: [
      {
        checkId: 'root-signin-activity',
        status: 'FAIL',
        severity: 'high',
        resource: RESOURCE,
        message: 'Root was active',
        evidence: {
          events: [{ ...scanned, eventId: 'deb1e1f9-c99b-4612-8e9f-21f93b5e79a1', mfaUsed: false }, scanned],
        },
      },
    ],
  });
  t.equal(await prisma.rootEvent.count(), 3, 'the scan after the live event stores nothing twice');
  const live = await prisma.rootEvent.findUniqueOrThrow({
    where: { eventId: 'deb1e1f9-c99b-4612-8e9f-21f93b5e79a1' },
  });
  t.notMatch(live.raw, { source: 'cloudtrail:LookupEvents' }, 'the live event as received is kept');
});

t.test('an event older than the window is stored and announced but leaves the finding alone', async (t) => {
  const { prisma, boss, deps } = await setUp(t);
  const detail = rootSignInWithMfa.detail as Record<string, unknown>;
  // Delivered now (a replay from an archive, say), it happened 120 days ago: outside 90 days.
  const old = {
    ...rootSignInWithMfa,
    id: 'replayed-0000-0000-0000-000000000001',
    time: '2026-08-02T08:00:00Z',
    detail: {
      ...detail,
      eventID: 'old-sign-in-0000-0000-0000-000000000001',
      eventTime: '2026-08-02T08:00:00Z',
    },
  };
  await prisma.webhook.create({
    data: {
      url: 'https://hooks.example.com/root',
      secret: SECRET,
      events: ['root.activity', 'finding.failed'],
    },
  });
  const outcome = await ingestRootEvent({ ...deps, rootUsageWindowDays: 90 }, old);
  t.match(outcome, { status: 'stored' });
  t.equal(await prisma.rootEvent.count(), 1, 'kept in the root activity history');
  t.equal(await prisma.finding.count(), 0, 'no evidence against the account now: no finding made FAIL');
  const deliveries = await prisma.webhookDelivery.findMany();
  t.same(
    deliveries.map((delivery) => delivery.event),
    ['root.activity'],
    'announced as root activity; no finding.failed',
  );
  t.equal((await deliveryJobs(boss)).length, 1);
  // Inside the window, the same kind of event fails the finding.
  const recent = await ingestRootEvent({ ...deps, rootUsageWindowDays: 90 }, rootSignInWithMfa);
  t.match(recent, { status: 'stored' });
  t.equal((await finding(prisma)).status, 'FAIL');
});
