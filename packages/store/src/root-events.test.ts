import { createPrismaClient } from '@rootaudit/db';
import { parseRootEvent, type RootActivityEvent } from '@rootaudit/root-events';
import {
  MANAGEMENT_ACCOUNT,
  MEMBER_ACCOUNT,
  privilegedSessionCallByAdmin,
  rootApiCallDenied,
  rootApiCallWithAccessKey,
  rootSignInFailed,
  rootSignInWithMfa,
  rootSignInWithoutMfa,
} from '@rootaudit/root-events/fixtures';
import t from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { listRootEvents, type RootEventFilter, recordRootEvent } from './index.ts';

function parsed(envelope: unknown): RootActivityEvent {
  const result = parseRootEvent(envelope);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

/** The same kind of event as `envelope`, as another CloudTrail event (its own id, account, time). */
function another(
  envelope: unknown,
  change: { eventId: string; eventTime?: string; accountId?: string },
): RootActivityEvent {
  const event = parsed(envelope);
  return {
    ...event,
    eventId: change.eventId,
    accountId: change.accountId ?? event.accountId,
    eventTime: change.eventTime ? new Date(change.eventTime) : event.eventTime,
  };
}

t.test('a root event is stored with every field, and reported new', async (t) => {
  const { prisma } = await testDatabase(t);
  const event = parsed(privilegedSessionCallByAdmin);
  const recorded = await recordRootEvent(prisma, event);
  t.equal(recorded.isNew, true);
  const row = await prisma.rootEvent.findUniqueOrThrow({ where: { eventId: event.eventId } });
  t.match(row, {
    id: recorded.rootEvent.id,
    eventId: '5d4c3b2a-1f0e-4d9c-8b7a-6e5f4d3c2b1a',
    accountId: MEMBER_ACCOUNT,
    eventTime: new Date('2026-11-30T10:00:09Z'),
    region: 'us-east-1',
    eventName: 'DeleteBucketPolicy',
    eventSource: 's3.amazonaws.com',
    sourceIpAddress: '192.0.2.1',
    userAgent: /^aws-sdk-js\//,
    mfaUsed: false,
    outcome: 'success',
    errorCode: null,
    errorMessage: null,
    privilegedSession: true,
    issuer: `arn:aws:sts::${MANAGEMENT_ACCOUNT}:assumed-role/AdministratorAccess/jane`,
  });
  t.same(row.raw, privilegedSessionCallByAdmin, 'the raw EventBridge event, as received');
  t.ok(row.receivedAt instanceof Date);

  const failed = await recordRootEvent(prisma, parsed(rootSignInFailed));
  t.match(failed.rootEvent, {
    outcome: 'failure',
    errorCode: null,
    errorMessage: 'Failed authentication',
    mfaUsed: false,
    privilegedSession: false,
    issuer: null,
  });
});

t.test('the same event delivered again is not stored twice, and is reported as seen', async (t) => {
  const { prisma } = await testDatabase(t);
  const first = await recordRootEvent(prisma, parsed(rootSignInWithoutMfa));
  // EventBridge retries, or the same event arrives by the other way in (its envelope id may differ).
  const redelivered = parsed({ ...rootSignInWithoutMfa, id: 'another-delivery' });
  const second = await recordRootEvent(prisma, redelivered);
  const third = await recordRootEvent(prisma, parsed(rootSignInWithoutMfa));
  t.equal(first.isNew, true);
  t.equal(second.isNew, false);
  t.equal(third.isNew, false);
  t.equal(second.rootEvent.id, first.rootEvent.id, 'the stored event is answered');
  t.equal(await prisma.rootEvent.count(), 1);
  const row = await prisma.rootEvent.findFirstOrThrow();
  t.match(row.raw, { id: rootSignInWithoutMfa.id }, 'the first delivery is kept');
});

t.test('concurrent deliveries of one event: exactly one stores it and is new', async (t) => {
  const { prisma, url } = await testDatabase(t);
  // Separate clients: separate connections, as two workers or a worker and the API would be.
  const clients = [prisma, createPrismaClient(url), createPrismaClient(url)];
  t.teardown(() => Promise.all(clients.slice(1).map((client) => client.$disconnect())));
  const event = parsed(rootApiCallWithAccessKey);
  const results = await Promise.all(
    [0, 1, 2, 3, 4, 5].map((i) => recordRootEvent(clients[i % clients.length]!, event)),
  );
  t.equal(results.filter((result) => result.isNew).length, 1);
  t.equal(new Set(results.map((result) => result.rootEvent.id)).size, 1);
  t.equal(await prisma.rootEvent.count(), 1);
});

t.test(
  "inside the caller's transaction: rolled back with it, so no event is stored without its effects",
  async (t) => {
    const { prisma } = await testDatabase(t);
    const event = parsed(rootSignInWithMfa);
    await t.rejects(
      prisma.$transaction(async (tx) => {
        t.equal((await recordRootEvent(tx, event)).isNew, true);
        throw new Error('the finding update failed');
      }),
      /the finding update failed/,
    );
    t.equal(await prisma.rootEvent.count(), 0);
    // The next delivery is then the new one.
    t.equal((await recordRootEvent(prisma, event)).isNew, true);
  },
);

t.test('root events are listed newest first by event time, whatever their arrival order', async (t) => {
  const { prisma } = await testDatabase(t);
  const late = another(rootApiCallWithAccessKey, { eventId: 'early', eventTime: '2026-11-30T07:00:00Z' });
  await recordRootEvent(prisma, parsed(rootSignInWithMfa)); // 08:15:42
  await recordRootEvent(prisma, parsed(rootApiCallWithAccessKey)); // 09:02:11
  await recordRootEvent(prisma, late); // arrives last, happened first
  const page = await listRootEvents(prisma, {}, { limit: 10 });
  t.same(
    page.items.map((row) => row.eventId),
    ['7c4b9a0e-1e2f-4f7a-9c1d-5b0a8e3d2f61', '3fcfb182-98f8-4744-bd45-10a395ab61cb', 'early'],
  );
  t.equal(page.next, null);
});

t.test('root events filtered by account, time, event name, outcome and MFA', async (t) => {
  const { prisma } = await testDatabase(t);
  const other = '444455556666';
  const events = [
    parsed(rootSignInWithMfa), // member, 08:15:42, ConsoleLogin, success, MFA
    parsed(rootSignInWithoutMfa), // member, 08:15:42, ConsoleLogin, success, no MFA
    parsed(rootSignInFailed), // member, 08:15:42, ConsoleLogin, failure, no MFA
    parsed(rootApiCallWithAccessKey), // member, 09:02:11, CreateUser, success, no MFA
    parsed(rootApiCallDenied), // member, 09:02:11, DeleteTrail, failure, no MFA
    another(privilegedSessionCallByAdmin, { eventId: 'other-account', accountId: other }), // 10:00:09
    { ...another(rootApiCallWithAccessKey, { eventId: 'mfa-unknown' }), mfaUsed: null },
  ];
  for (const event of events) await recordRootEvent(prisma, event);
  const ids = async (filter: RootEventFilter) =>
    (await listRootEvents(prisma, filter, { limit: 50 })).items.map((row) => row.eventId).sort();
  const byName = (name: string) =>
    events
      .filter((e) => e.eventName === name)
      .map((e) => e.eventId)
      .sort();

  t.same(await ids({ accountIds: [other] }), ['other-account']);
  t.equal((await ids({ accountIds: [MEMBER_ACCOUNT] })).length, 6);
  t.same(await ids({ accountIds: [] }), [], 'no account asked, none listed');
  t.same(await ids({ since: new Date('2026-11-30T10:00:09Z') }), ['other-account'], 'since is inclusive');
  t.same(await ids({ until: new Date('2026-11-30T08:15:42Z') }), [], 'until is exclusive');
  t.same(await ids({ until: new Date('2026-11-30T08:15:43Z') }), byName('ConsoleLogin'));
  t.same(
    await ids({ since: new Date('2026-11-30T09:00:00Z'), until: new Date('2026-11-30T10:00:00Z') }),
    [...byName('CreateUser'), ...byName('DeleteTrail')].sort(),
  );
  t.same(await ids({ eventNames: ['DeleteTrail', 'DeleteBucketPolicy'] }), [
    'a0e5d7c3-9b8f-4e2d-8c1a-6f5e4d3c2b1a',
    'other-account',
  ]);
  t.same(await ids({ outcome: 'failure' }), [
    '11b1a6a1-6b8c-4a43-97fa-0ac1b0a4e7c2',
    'a0e5d7c3-9b8f-4e2d-8c1a-6f5e4d3c2b1a',
  ]);
  t.same(await ids({ mfaUsed: true }), ['3fcfb182-98f8-4744-bd45-10a395ab61cb']);
  t.same(await ids({ mfaUsed: null }), ['mfa-unknown']);
  t.equal((await ids({ mfaUsed: false })).length, 5);
  t.same(await ids({ eventNames: ['ConsoleLogin'], mfaUsed: false, outcome: 'success' }), [
    'deb1e1f9-c99b-4612-8e9f-21f93b5e79a1',
  ]);
});

t.test('pages follow each other without overlap or gap, through events of the same second', async (t) => {
  const { prisma } = await testDatabase(t);
  const times = ['2026-11-30T08:00:00Z', '2026-11-30T09:00:00Z', '2026-11-30T10:00:00Z'];
  const all: string[] = [];
  for (const [i, time] of times.entries()) {
    for (let j = 0; j < 4; j++) {
      const eventId = `e-${i}-${j}`;
      all.push(eventId);
      await recordRootEvent(prisma, another(rootApiCallWithAccessKey, { eventId, eventTime: time }));
    }
  }
  const seen: string[] = [];
  let after: { eventTime: Date; id: string } | undefined;
  let pages = 0;
  do {
    const page = await listRootEvents(prisma, {}, { after, limit: 5 });
    seen.push(...page.items.map((row) => row.eventId));
    after = page.next ?? undefined;
    pages++;
  } while (after && pages < 10);
  t.equal(pages, 3);
  t.equal(seen.length, all.length);
  t.same([...seen].sort(), [...all].sort(), 'every event once');
  t.same(seen.slice(0, 4).sort(), ['e-2-0', 'e-2-1', 'e-2-2', 'e-2-3'], 'the newest second first');

  // A filter holds across pages: before 10:00, the 8 events of 08:00 and 09:00, in two pages.
  const until = new Date(times[2]!);
  const first = await listRootEvents(prisma, { until }, { limit: 5 });
  const second = await listRootEvents(prisma, { until }, { after: first.next!, limit: 5 });
  t.equal(first.items.length, 5);
  t.equal(second.items.length, 3);
  t.equal(second.next, null);
  t.same(
    [...first.items, ...second.items].map((row) => row.eventId).sort(),
    all.filter((id) => !id.startsWith('e-2-')).sort(),
  );
});
