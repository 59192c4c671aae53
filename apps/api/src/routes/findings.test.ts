import type { PrismaClient } from '@rootaudit/db';
import {
  completeScanIfDone,
  createScan,
  failScan,
  recordAccountResults,
  type StoredResult,
} from '@rootaudit/store';
import t, { type Test } from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import {
  insertAccount,
  insertFinding,
  insertOrganization,
  OU_DEV,
  OU_PROD,
  ROOT_ID,
  rootArn,
  serveTestApi,
} from '../test-support.ts';

const database = testDatabase(t);

interface Page {
  items: {
    id: string;
    accountId: string;
    checkId: string;
    status: string;
    severity: string;
    muted: boolean;
  }[];
  nextCursor: string | null;
}

/** Accounts: 111… management (root), 222… and 444… in prod, 333… in dev. */
async function fixture(prisma: PrismaClient) {
  await insertOrganization(prisma);
  await insertAccount(prisma, '111111111111', ROOT_ID, { isManagementAccount: true });
  await insertAccount(prisma, '222222222222', OU_PROD);
  await insertAccount(prisma, '333333333333', OU_DEV);
  await insertAccount(prisma, '444444444444', OU_PROD);
  const ids = {
    mgmtMfa: await insertFinding(prisma, {
      accountId: '111111111111',
      checkId: 'root-mfa-enabled',
      status: 'PASS',
      severity: 'critical',
    }),
    prodKeys: await insertFinding(prisma, {
      accountId: '222222222222',
      checkId: 'root-no-access-keys',
      status: 'FAIL',
      severity: 'critical',
      statusChangedAt: new Date('2026-11-20T02:00:00Z'),
    }),
    prodMfa: await insertFinding(prisma, {
      accountId: '222222222222',
      checkId: 'root-mfa-enabled',
      status: 'FAIL',
      severity: 'critical',
      muted: true,
    }),
    devContact: await insertFinding(prisma, {
      accountId: '333333333333',
      checkId: 'security-contact-registered',
      status: 'FAIL',
      severity: 'medium',
    }),
    devTrail: await insertFinding(prisma, {
      accountId: '333333333333',
      checkId: 'cloudtrail-multi-region',
      status: 'ERROR',
      severity: 'high',
    }),
    prod2Scp: await insertFinding(prisma, {
      accountId: '444444444444',
      checkId: 'scp-root-deny',
      status: 'NOT_APPLICABLE',
      severity: 'low',
    }),
  };
  return ids;
}

async function setUp(t: Test) {
  const { prisma } = await database;
  await prisma.finding.deleteMany();
  await prisma.account.deleteMany();
  await prisma.organization.deleteMany();
  const ids = await fixture(prisma);
  const api = await serveTestApi(t, { prisma });
  const list = async (query: string): Promise<string[]> => {
    const response = await api.get(`/v1/findings${query}`);
    t.equal(response.status, 200, query);
    const page = (await response.json()) as Page;
    return page.items.map((item) => item.id).sort();
  };
  return { api, ids, list, prisma };
}

t.test('needs an API key', async (t) => {
  const { api } = await setUp(t);
  t.equal((await api.get('/v1/findings', null)).status, 401);
});

t.test('lists every finding with the SPEC §6 fields', async (t) => {
  const { api, ids } = await setUp(t);
  const response = await api.get('/v1/findings');
  const page = (await response.json()) as Page & { items: Record<string, unknown>[] };
  t.equal(page.items.length, 6);
  t.equal(page.nextCursor, null);
  t.match(
    page.items.find((item) => item.id === ids.prodKeys),
    {
      accountId: '222222222222',
      accountName: 'account-222222222222',
      checkId: 'root-no-access-keys',
      status: 'FAIL',
      severity: 'critical',
      resource: rootArn('222222222222'),
      message: 'root-no-access-keys is FAIL',
      firstSeenAt: '2026-11-20T02:00:00.000Z',
      lastSeenAt: '2026-11-20T02:00:00.000Z',
      statusChangedAt: '2026-11-20T02:00:00.000Z',
      resolvedAt: null,
      muted: false,
      scope: 'account',
    },
  );
});

t.test(
  'a finding whose last evaluation could not answer keeps its status and says when and why',
  async (t) => {
    const { api, ids, prisma } = await setUp(t);
    await prisma.finding.update({
      where: { id: ids.prodKeys },
      data: {
        lastErrorAt: new Date('2026-11-21T02:00:00Z'),
        lastError: 'AccessDenied on iam:GetAccountSummary in 222222222222: the audit role lacks it',
      },
    });
    const page = (await (await api.get('/v1/findings')).json()) as Page & {
      items: Record<string, unknown>[];
    };
    t.match(
      page.items.find((item) => item.id === ids.prodKeys),
      {
        status: 'FAIL',
        lastErrorAt: '2026-11-21T02:00:00.000Z',
        lastError: 'AccessDenied on iam:GetAccountSummary in 222222222222: the audit role lacks it',
      },
    );
    const clean = page.items.find((item) => item.id === ids.mgmtMfa);
    t.equal(clean?.lastErrorAt, null, 'present, null, when the last evaluation answered');
    t.equal(clean?.lastError, null);

    const account = (await (await api.get('/v1/accounts/222222222222')).json()) as {
      findings: Record<string, unknown>[];
    };
    t.match(
      account.findings.find((item) => item.id === ids.prodKeys),
      {
        lastErrorAt: '2026-11-21T02:00:00.000Z',
        lastError: /^AccessDenied on iam:GetAccountSummary/,
      },
    );
  },
);

t.test('each filter', async (t) => {
  const { ids, list } = await setUp(t);
  const sorted = (...values: string[]) => values.sort();
  t.same(await list('?status=FAIL'), sorted(ids.prodKeys, ids.prodMfa, ids.devContact), 'status');
  t.same(await list('?status=ERROR,NOT_APPLICABLE'), sorted(ids.devTrail, ids.prod2Scp), 'status list');
  t.same(await list('?severity=critical'), sorted(ids.mgmtMfa, ids.prodKeys, ids.prodMfa), 'severity');
  t.same(await list('?severity=medium,low'), sorted(ids.devContact, ids.prod2Scp), 'severity list');
  t.same(await list('?check=root-mfa-enabled'), sorted(ids.mgmtMfa, ids.prodMfa), 'check');
  t.same(await list('?account=333333333333'), sorted(ids.devContact, ids.devTrail), 'account');
  t.same(await list('?account=111111111111,444444444444'), sorted(ids.mgmtMfa, ids.prod2Scp), 'account list');
  t.same(await list(`?ou=${OU_PROD}`), sorted(ids.prodKeys, ids.prodMfa, ids.prod2Scp), 'ou');
  t.same((await list(`?ou=${ROOT_ID}`)).length, 6, 'the root holds every account');
  t.same(await list('?muted=true'), [ids.prodMfa], 'muted');
  t.same((await list('?muted=false')).length, 5, 'not muted');
  t.same(await list('?changedSince=2026-11-10T00:00:00Z'), [ids.prodKeys], 'changedSince');
  t.same(
    await list('?changedSince=2026-11-20T03:00:00%2B01:00'),
    [ids.prodKeys],
    'changedSince with an offset',
  );
  t.same(await list(`?status=FAIL&severity=critical&muted=false&ou=${OU_PROD}`), [ids.prodKeys], 'combined');
  t.same(await list('?check=org-all-features'), [], 'no match is an empty page');
});

t.test('bad parameters are 400 with a message naming the parameter', async (t) => {
  const { api } = await setUp(t);
  const allowed = 'status, severity, check, account, ou, muted, changedSince, limit, cursor';
  const cases: [string, string][] = [
    ['?foo=1', `unknown query parameter "foo"; allowed: ${allowed}`],
    ['?foo=1&bar=2', `unknown query parameters "foo", "bar"; allowed: ${allowed}`],
    [
      '?severity=urgent',
      'invalid value for query parameter "severity": expected one of critical, high, medium, low, informational',
    ],
    [
      '?status=FAIL,BROKEN',
      'invalid value for query parameter "status": expected one of PASS, FAIL, ERROR, NOT_APPLICABLE',
    ],
    ['?status=', 'invalid value for query parameter "status": expected at least one value'],
    ['?account=1234', 'invalid value for query parameter "account": expected a 12-digit AWS account id'],
    ['?ou=prod', 'invalid value for query parameter "ou": expected an OU id (ou-…) or a root id (r-…)'],
    [
      '?check=Root_MFA',
      'invalid value for query parameter "check": expected a check id such as root-mfa-enabled',
    ],
    ['?muted=yes', 'invalid value for query parameter "muted": expected one of true, false'],
    [
      '?changedSince=yesterday',
      'invalid value for query parameter "changedSince": expected an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z',
    ],
    ['?limit=0', 'invalid value for query parameter "limit": expected an integer from 1 to 500'],
    ['?limit=501', 'invalid value for query parameter "limit": expected an integer from 1 to 500'],
    ['?limit=ten', 'invalid value for query parameter "limit": expected an integer from 1 to 500'],
    ['?limit=1.5', 'invalid value for query parameter "limit": expected an integer from 1 to 500'],
    [
      '?cursor=bm90LWEtY3Vyc29y',
      'invalid value for query parameter "cursor": not a cursor returned by this endpoint',
    ],
  ];
  for (const [query, message] of cases) {
    const response = await api.get(`/v1/findings${query}`);
    t.equal(response.status, 400, query);
    t.same(await response.json(), { statusCode: 400, error: 'Bad Request', message }, query);
  }
});

t.test('pages through thousands of findings without duplicates or gaps while a scan writes', async (t) => {
  const { api, prisma } = await setUp(t);
  // 20 accounts × 100 findings, then scans through the store's own write path (the worker's):
  // each account's transaction updates all its findings (statuses flip) and creates new ones.
  const accounts = Array.from({ length: 20 }, (_, index) => `5000000000${String(index).padStart(2, '0')}`);
  for (const id of accounts) await insertAccount(prisma, id, OU_DEV);
  const resource = (accountId: string, index: number) => `arn:aws:iam::${accountId}:resource/${index}`;
  await prisma.finding.createMany({
    data: accounts.flatMap((accountId) =>
      Array.from({ length: 100 }, (_, index) => ({
        accountId,
        checkId: 'root-hardware-mfa',
        resource: resource(accountId, index),
        status: index % 2 ? ('FAIL' as const) : ('PASS' as const),
        severity: 'high' as const,
        message: 'seeded',
        firstSeenAt: new Date(),
        lastSeenAt: new Date(),
        statusChangedAt: new Date(),
      })),
    ),
  });
  const before = new Set((await prisma.finding.findMany({ select: { id: true } })).map((row) => row.id));
  t.ok(before.size > 2000, `${before.size} findings before paging`);

  let writing = true;
  let commits = 0;
  let activeScan: string | null = null;
  const writer = (async () => {
    for (let round = 1; writing; round++) {
      const scan = await createScan(prisma, {
        trigger: 'MANUAL',
        accounts: accounts.map((id) => ({ id, status: 'ACTIVE' as const })),
      });
      activeScan = scan.id;
      for (const accountId of accounts) {
        if (!writing) return;
        const results: StoredResult[] = Array.from({ length: 100 + round }, (_, index) => ({
          checkId: 'root-hardware-mfa',
          resource: resource(accountId, index),
          status: (index + round) % 2 ? 'FAIL' : 'PASS',
          severity: 'high',
          message: `round ${round}`,
          evidence: {},
        }));
        await recordAccountResults(prisma, { scanId: scan.id, accountId, results, durationMs: 1 });
        commits++;
      }
      await completeScanIfDone(prisma, scan.id);
      activeScan = null;
    }
  })();

  const seen: string[] = [];
  const commitsAtPage: number[] = [];
  let cursor: string | null = null;
  do {
    const response = await api.get(`/v1/findings?limit=250${cursor ? `&cursor=${cursor}` : ''}`);
    t.equal(response.status, 200);
    const page = (await response.json()) as Page;
    seen.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
    commitsAtPage.push(commits);
    // At least one account transaction commits between two pages.
    const deadline = Date.now() + 10_000;
    while (cursor && commits === commitsAtPage.at(-1) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } while (cursor);
  writing = false;
  await writer;
  if (activeScan) await failScan(prisma, activeScan, 'the test is over');

  t.ok(commitsAtPage.length >= 9, `${commitsAtPage.length} pages`);
  t.ok(
    commitsAtPage.every((count, index) => index === 0 || count > (commitsAtPage[index - 1] ?? 0)),
    `the scan committed between every two pages (${commitsAtPage.join(', ')})`,
  );
  t.equal(new Set(seen).size, seen.length, 'no finding twice');
  const missing = [...before].filter((id) => !seen.includes(id));
  t.same(missing, [], 'every finding that existed when paging started was returned');
  const rewritten = await prisma.finding.count({
    where: { id: { in: [...before] }, message: { startsWith: 'round' } },
  });
  t.ok(rewritten > 0, `${rewritten} of them rewritten by the scan while paging`);
  t.ok((await prisma.finding.count()) > before.size, 'and new findings created meanwhile');
});

t.test('a limit smaller than the result set gives a cursor, the last page none', async (t) => {
  const { api } = await setUp(t);
  const first = (await (await api.get('/v1/findings?limit=4')).json()) as Page;
  t.equal(first.items.length, 4);
  t.type(first.nextCursor, 'string');
  const second = (await (await api.get(`/v1/findings?limit=4&cursor=${first.nextCursor}`)).json()) as Page;
  t.equal(second.items.length, 2);
  t.equal(second.nextCursor, null);
  const filtered = (await (await api.get(`/v1/findings?limit=1&status=FAIL`)).json()) as Page;
  const next = (await (
    await api.get(`/v1/findings?limit=5&status=FAIL&cursor=${filtered.nextCursor}`)
  ).json()) as Page;
  t.equal(
    filtered.items.length + next.items.length,
    3,
    'the cursor keeps the filters of the request it is used with',
  );
});
