import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import {
  insertAccount,
  insertFinding,
  insertOrganization,
  OU_DEV,
  OU_PROD,
  ROOT_ID,
  serveTestApi,
} from '../test-support.ts';

const database = testDatabase(t);

/** 111… management (root, all passing), 222… prod (2 failing, 1 muted), 333… dev suspended, 444… prod clean. */
const setUp = (async () => {
  const { prisma } = await database;
  await insertOrganization(prisma);
  await insertAccount(prisma, '111111111111', ROOT_ID, { isManagementAccount: true });
  await insertAccount(prisma, '222222222222', OU_PROD, { lastScannedAt: new Date('2026-11-22T02:05:00Z') });
  await insertAccount(prisma, '333333333333', OU_DEV, {
    status: 'SUSPENDED',
    skipReason: 'account is SUSPENDED',
  });
  await insertAccount(prisma, '444444444444', OU_PROD);
  await insertFinding(prisma, { accountId: '111111111111', checkId: 'root-mfa-enabled', status: 'PASS' });
  await insertFinding(prisma, {
    accountId: '222222222222',
    checkId: 'root-mfa-enabled',
    status: 'FAIL',
    severity: 'critical',
  });
  await insertFinding(prisma, {
    accountId: '222222222222',
    checkId: 'root-no-access-keys',
    status: 'FAIL',
    severity: 'critical',
  });
  await insertFinding(prisma, {
    accountId: '222222222222',
    checkId: 'guardduty-enabled',
    status: 'FAIL',
    severity: 'medium',
  });
  await insertFinding(prisma, {
    accountId: '222222222222',
    checkId: 'security-contact-registered',
    status: 'FAIL',
    muted: true,
  });
  await insertFinding(prisma, { accountId: '222222222222', checkId: 'root-hardware-mfa', status: 'PASS' });
  await insertFinding(prisma, {
    accountId: '222222222222',
    checkId: 'cloudtrail-multi-region',
    status: 'ERROR',
  });
  await insertFinding(prisma, { accountId: '444444444444', checkId: 'root-mfa-enabled', status: 'PASS' });
  await insertFinding(prisma, {
    accountId: '444444444444',
    checkId: 'root-no-access-keys',
    status: 'FAIL',
    muted: true,
  });
  return { prisma };
})();

async function ids(api: Awaited<ReturnType<typeof serveTestApi>>, query: string): Promise<string[]> {
  const response = await api.get(`/v1/accounts${query}`);
  const body = (await response.json()) as { items: { id: string }[] };
  if (response.status !== 200) throw new Error(`${query}: ${response.status} ${JSON.stringify(body)}`);
  return body.items.map((item) => item.id);
}

t.test('lists accounts with their unmuted failing findings', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  t.equal((await api.get('/v1/accounts', null)).status, 401);
  const page = (await (await api.get('/v1/accounts')).json()) as {
    items: Record<string, unknown>[];
    nextCursor: null;
  };
  t.same(
    page.items.map((item) => [item.id, item.failingFindings]),
    [
      ['111111111111', 0],
      ['222222222222', 3],
      ['333333333333', 0],
      ['444444444444', 0],
    ],
  );
  t.match(page.items[1], {
    name: 'account-222222222222',
    email: 'aws+222222222222@example.com',
    status: 'ACTIVE',
    ouId: OU_PROD,
    ouPath: `/${ROOT_ID}/${OU_PROD}/`,
    lastScannedAt: '2026-11-22T02:05:00.000Z',
    isManagementAccount: false,
  });
  t.equal(page.nextCursor, null);
});

t.test("each account's worst failing severity, muted findings aside", async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const page = (await (await api.get('/v1/accounts')).json()) as {
    items: { id: string; worstFailingSeverity: string | null }[];
  };
  t.same(
    page.items.map((item) => [item.id, item.worstFailingSeverity]),
    [
      ['111111111111', null],
      ['222222222222', 'critical'],
      ['333333333333', null],
      ['444444444444', null],
    ],
    '444… has only a muted FAIL',
  );
  const detail = (await (await api.get('/v1/accounts/222222222222')).json()) as Record<string, unknown>;
  t.equal(detail.worstFailingSeverity, 'critical');
});

t.test('each filter, and pagination', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  t.same(await ids(api, `?ou=${OU_PROD}`), ['222222222222', '444444444444']);
  t.same(await ids(api, `?ou=${ROOT_ID}`), ['111111111111', '222222222222', '333333333333', '444444444444']);
  t.same(await ids(api, '?status=SUSPENDED'), ['333333333333']);
  t.same(await ids(api, '?status=ACTIVE,SUSPENDED&ou=ou-ab12-dev00001'), ['333333333333']);
  t.same(await ids(api, '?failing=true'), ['222222222222'], 'a muted FAIL does not count');
  t.same(await ids(api, '?failing=false'), ['111111111111', '333333333333', '444444444444']);
  const first = (await (await api.get('/v1/accounts?limit=3')).json()) as { nextCursor: string };
  t.same(await ids(api, `?limit=3&cursor=${first.nextCursor}`), ['444444444444']);
  for (const [query, message] of [
    ['?failing=maybe', 'invalid value for query parameter "failing": expected one of true, false'],
    [
      '?status=GONE',
      'invalid value for query parameter "status": expected one of ACTIVE, SUSPENDED, PENDING_ACTIVATION, PENDING_CLOSURE, CLOSED',
    ],
    ['?account=1', 'unknown query parameter "account"; allowed: ou, status, failing, limit, cursor'],
  ] as const) {
    const response = await api.get(`/v1/accounts${query}`);
    t.equal(response.status, 400, query);
    t.same(await response.json(), { statusCode: 400, error: 'Bad Request', message }, query);
  }
});

t.test("one account's posture and findings", async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const response = await api.get('/v1/accounts/222222222222');
  t.equal(response.status, 200);
  const body = (await response.json()) as Record<string, unknown> & {
    findings: { checkId: string; muted: boolean }[];
  };
  t.match(body, {
    id: '222222222222',
    failingFindings: 3,
    posture: {
      byStatus: { PASS: 1, FAIL: 3, ERROR: 1, NOT_APPLICABLE: 0 },
      failingBySeverity: { critical: 2, high: 0, medium: 1, low: 0, informational: 0 },
      muted: 1,
      passRate: 0.25,
    },
  });
  t.same(
    body.findings.map((finding) => finding.checkId),
    [
      'cloudtrail-multi-region',
      'guardduty-enabled',
      'root-hardware-mfa',
      'root-mfa-enabled',
      'root-no-access-keys',
      'security-contact-registered',
    ],
    'every finding, muted ones flagged',
  );
  t.equal(body.findings.find((finding) => finding.checkId === 'security-contact-registered')?.muted, true);
  const empty = (await (await api.get('/v1/accounts/333333333333')).json()) as {
    posture: { passRate: null };
  };
  t.equal(empty.posture.passRate, null, 'no evaluated findings, no pass rate');
});

t.test('404 for an unknown account, 400 for a malformed id', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const missing = await api.get('/v1/accounts/999999999999');
  t.equal(missing.status, 404);
  t.same(await missing.json(), { statusCode: 404, error: 'Not Found', message: 'no account 999999999999' });
  const malformed = await api.get('/v1/accounts/12345');
  t.equal(malformed.status, 400);
  t.same(await malformed.json(), {
    statusCode: 400,
    error: 'Bad Request',
    message: 'invalid value for path parameter "id": expected a 12-digit AWS account id',
  });
});
