import t, { type Test } from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import {
  insertAccount,
  insertFinding,
  insertOrganization,
  OU_DEV,
  OU_PROD,
  serveTestApi,
} from '../test-support.ts';

const database = testDatabase(t);

async function setUp(t: Test) {
  const { prisma } = await database;
  await prisma.suppression.deleteMany();
  await prisma.finding.deleteMany();
  await prisma.account.deleteMany();
  await prisma.organization.deleteMany();
  await insertOrganization(prisma);
  await insertAccount(prisma, '222222222222', OU_PROD);
  await insertAccount(prisma, '333333333333', OU_DEV);
  const findings = {
    prodGuardduty: await insertFinding(prisma, {
      accountId: '222222222222',
      checkId: 'guardduty-enabled',
      status: 'FAIL',
    }),
    devGuardduty: await insertFinding(prisma, {
      accountId: '333333333333',
      checkId: 'guardduty-enabled',
      status: 'FAIL',
    }),
    devMfa: await insertFinding(prisma, {
      accountId: '333333333333',
      checkId: 'root-mfa-enabled',
      status: 'FAIL',
    }),
  };
  const api = await serveTestApi(t, { prisma });
  const muted = async () =>
    (await prisma.finding.findMany({ where: { muted: true }, select: { id: true } }))
      .map((row) => row.id)
      .sort();
  return { api, prisma, findings, muted };
}

t.test('creating a suppression mutes the findings it matches, at once', async (t) => {
  const { api, findings, muted } = await setUp(t);
  const byCheck = await api.send('POST', '/v1/suppressions', {
    checkId: 'guardduty-enabled',
    reason: 'GuardDuty is delegated to the security account',
  });
  t.equal(byCheck.status, 201);
  t.match(await byCheck.json(), {
    id: String,
    checkId: 'guardduty-enabled',
    accountId: null,
    reason: 'GuardDuty is delegated to the security account',
    author: 'api-key:test-write',
    expiresAt: null,
    expired: false,
    mutedFindings: 2,
  });
  t.same(await muted(), [findings.prodGuardduty, findings.devGuardduty].sort());
  const both = await api.send('POST', '/v1/suppressions', {
    checkId: 'root-mfa-enabled',
    accountId: '333333333333',
    reason: 'sandbox, closing next week',
    expiresAt: '2099-01-01T00:00:00Z',
  });
  t.equal(both.status, 201);
  t.match(await both.json(), { mutedFindings: 1, expiresAt: '2099-01-01T00:00:00.000Z' });
  const listed = (await (await api.get('/v1/suppressions')).json()) as { items: { checkId: string }[] };
  t.same(
    listed.items.map((item) => item.checkId),
    ['guardduty-enabled', 'root-mfa-enabled'],
  );
  const muteFiltered = (await (await api.get('/v1/findings?muted=true')).json()) as { items: unknown[] };
  t.equal(muteFiltered.items.length, 3, 'the findings API shows them muted');
});

t.test('deleting a suppression unmutes what no other suppression covers', async (t) => {
  const { api, findings, muted } = await setUp(t);
  const byAccount = (await (
    await api.send('POST', '/v1/suppressions', { accountId: '333333333333', reason: 'sandbox' })
  ).json()) as { id: string };
  const byCheck = (await (
    await api.send('POST', '/v1/suppressions', { checkId: 'guardduty-enabled', reason: 'delegated' })
  ).json()) as { id: string };
  t.same(await muted(), Object.values(findings).sort());
  t.equal((await api.send('DELETE', `/v1/suppressions/${byAccount.id}`)).status, 204);
  t.same(
    await muted(),
    [findings.prodGuardduty, findings.devGuardduty].sort(),
    'dev guardduty stays muted by check',
  );
  t.equal((await api.send('DELETE', `/v1/suppressions/${byCheck.id}`)).status, 204);
  t.same(await muted(), []);
  const again = await api.send('DELETE', `/v1/suppressions/${byCheck.id}`);
  t.equal(again.status, 404);
  t.same(await again.json(), {
    statusCode: 404,
    error: 'Not Found',
    message: `no suppression ${byCheck.id}`,
  });
  t.equal((await api.send('DELETE', '/v1/suppressions/not-a-uuid')).status, 400);
});

// Its findings come back through the scheduler's timer: apps/scheduler/src/mute-refresh.test.ts.
t.test('an expired suppression is listed as expired and kept', async (t) => {
  const { api, prisma, findings, muted } = await setUp(t);
  const expiresAt = new Date(Date.now() + 1500).toISOString();
  const created = await api.send('POST', '/v1/suppressions', {
    checkId: 'root-mfa-enabled',
    reason: 'until the hardware key arrives',
    expiresAt,
  });
  t.equal(created.status, 201);
  t.same(await muted(), [findings.devMfa]);
  await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 50));
  const expired = (await (await api.get('/v1/suppressions?expired=true')).json()) as {
    items: { expired: boolean }[];
  };
  t.same(
    expired.items.map((item) => item.expired),
    [true],
  );
  const inForce = (await (await api.get('/v1/suppressions?expired=false')).json()) as { items: unknown[] };
  t.same(inForce.items, []);
  t.ok(await prisma.suppression.count(), 'the suppression itself is kept as history');
});

t.test('writes need the write scope; bad bodies are 400 naming the field', async (t) => {
  const { api, muted } = await setUp(t);
  const readKey = await api.key('read');
  const forbidden = await api.send(
    'POST',
    '/v1/suppressions',
    { checkId: 'guardduty-enabled', reason: 'x' },
    readKey,
  );
  t.equal(forbidden.status, 403);
  t.equal(
    (await api.send('DELETE', '/v1/suppressions/0190a000-0000-7000-8000-000000000000', undefined, readKey))
      .status,
    403,
  );
  const cases: [unknown, string][] = [
    [
      { reason: 'everything' },
      'a suppression needs "checkId", "accountId" or both (muting everything is refused)',
    ],
    [
      { checkId: 'root-is-happy', reason: 'x' },
      'invalid value for field "checkId": no check "root-is-happy"',
    ],
    [
      { accountId: '999999999999', reason: 'x' },
      'invalid value for field "accountId": no account 999999999999',
    ],
    [
      { accountId: '12', reason: 'x' },
      'invalid value for field "accountId": expected a 12-digit AWS account id',
    ],
    [{ checkId: 'guardduty-enabled', reason: ' ' }, 'invalid value for field "reason": a reason is required'],
    [
      { checkId: 'guardduty-enabled', reason: 'x', expiresAt: '2020-01-01T00:00:00Z' },
      'invalid value for field "expiresAt": must be in the future',
    ],
    [
      { checkId: 'guardduty-enabled', reason: 'x', author: 'me' },
      'unknown field "author"; allowed: checkId, accountId, reason, expiresAt',
    ],
  ];
  for (const [body, message] of cases) {
    const response = await api.send('POST', '/v1/suppressions', body);
    t.equal(response.status, 400, JSON.stringify(body));
    t.same(await response.json(), { statusCode: 400, error: 'Bad Request', message }, JSON.stringify(body));
  }
  t.same(await muted(), [], 'nothing was written');
});
