import type { PrismaClient } from '@rootaudit/db';
import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import { insertAccount, insertOrganization, OU_PROD, rootArn, serveTestApi } from '../test-support.ts';

const database = testDatabase(t);
const ACCOUNT = '222222222222';
type Status = 'PASS' | 'FAIL' | 'ERROR' | 'NOT_APPLICABLE';

async function insertScan(
  prisma: PrismaClient,
  day: number,
  status: 'SUCCEEDED' | 'PARTIAL' | 'FAILED' | 'RUNNING',
  results: Record<string, Status>,
): Promise<string> {
  const createdAt = new Date(Date.UTC(2026, 10, day, 2));
  const finished = status !== 'RUNNING';
  const scan = await prisma.scan.create({
    data: {
      trigger: 'SCHEDULED',
      status,
      active: finished ? null : true,
      accountsTotal: 1,
      accountsDone: finished ? 1 : 0,
      accountsFailed: status === 'PARTIAL' ? 1 : 0,
      resultsFail: Object.values(results).filter((value) => value === 'FAIL').length,
      createdAt,
      startedAt: createdAt,
      finishedAt: finished ? new Date(createdAt.getTime() + 60_000) : null,
    },
  });
  await prisma.checkResult.createMany({
    data: Object.entries(results).map(([checkId, resultStatus]) => ({
      scanId: scan.id,
      accountId: ACCOUNT,
      checkId,
      resource: rootArn(ACCOUNT),
      status: resultStatus,
      severity: 'high' as const,
      message: `${checkId} ${resultStatus}`,
    })),
  });
  return scan.id;
}

const setUp = (async () => {
  const { prisma } = await database;
  await insertOrganization(prisma);
  await insertAccount(prisma, ACCOUNT, OU_PROD);
  const s1 = await insertScan(prisma, 1, 'SUCCEEDED', { a: 'FAIL', b: 'PASS', c: 'FAIL' });
  const s2 = await insertScan(prisma, 2, 'SUCCEEDED', {
    a: 'PASS',
    b: 'PASS',
    c: 'FAIL',
    d: 'FAIL',
    f: 'FAIL',
  });
  // A scan that failed outright is never "the previous scan".
  const failed = await insertScan(prisma, 3, 'FAILED', {});
  const s3 = await insertScan(prisma, 4, 'PARTIAL', {
    a: 'FAIL',
    b: 'FAIL',
    c: 'PASS',
    d: 'FAIL',
    e: 'FAIL',
    f: 'ERROR',
  });
  const running = await insertScan(prisma, 5, 'RUNNING', {});
  return { prisma, scans: { s1, s2, failed, s3, running } };
})();

t.test('lists scans newest first with the SPEC §6 progress fields', async (t) => {
  const { prisma, scans } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const response = await api.get('/v1/scans');
  t.equal(response.status, 200);
  const page = (await response.json()) as { items: Record<string, unknown>[]; nextCursor: string | null };
  t.same(
    page.items.map((item) => item.id),
    [scans.running, scans.s3, scans.failed, scans.s2, scans.s1],
  );
  t.match(page.items[0], {
    status: 'RUNNING',
    accountsTotal: 1,
    accountsDone: 0,
    accountsFailed: 0,
    startedAt: '2026-11-05T02:00:00.000Z',
    finishedAt: null,
  });
  t.equal(page.nextCursor, null);
});

t.test('filters by status and pages with a cursor', async (t) => {
  const { prisma, scans } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const finished = (await (await api.get('/v1/scans?status=SUCCEEDED,PARTIAL')).json()) as {
    items: { id: string }[];
  };
  t.same(
    finished.items.map((item) => item.id),
    [scans.s3, scans.s2, scans.s1],
  );
  const first = (await (await api.get('/v1/scans?limit=2')).json()) as {
    items: { id: string }[];
    nextCursor: string;
  };
  const rest = (await (await api.get(`/v1/scans?limit=2&cursor=${first.nextCursor}`)).json()) as {
    items: { id: string }[];
  };
  t.same(
    [...first.items, ...rest.items].map((item) => item.id),
    [scans.running, scans.s3, scans.failed, scans.s2],
  );
  const bad = await api.get('/v1/scans?status=DONE');
  t.equal(bad.status, 400);
  t.match(await bad.json(), {
    message:
      'invalid value for query parameter "status": expected one of QUEUED, RUNNING, SUCCEEDED, PARTIAL, FAILED',
  });
});

t.test('one scan: 200, 404 when unknown, 400 when the id is not a UUID', async (t) => {
  const { prisma, scans } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const found = await api.get(`/v1/scans/${scans.s3}`);
  t.equal(found.status, 200);
  t.match(await found.json(), { id: scans.s3, status: 'PARTIAL', accountsFailed: 1, results: { FAIL: 4 } });
  const missing = await api.get('/v1/scans/0190a000-0000-7000-8000-000000000000');
  t.equal(missing.status, 404);
  t.same(await missing.json(), {
    statusCode: 404,
    error: 'Not Found',
    message: 'no scan 0190a000-0000-7000-8000-000000000000',
  });
  const malformed = await api.get('/v1/scans/latest');
  t.equal(malformed.status, 400);
  t.same(await malformed.json(), {
    statusCode: 400,
    error: 'Bad Request',
    message: 'invalid value for path parameter "id": expected a UUID',
  });
  t.equal((await api.get(`/v1/scans/${scans.s3}?verbose=1`)).status, 400, 'unknown query parameter');
});

interface Diff {
  previousScanId: string | null;
  counts: { new: number; resolved: number; reopened: number };
  new: { checkId: string; previousStatus: string | null }[];
  resolved: { checkId: string; previousStatus: string | null }[];
  reopened: { checkId: string; previousStatus: string | null }[];
}

const ids = (entries: { checkId: string }[]) => entries.map((entry) => entry.checkId);

t.test('diff: new, resolved and reopened against the previous finished scan', async (t) => {
  const { prisma, scans } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const response = await api.get(`/v1/scans/${scans.s3}/diff`);
  t.equal(response.status, 200);
  const diff = (await response.json()) as Diff;
  t.equal(diff.previousScanId, scans.s2, 'the FAILED scan in between is skipped');
  // b PASS→FAIL never failed before; e did not exist; a failed in s1, passed in s2, fails again.
  t.same(ids(diff.new), ['b', 'e']);
  t.same(
    diff.new.map((entry) => entry.previousStatus),
    ['PASS', null],
  );
  t.same(ids(diff.reopened), ['a']);
  // c FAIL→PASS is resolved; f FAIL→ERROR is not (it could not be evaluated); d still fails.
  t.same(ids(diff.resolved), ['c']);
  t.same(diff.counts, { new: 2, resolved: 1, reopened: 1 });
  t.match(diff.new[0], {
    accountId: ACCOUNT,
    resource: rootArn(ACCOUNT),
    status: 'FAIL',
    severity: 'high',
    message: 'b FAIL',
  });
});

t.test('diff of the second scan and of the first', async (t) => {
  const { prisma, scans } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const second = (await (await api.get(`/v1/scans/${scans.s2}/diff`)).json()) as Diff;
  t.equal(second.previousScanId, scans.s1);
  t.same(ids(second.new), ['d', 'f']);
  t.same(ids(second.resolved), ['a']);
  t.same(ids(second.reopened), []);
  const first = (await (await api.get(`/v1/scans/${scans.s1}/diff`)).json()) as Diff;
  t.equal(first.previousScanId, null);
  t.same(ids(first.new), ['a', 'c'], 'everything failing in the first scan is new');
  t.equal((await api.get('/v1/scans/0190a000-0000-7000-8000-000000000000/diff')).status, 404);
});

t.test('diff pages: limit and cursor walk every change once; counts are of the whole diff', async (t) => {
  const { prisma, scans } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const whole = (await (await api.get(`/v1/scans/${scans.s3}/diff`)).json()) as Diff & {
    nextCursor: string | null;
  };
  t.equal(whole.nextCursor, null, 'the default limit holds the whole diff');
  const pages: (Diff & { nextCursor: string | null })[] = [];
  let cursor: string | null = null;
  do {
    const response = await api.get(`/v1/scans/${scans.s3}/diff?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    t.equal(response.status, 200);
    const page = (await response.json()) as Diff & { nextCursor: string | null };
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 10);
  // Ordered by account, check, resource: a (reopened), b (new), c (resolved), e (new).
  t.same(
    pages.map((page) => [ids(page.new), ids(page.resolved), ids(page.reopened)]),
    [
      [[], [], ['a']],
      [['b'], [], []],
      [[], ['c'], []],
      [['e'], [], []],
    ],
  );
  t.ok(
    pages.every((page) => page.counts.new === 2 && page.counts.resolved === 1 && page.counts.reopened === 1),
    'every page carries the counts of the whole diff',
  );
  t.same(
    pages.map((page) => page.nextCursor === null),
    [false, false, false, true],
  );
  const two = (await (await api.get(`/v1/scans/${scans.s3}/diff?limit=2`)).json()) as Diff & {
    nextCursor: string;
  };
  const rest = (await (
    await api.get(`/v1/scans/${scans.s3}/diff?limit=2&cursor=${two.nextCursor}`)
  ).json()) as Diff;
  t.same([...ids(two.new), ...ids(rest.new)], ids(whole.new));
  t.same([...ids(two.reopened), ...ids(rest.reopened)], ids(whole.reopened));
  t.same([...ids(two.resolved), ...ids(rest.resolved)], ids(whole.resolved));
});

t.test('diff: bad parameters are 400 naming the parameter', async (t) => {
  const { prisma, scans } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const findingsCursor = Buffer.from(JSON.stringify({ id: scans.s1 })).toString('base64url');
  const cases: [string, string][] = [
    ['?verbose=1', 'unknown query parameter "verbose"; allowed: limit, cursor'],
    ['?limit=0', 'invalid value for query parameter "limit": expected an integer from 1 to 500'],
    [
      '?cursor=bm90LWEtY3Vyc29y',
      'invalid value for query parameter "cursor": not a cursor returned by this endpoint',
    ],
    [
      `?cursor=${findingsCursor}`,
      'invalid value for query parameter "cursor": not a cursor returned by this endpoint',
    ],
  ];
  for (const [query, message] of cases) {
    const response = await api.get(`/v1/scans/${scans.s3}/diff${query}`);
    t.equal(response.status, 400, query);
    t.same(await response.json(), { statusCode: 400, error: 'Bad Request', message }, query);
  }
  const malformed = await api.get('/v1/scans/latest/diff');
  t.same(await malformed.json(), {
    statusCode: 400,
    error: 'Bad Request',
    message: 'invalid value for path parameter "id": expected a UUID',
  });
});
