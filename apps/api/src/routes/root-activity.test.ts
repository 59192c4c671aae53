/**
 * GET /v1/root-activity over real HTTP and a real PostgreSQL: each filter, pages that cover every
 * event once, the 400s, and the link from the root-signin-activity finding to its events.
 */
import { createLogger } from '@rootaudit/log';
import { startQueue, stopQueue } from '@rootaudit/queue';
import { parseRootEvent, type RootActivityEvent } from '@rootaudit/root-events';
import {
  MEMBER_ACCOUNT,
  rootApiCallDenied,
  rootApiCallWithAccessKey,
  rootSignInFailed,
  rootSignInWithMfa,
  rootSignInWithoutMfa,
} from '@rootaudit/root-events/fixtures';
import { ingestRootEvent } from '@rootaudit/service';
import { recordRootEvent } from '@rootaudit/store';
import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import {
  insertAccount,
  insertOrganization,
  OU_DEV,
  OU_PROD,
  ROOT_ID,
  serveTestApi,
} from '../test-support.ts';

const PROD = '222222222222';
const PROD_APPS = '333333333333';
const DEV = '444444444444';
/** An OU inside Prod: its accounts are under Prod too. */
const OU_PROD_APPS = 'ou-ab12-apps0001';

function parsed(envelope: unknown): RootActivityEvent {
  const result = parseRootEvent(envelope);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

function event(
  envelope: unknown,
  change: { eventId: string; accountId: string; eventTime: string },
): RootActivityEvent {
  return { ...parsed(envelope), ...change, eventTime: new Date(change.eventTime) };
}

interface Item {
  eventId: string;
  accountId: string;
  eventName: string;
  eventTime: string;
  mfaUsed: boolean | null;
  outcome: string;
}

const setUp = (async () => {
  const { prisma } = await testDatabase(t);
  await insertOrganization(prisma);
  await prisma.organizationalUnit.create({
    data: {
      id: OU_PROD_APPS,
      organizationId: 'o-abcdefghij',
      parentId: OU_PROD,
      name: 'Apps',
      path: `/${ROOT_ID}/${OU_PROD}/${OU_PROD_APPS}/`,
    },
  });
  await insertAccount(prisma, PROD, OU_PROD);
  await insertAccount(prisma, PROD_APPS, OU_PROD, {
    ouId: OU_PROD_APPS,
    ouPath: `/${ROOT_ID}/${OU_PROD}/${OU_PROD_APPS}/`,
  });
  await insertAccount(prisma, DEV, OU_DEV);
  const events = [
    event(rootSignInWithMfa, { eventId: 'e1', accountId: PROD, eventTime: '2026-11-01T10:00:00Z' }),
    event(rootSignInWithoutMfa, { eventId: 'e2', accountId: PROD_APPS, eventTime: '2026-11-02T10:00:00Z' }),
    event(rootSignInFailed, { eventId: 'e3', accountId: DEV, eventTime: '2026-11-03T10:00:00Z' }),
    event(rootApiCallWithAccessKey, { eventId: 'e4', accountId: DEV, eventTime: '2026-11-03T10:00:00Z' }),
    event(rootApiCallDenied, { eventId: 'e5', accountId: PROD, eventTime: '2026-11-04T10:00:00Z' }),
  ];
  for (const stored of events) await recordRootEvent(prisma, stored);
  return { prisma, events };
})();

const ids = (items: Item[]) => items.map((item) => item.eventId);

t.test('each filter', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const list = async (query: string) => {
    const response = await api.get(`/v1/root-activity${query}`);
    t.equal(response.status, 200, query);
    return (await response.json()) as { items: Item[]; nextCursor: string | null };
  };
  const all = await list('');
  t.same(ids(all.items).slice(0, 1), ['e5'], 'newest first');
  t.same(ids(all.items).sort(), ['e1', 'e2', 'e3', 'e4', 'e5']);
  t.equal(all.nextCursor, null);
  t.match(all.items[0], {
    eventId: 'e5',
    accountId: PROD,
    eventName: 'DeleteTrail',
    eventSource: 'cloudtrail.amazonaws.com',
    eventTime: '2026-11-04T10:00:00.000Z',
    region: String,
    sourceIpAddress: String,
    userAgent: String,
    mfaUsed: false,
    outcome: 'failure',
    errorCode: 'AccessDenied',
    errorMessage: String,
    privilegedSession: false,
    issuer: null,
    receivedAt: String,
  });
  t.notOk('raw' in (all.items[0] ?? {}), 'the raw event is not served');

  t.same(ids((await list(`?account=${PROD}`)).items), ['e5', 'e1']);
  t.same(ids((await list(`?account=${PROD},${PROD_APPS}`)).items), ['e5', 'e2', 'e1']);
  t.same(ids((await list(`?ou=${OU_PROD}`)).items), ['e5', 'e2', 'e1'], 'nested OUs included');
  t.same(ids((await list(`?ou=${OU_PROD_APPS}`)).items), ['e2']);
  t.same(ids((await list(`?ou=${OU_PROD}&account=${DEV}`)).items), [], 'both: accounts in both');
  t.same(ids((await list(`?ou=${ROOT_ID}`)).items).length, 5);
  t.same(ids((await list('?since=2026-11-03T10:00:00Z')).items).sort(), ['e3', 'e4', 'e5'], 'since includes');
  t.same(ids((await list('?until=2026-11-03T10:00:00Z')).items), ['e2', 'e1'], 'until excludes');
  t.same(ids((await list('?eventName=ConsoleLogin')).items).sort(), ['e1', 'e2', 'e3']);
  t.same(ids((await list('?eventName=DeleteTrail,CreateUser')).items).sort(), ['e4', 'e5']);
  t.same(ids((await list('?outcome=failure')).items).sort(), ['e3', 'e5']);
  t.same(ids((await list('?outcome=success')).items).sort(), ['e1', 'e2', 'e4']);
  t.same(ids((await list('?mfaUsed=true')).items), ['e1']);
  t.same(ids((await list('?mfaUsed=false')).items).sort(), ['e2', 'e3', 'e4', 'e5']);
  t.same(ids((await list('?mfaUsed=unknown')).items), []);
});

t.test('pages cover every event once, in order, ties broken by id', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await api.get(`/v1/root-activity?limit=2${query}`);
    t.equal(response.status, 200);
    const body = (await response.json()) as { items: Item[]; nextCursor: string | null };
    t.ok(body.items.length <= 2);
    seen.push(...ids(body.items));
    cursor = body.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  t.equal(pages, 3);
  t.same(seen.slice().sort(), ['e1', 'e2', 'e3', 'e4', 'e5'], 'each event once');
  const whole = (await (await api.get('/v1/root-activity')).json()) as { items: Item[] };
  t.same(seen, ids(whole.items), 'in the order of one page');

  const findings = (await (await api.get('/v1/findings?limit=1')).json()) as { nextCursor: string | null };
  t.equal(findings.nextCursor, null, 'no findings, so take a cursor of another list by hand');
  const foreign = Buffer.from(
    JSON.stringify({ list: 'findings', id: '0190a000-0000-7000-8000-000000000000' }),
  ).toString('base64url');
  const refused = await api.get(`/v1/root-activity?cursor=${foreign}`);
  t.equal(refused.status, 400);
  t.same(await refused.json(), {
    statusCode: 400,
    error: 'Bad Request',
    message: 'invalid value for query parameter "cursor": not a cursor returned by this endpoint',
  });
});

t.test('malformed values are 400 naming the parameter', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const cases: [string, string][] = [
    ['account=12345', 'invalid value for query parameter "account": expected a 12-digit AWS account id'],
    ['ou=prod', 'invalid value for query parameter "ou": expected an OU id (ou-…) or a root id (r-…)'],
    [
      'since=yesterday',
      'invalid value for query parameter "since": expected an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z',
    ],
    [
      'until=2026-13-01T00:00:00Z',
      'invalid value for query parameter "until": expected an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z',
    ],
    [
      'eventName=Console%20Login',
      'invalid value for query parameter "eventName": expected a CloudTrail event name such as ConsoleLogin',
    ],
    ['outcome=maybe', 'invalid value for query parameter "outcome": expected one of success, failure'],
    ['mfaUsed=yes', 'invalid value for query parameter "mfaUsed": expected one of true, false, unknown'],
    ['limit=0', 'invalid value for query parameter "limit": expected an integer from 1 to 500'],
    ['cursor=%25%25', 'invalid value for query parameter "cursor": not a cursor returned by this endpoint'],
  ];
  for (const [query, message] of cases) {
    const response = await api.get(`/v1/root-activity?${query}`);
    t.equal(response.status, 400, query);
    t.same(await response.json(), { statusCode: 400, error: 'Bad Request', message }, query);
  }
});

t.test("the finding's evidence links to the account's root activity", async (t) => {
  const { url, prisma } = await testDatabase(t);
  const boss = await startQueue(url, createLogger({ level: 'silent' }));
  t.teardown(() => stopQueue(boss, { timeoutMs: 5_000 }));
  await insertOrganization(prisma);
  await insertAccount(prisma, MEMBER_ACCOUNT, OU_PROD);
  const outcome = await ingestRootEvent(
    { prisma, boss, logger: createLogger({ level: 'silent' }), auditIssuer: null },
    rootSignInWithoutMfa,
  );
  t.equal(outcome.status, 'stored');
  const api = await serveTestApi(t, { prisma });
  const findings = (await (await api.get('/v1/findings?check=root-signin-activity')).json()) as {
    items: { status: string; evidence: { rootActivity: string; eventIds: string[] } }[];
  };
  const [finding] = findings.items;
  t.equal(finding?.status, 'FAIL');
  t.equal(finding?.evidence.rootActivity, `/v1/root-activity?account=${MEMBER_ACCOUNT}`);
  const linked = (await (await api.get(finding?.evidence.rootActivity ?? '')).json()) as { items: Item[] };
  t.same(ids(linked.items), finding?.evidence.eventIds);
  t.match(linked.items[0], { eventName: 'ConsoleLogin', mfaUsed: false, outcome: 'success' });
});
