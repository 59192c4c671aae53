import type { Organization, OrganizationAccount } from '@rootaudit/checks';
import type { PrismaClient } from '@rootaudit/db';
import t, { type Test } from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { freezableClient } from '../../../test/support/frozen-commit.ts';
import {
  addAccountScans,
  completeScanIfDone,
  createScan,
  failScan,
  failStalledScans,
  markAccountScanRunning,
  organizationalUnitPaths,
  persistOrganization,
  recordAccountResults,
  recordOrganizationResults,
  ScanAlreadyActiveError,
  type StoredResult,
  scanOrganizationEvidence,
  storeScanOrganizationEvidence,
} from './index.ts';

const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const OTHER = '333333333333';
const SUSPENDED = '444444444444';

function account(id: string, parentId: string, status: OrganizationAccount['status'] = 'ACTIVE') {
  return {
    id,
    arn: `arn:aws:organizations::${MANAGEMENT}:account/o-test/${id}`,
    name: `account-${id}`,
    email: `root+${id}@example.com`,
    status,
    joinedAt: '2024-01-01T00:00:00.000Z',
    parentId,
  } satisfies OrganizationAccount;
}

function organization(accounts: OrganizationAccount[]): Organization {
  return {
    id: 'o-test',
    arn: `arn:aws:organizations::${MANAGEMENT}:organization/o-test`,
    partition: 'aws',
    featureSet: 'ALL',
    managementAccountId: MANAGEMENT,
    rootId: 'r-root',
    accounts,
    organizationalUnits: [
      { id: 'ou-prod', arn: 'arn:ou-prod', name: 'Prod', parentId: 'r-root' },
      { id: 'ou-web', arn: 'arn:ou-web', name: 'Web', parentId: 'ou-prod' },
      { id: 'ou-closed', arn: 'arn:ou-closed', name: 'Closed', parentId: 'r-root' },
    ],
    trustedServices: [],
  };
}

const standardOrganization = () =>
  organization([
    account(MANAGEMENT, 'r-root'),
    account(MEMBER, 'ou-web'),
    account(OTHER, 'ou-prod'),
    account(SUSPENDED, 'ou-closed', 'SUSPENDED'),
  ]);

const rootArn = (id: string) => `arn:aws:iam::${id}:root`;

function result(checkId: string, status: StoredResult['status'], resource = rootArn(MEMBER)): StoredResult {
  return {
    checkId,
    status,
    severity: 'high',
    resource,
    message: `${checkId} is ${status}`,
    evidence: { status },
  };
}

async function seeded(t: Test) {
  const { prisma } = await testDatabase(t);
  await persistOrganization(prisma, { organization: { ok: true, value: standardOrganization() } });
  return prisma;
}

/** A RUNNING scan over the standard organization, with one worker pass over MEMBER. */
async function scanWith(prisma: PrismaClient, results: StoredResult[], at: Date) {
  const scan = await createScan(prisma, {
    trigger: 'MANUAL',
    accounts: standardOrganization().accounts,
    now: at,
  });
  await markAccountScanRunning(prisma, { scanId: scan.id, accountId: MEMBER, now: at });
  await recordAccountResults(prisma, { scanId: scan.id, accountId: MEMBER, results, durationMs: 5, now: at });
  for (const id of [MANAGEMENT, OTHER]) {
    await recordAccountResults(prisma, {
      scanId: scan.id,
      accountId: id,
      results: [],
      durationMs: 1,
      now: at,
    });
  }
  return completeScanIfDone(prisma, scan.id, { now: at });
}

const finding = (prisma: PrismaClient, checkId: string) =>
  prisma.finding.findUniqueOrThrow({
    where: { accountId_checkId_resource: { accountId: MEMBER, checkId, resource: rootArn(MEMBER) } },
  });

const day = (n: number) => new Date(Date.UTC(2026, 10, n, 2));

t.test('OU paths run from the root with both ends', async (t) => {
  const paths = organizationalUnitPaths(standardOrganization());
  t.equal(paths.get('r-root'), '/r-root/');
  t.equal(paths.get('ou-web'), '/r-root/ou-prod/ou-web/');
});

t.test('persistOrganization upserts the organization, OUs with paths and accounts', async (t) => {
  const { prisma } = await testDatabase(t);
  const persisted = await persistOrganization(prisma, {
    organization: { ok: true, value: standardOrganization() },
    organizationFeatures: { ok: true, value: { rootCredentialsManagement: true, rootSessions: false } },
  });
  t.same(persisted.leftAccountIds, []);
  const org = await prisma.organization.findUniqueOrThrow({ where: { id: 'o-test' } });
  t.same(org.enabledFeatures, ['RootCredentialsManagement']);
  t.equal(org.managementAccountEmail, `root+${MANAGEMENT}@example.com`);
  const web = await prisma.organizationalUnit.findUniqueOrThrow({ where: { id: 'ou-web' } });
  t.equal(web.path, '/r-root/ou-prod/ou-web/');
  t.equal(web.parentId, 'ou-prod');
  const member = await prisma.account.findUniqueOrThrow({ where: { id: MEMBER } });
  t.equal(member.ouPath, '/r-root/ou-prod/ou-web/');
  t.equal(member.skipReason, null);
  const suspended = await prisma.account.findUniqueOrThrow({ where: { id: SUSPENDED } });
  t.match(suspended.skipReason, /SUSPENDED/);
  t.ok((await prisma.account.findUniqueOrThrow({ where: { id: MANAGEMENT } })).isManagementAccount);
});

t.test(
  'persistOrganization marks accounts that left, keeps them, and unmarks one that returns',
  async (t) => {
    const prisma = await seeded(t);
    const without = standardOrganization();
    without.accounts = without.accounts.filter((a) => a.id !== OTHER);
    const persisted = await persistOrganization(
      prisma,
      { organization: { ok: true, value: without } },
      { now: day(2) },
    );
    t.same(persisted.leftAccountIds, [OTHER]);
    const left = await prisma.account.findUniqueOrThrow({ where: { id: OTHER } });
    t.same(left.leftOrganizationAt, day(2));
    // Again: already marked, the date stays.
    const again = await persistOrganization(
      prisma,
      { organization: { ok: true, value: without } },
      { now: day(3) },
    );
    t.same(again.leftAccountIds, []);
    t.same((await prisma.account.findUniqueOrThrow({ where: { id: OTHER } })).leftOrganizationAt, day(2));
    await persistOrganization(prisma, { organization: { ok: true, value: standardOrganization() } });
    t.equal((await prisma.account.findUniqueOrThrow({ where: { id: OTHER } })).leftOrganizationAt, null);
    t.equal(await prisma.account.count(), 4);
  },
);

t.test(
  'persistOrganization of a read limited to some accounts updates those, marks only those asked for and not found, drops no OU',
  async (t) => {
    const prisma = await seeded(t);
    const before = await prisma.organization.findUniqueOrThrow({ where: { id: 'o-test' } });
    const whole = standardOrganization();
    // Read for MEMBER (renamed since) and OTHER, which DescribeAccount no longer knows.
    const scoped: Organization = {
      ...whole,
      accounts: [{ ...account(MEMBER, 'ou-web'), name: 'payments' }],
      organizationalUnits: whole.organizationalUnits.filter((unit) => unit.id !== 'ou-closed'),
      scope: { accountIds: [MEMBER, OTHER] },
    };
    const persisted = await persistOrganization(
      prisma,
      { organization: { ok: true, value: scoped } },
      { now: day(2) },
    );
    t.same(persisted.leftAccountIds, [OTHER], 'asked for and not found: gone');
    t.same(persisted.accounts, [{ id: MEMBER, status: 'ACTIVE' }]);
    t.equal((await prisma.account.findUniqueOrThrow({ where: { id: MEMBER } })).name, 'payments');
    for (const id of [MANAGEMENT, SUSPENDED]) {
      const kept = await prisma.account.findUniqueOrThrow({ where: { id } });
      t.equal(kept.leftOrganizationAt, null, `${id}, not read, is not taken for gone`);
    }
    t.ok(
      await prisma.organizationalUnit.findUnique({ where: { id: 'ou-closed' } }),
      'an OU it did not read stays',
    );
    t.equal((await prisma.account.findUniqueOrThrow({ where: { id: SUSPENDED } })).ouId, 'ou-closed');
    const after = await prisma.organization.findUniqueOrThrow({ where: { id: 'o-test' } });
    t.equal(
      after.managementAccountEmail,
      `root+${MANAGEMENT}@example.com`,
      'the email it did not read stays',
    );
    t.same(after.discoveredAt, before.discoveredAt, 'a scoped read is no discovery of the organization');
  },
);

t.test('persistOrganization refuses an organization that could not be read', async (t) => {
  const { prisma } = await testDatabase(t);
  await t.rejects(
    persistOrganization(prisma, {
      organization: {
        ok: false,
        error: { action: 'organizations:ListAccounts', code: 'AccessDenied', message: 'no' },
      },
    }),
    /AccessDenied on organizations:ListAccounts/,
  );
  t.equal(await prisma.organization.count(), 0);
});

t.test('createScan: PENDING for ACTIVE accounts, SKIPPED with the reason otherwise', async (t) => {
  const prisma = await seeded(t);
  const scan = await createScan(prisma, { trigger: 'SCHEDULED', accounts: standardOrganization().accounts });
  t.equal(scan.status, 'RUNNING');
  t.equal(scan.accountsTotal, 3);
  t.equal(scan.accountsSkipped, 1);
  t.ok(scan.startedAt);
  const rows = await prisma.accountScan.findMany({
    where: { scanId: scan.id },
    orderBy: { accountId: 'asc' },
  });
  t.same(
    rows.map((row) => [row.accountId, row.status]),
    [
      [MANAGEMENT, 'PENDING'],
      [MEMBER, 'PENDING'],
      [OTHER, 'PENDING'],
      [SUSPENDED, 'SKIPPED'],
    ],
  );
  t.match(rows[3]?.error, /SUSPENDED/);
});

t.test('every account state but ACTIVE is stored with its own reason and skipped by a scan', async (t) => {
  const { prisma } = await testDatabase(t);
  const states = ['PENDING_ACTIVATION', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'] as const;
  const ids = ['555555555555', '666666666666', '777777777777', '888888888888'];
  const accounts = [
    account(MANAGEMENT, 'r-root'),
    ...states.map((state, i) => account(ids[i] ?? '', 'ou-closed', state)),
  ];
  await persistOrganization(prisma, { organization: { ok: true, value: organization(accounts) } });
  const scan = await createScan(prisma, { trigger: 'SCHEDULED', accounts });
  t.equal(scan.accountsTotal, 1);
  t.equal(scan.accountsSkipped, 4);
  for (const [i, state] of states.entries()) {
    const id = ids[i] ?? '';
    const stored = await prisma.account.findUniqueOrThrow({ where: { id } });
    t.equal(stored.status, state);
    t.match(stored.skipReason, new RegExp(`the account is ${state}:`));
    const row = await prisma.accountScan.findFirstOrThrow({ where: { scanId: scan.id, accountId: id } });
    t.equal(row.status, 'SKIPPED', state);
    t.equal(row.error, stored.skipReason, state);
  }
});

t.test('addAccountScans twice adds nothing twice and returns what is still to scan', async (t) => {
  const prisma = await seeded(t);
  const queued = await createScan(prisma, { trigger: 'MANUAL' });
  t.equal(queued.status, 'QUEUED');
  const first = await addAccountScans(prisma, queued.id, standardOrganization().accounts);
  t.same(first.pendingAccountIds, [MANAGEMENT, MEMBER, OTHER]);
  await recordAccountResults(prisma, { scanId: queued.id, accountId: MEMBER, results: [], durationMs: 1 });
  const second = await addAccountScans(prisma, queued.id, standardOrganization().accounts);
  t.same(second.pendingAccountIds, [MANAGEMENT, OTHER]);
  t.equal(await prisma.accountScan.count({ where: { scanId: queued.id } }), 4);
  t.equal(second.scan.accountsTotal, 3);
});

t.test('one active scan at a time: a second createScan names the running one', async (t) => {
  const prisma = await seeded(t);
  const running = await createScan(prisma, {
    trigger: 'SCHEDULED',
    accounts: standardOrganization().accounts,
  });
  const error = await createScan(prisma, { trigger: 'MANUAL' }).catch((e: unknown) => e);
  t.ok(error instanceof ScanAlreadyActiveError);
  t.equal((error as ScanAlreadyActiveError).scan.id, running.id);
});

t.test('finding lifecycle: new, still failing, resolved, reopened', async (t) => {
  const prisma = await seeded(t);
  // Scan 1: a new FAIL.
  const first = await scanWith(prisma, [result('root-mfa-enabled', 'FAIL')], day(1));
  t.equal(first?.status, 'SUCCEEDED');
  let mfa = await finding(prisma, 'root-mfa-enabled');
  t.equal(mfa.status, 'FAIL');
  t.same([mfa.firstSeenAt, mfa.lastSeenAt, mfa.statusChangedAt], [day(1), day(1), day(1)]);
  t.equal(mfa.resolvedAt, null);

  // Scan 2: still failing, with a new message and severity.
  await scanWith(
    prisma,
    [{ ...result('root-mfa-enabled', 'FAIL'), severity: 'critical', message: 'worse' }],
    day(2),
  );
  mfa = await finding(prisma, 'root-mfa-enabled');
  t.same([mfa.firstSeenAt, mfa.lastSeenAt, mfa.statusChangedAt], [day(1), day(2), day(1)]);
  t.equal(mfa.severity, 'critical');
  t.equal(mfa.message, 'worse');

  // Scan 3: FAIL → PASS resolves.
  await scanWith(prisma, [result('root-mfa-enabled', 'PASS')], day(3));
  mfa = await finding(prisma, 'root-mfa-enabled');
  t.equal(mfa.status, 'PASS');
  t.same([mfa.resolvedAt, mfa.statusChangedAt, mfa.lastSeenAt], [day(3), day(3), day(3)]);

  // Scan 4: still passing: nothing but lastSeenAt moves.
  await scanWith(prisma, [result('root-mfa-enabled', 'PASS')], day(4));
  mfa = await finding(prisma, 'root-mfa-enabled');
  t.same([mfa.resolvedAt, mfa.statusChangedAt, mfa.lastSeenAt], [day(3), day(3), day(4)]);

  // Scan 5: resolved → FAIL reopens.
  await scanWith(prisma, [result('root-mfa-enabled', 'FAIL')], day(5));
  mfa = await finding(prisma, 'root-mfa-enabled');
  t.equal(mfa.status, 'FAIL');
  t.equal(mfa.resolvedAt, null);
  t.same(mfa.reopenedAt, day(5));
  t.equal(mfa.reopenCount, 1);
  t.same([mfa.firstSeenAt, mfa.statusChangedAt], [day(1), day(5)]);
});

t.test('a PASS that never failed and then FAILs is a status change, not a reopening', async (t) => {
  const prisma = await seeded(t);
  await scanWith(prisma, [result('root-no-access-keys', 'PASS')], day(1));
  await scanWith(prisma, [result('root-no-access-keys', 'FAIL')], day(2));
  const keys = await finding(prisma, 'root-no-access-keys');
  t.equal(keys.status, 'FAIL');
  t.equal(keys.reopenCount, 0);
  t.equal(keys.reopenedAt, null);
  t.same(keys.statusChangedAt, day(2));
});

t.test('FAIL → NOT_APPLICABLE resolves; FAIL → ERROR does not', async (t) => {
  const prisma = await seeded(t);
  await scanWith(prisma, [result('a', 'FAIL'), result('b', 'FAIL')], day(1));
  await scanWith(prisma, [result('a', 'NOT_APPLICABLE'), result('b', 'ERROR')], day(2));
  t.same((await finding(prisma, 'a')).resolvedAt, day(2));
  const b = await finding(prisma, 'b');
  t.equal(b.resolvedAt, null);
  t.equal(b.status, 'FAIL', 'the last known status is kept');
  t.same(b.statusChangedAt, day(1));
});

t.test('an ERROR keeps the last known status and records when and why the evaluation failed', async (t) => {
  const prisma = await seeded(t);
  await scanWith(prisma, [result('failing', 'FAIL'), result('passing', 'PASS')], day(1));
  const error = (checkId: string): StoredResult => ({
    ...result(checkId, 'ERROR'),
    message: `AccessDenied on iam:GetAccountSummary in ${MEMBER}: the audit role lacks it`,
    evidence: { error: 'AccessDenied' },
  });
  await scanWith(prisma, [error('failing'), error('passing')], day(2));
  for (const [checkId, status] of [
    ['failing', 'FAIL'],
    ['passing', 'PASS'],
  ] as const) {
    const row = await finding(prisma, checkId);
    t.equal(row.status, status, `${checkId}: status kept`);
    t.equal(row.message, `${checkId} is ${status}`, `${checkId}: message of the last answer kept`);
    t.same(row.evidence, { status }, `${checkId}: evidence of the last answer kept`);
    t.same([row.lastSeenAt, row.statusChangedAt], [day(1), day(1)], `${checkId}: not seen, not changed`);
    t.same(row.lastErrorAt, day(2));
    t.match(row.lastError, /AccessDenied on iam:GetAccountSummary/);
    t.equal(row.resolvedAt, null);
  }

  // The next answer clears the error and is compared with the kept status.
  await scanWith(prisma, [result('failing', 'FAIL'), result('passing', 'PASS')], day(3));
  for (const checkId of ['failing', 'passing']) {
    const row = await finding(prisma, checkId);
    t.equal(row.lastErrorAt, null, `${checkId}: error cleared`);
    t.equal(row.lastError, null);
    t.same([row.lastSeenAt, row.statusChangedAt], [day(3), day(1)]);
    t.equal(row.reopenCount, 0);
    t.equal(row.resolvedAt, null);
  }
});

t.test('FAIL, ERROR, FAIL: no failure announced again, nothing reopened', async (t) => {
  const prisma = await seeded(t);
  const record = async (status: StoredResult['status'], at: Date) => {
    const scan = await createScan(prisma, {
      trigger: 'MANUAL',
      accounts: standardOrganization().accounts,
      now: at,
    });
    const recorded = await recordAccountResults(prisma, {
      scanId: scan.id,
      accountId: MEMBER,
      results: [result('root-mfa-enabled', status)],
      durationMs: 1,
      now: at,
    });
    await failScan(prisma, scan.id, 'test ends the scan', { now: at });
    return { transitions: recorded.transitions.map((transition) => transition.kind), ...recorded.findings };
  };
  t.same((await record('FAIL', day(1))).transitions, ['failed']);
  t.same(await record('ERROR', day(2)), {
    transitions: [],
    created: 0,
    resolved: 0,
    reopened: 0,
    changed: 0,
  });
  t.same(await record('FAIL', day(3)), { transitions: [], created: 0, resolved: 0, reopened: 0, changed: 0 });
  // Resolved, then ERROR, then FAIL: that FAIL is a real reopening after the PASS kept.
  t.same((await record('PASS', day(4))).transitions, ['resolved']);
  t.same((await record('ERROR', day(5))).transitions, []);
  t.same(await record('FAIL', day(6)), {
    transitions: ['failed'],
    created: 0,
    resolved: 0,
    reopened: 1,
    changed: 1,
  });
  const mfa = await finding(prisma, 'root-mfa-enabled');
  t.equal(mfa.reopenCount, 1);
  t.same(mfa.reopenedAt, day(6));
});

t.test('a finding first evaluated ERROR is stored ERROR; its first answer is a status change', async (t) => {
  const prisma = await seeded(t);
  await scanWith(prisma, [result('a', 'ERROR'), result('b', 'ERROR')], day(1));
  const a = await finding(prisma, 'a');
  t.equal(a.status, 'ERROR');
  t.same(a.lastErrorAt, day(1));
  t.equal(a.lastError, 'a is ERROR');
  await scanWith(prisma, [result('a', 'FAIL'), result('b', 'PASS')], day(2));
  const [after, b] = [await finding(prisma, 'a'), await finding(prisma, 'b')];
  t.equal(after.status, 'FAIL');
  t.equal(after.lastErrorAt, null);
  t.equal(after.reopenCount, 0);
  t.equal(b.status, 'PASS');
  t.equal(b.resolvedAt, null, 'ERROR → PASS resolves nothing: it never failed');
});

t.test('a re-delivered account writes nothing twice', async (t) => {
  const prisma = await seeded(t);
  const scan = await createScan(prisma, { trigger: 'MANUAL', accounts: standardOrganization().accounts });
  const results = [result('root-mfa-enabled', 'FAIL'), result('root-no-access-keys', 'PASS')];
  const input = { scanId: scan.id, accountId: MEMBER, results, durationMs: 7, now: day(1) };
  const first = await recordAccountResults(prisma, input);
  t.equal(first.applied, true);
  t.same(first.findings, { created: 2, resolved: 0, reopened: 0, changed: 0 });
  // The redelivery, concurrently twice, and later: nothing changes.
  const again = await Promise.all([
    recordAccountResults(prisma, { ...input, now: day(2) }),
    recordAccountResults(prisma, { ...input, now: day(2), error: 'late failure' }),
  ]);
  t.same(
    again.map((r) => r.applied),
    [false, false],
  );
  t.equal(await markAccountScanRunning(prisma, { scanId: scan.id, accountId: MEMBER }), false);
  t.equal(await prisma.checkResult.count({ where: { scanId: scan.id } }), 2);
  const after = await prisma.scan.findUniqueOrThrow({ where: { id: scan.id } });
  t.equal(after.accountsDone, 1);
  t.equal(after.resultsFail, 1);
  t.equal(after.resultsPass, 1);
  const row = await prisma.accountScan.findUniqueOrThrow({
    where: { scanId_accountId: { scanId: scan.id, accountId: MEMBER } },
  });
  t.equal(row.status, 'SUCCEEDED');
  t.equal(row.error, null);
  t.same((await finding(prisma, 'root-mfa-enabled')).lastSeenAt, day(1));
});

t.test('concurrent first deliveries of one account: exactly one applies', async (t) => {
  const prisma = await seeded(t);
  const scan = await createScan(prisma, { trigger: 'MANUAL', accounts: standardOrganization().accounts });
  const input = { scanId: scan.id, accountId: MEMBER, results: [result('x', 'FAIL')], durationMs: 1 };
  const outcomes = await Promise.all([1, 2, 3].map(() => recordAccountResults(prisma, input)));
  t.equal(outcomes.filter((o) => o.applied).length, 1);
  t.equal((await prisma.scan.findUniqueOrThrow({ where: { id: scan.id } })).accountsDone, 1);
});

/** Resolves when some session waits on a lock held by the server process `pid`; stops on `done`. */
async function blockedBy(prisma: PrismaClient, pid: number, done: { settled: boolean }): Promise<void> {
  while (!done.settled) {
    const [row] = await prisma.$queryRaw<{ waiting: number }[]>`
      SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE ${pid}::int = ANY(pg_blocking_pids(pid))`;
    if ((row?.waiting ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return new Promise(() => {});
}

t.test('an account transaction frozen before its COMMIT keeps no other account waiting', async (t) => {
  const { url, prisma } = await testDatabase(t);
  await persistOrganization(prisma, { organization: { ok: true, value: standardOrganization() } });
  const scan = await createScan(prisma, { trigger: 'MANUAL', accounts: standardOrganization().accounts });
  const frozen = freezableClient(url);
  t.teardown(() => frozen.close());
  const calls = { iam: { calls: 2, errors: 0, throttles: 0 } };

  const heldCommit = frozen.nextCommitFrozen();
  const member = recordAccountResults(frozen.prisma, {
    scanId: scan.id,
    accountId: MEMBER,
    results: [result('root-mfa-enabled', 'FAIL')],
    durationMs: 1,
    awsCalls: calls,
  });
  const { pid, release } = await heldCommit;
  const done = { settled: false };
  const other = recordAccountResults(prisma, {
    scanId: scan.id,
    accountId: OTHER,
    results: [result('root-mfa-enabled', 'PASS', rootArn(OTHER))],
    durationMs: 1,
    awsCalls: calls,
  });
  // Whichever comes first: the other account recorded, or a session waiting on the frozen one.
  const outcome = await Promise.race([
    other.then(() => 'recorded'),
    blockedBy(prisma, pid, done).then(() => 'waits on the frozen transaction'),
  ]);
  done.settled = true;
  release();
  t.equal(outcome, 'recorded');
  await Promise.all([member, other]);

  await recordAccountResults(prisma, { scanId: scan.id, accountId: MANAGEMENT, results: [], durationMs: 1 });
  const running = await prisma.scan.findUniqueOrThrow({ where: { id: scan.id } });
  t.match(
    running,
    { accountsDone: 3, accountsFailed: 0, resultsFail: 1, resultsPass: 1 },
    'counted once each',
  );
  const finished = await completeScanIfDone(prisma, scan.id);
  t.match(finished, { status: 'SUCCEEDED', accountsDone: 3, resultsFail: 1, resultsPass: 1 });
  const iam = await prisma.awsCallTotal.findUniqueOrThrow({ where: { service: 'iam' } });
  t.equal(Number(iam.calls), 4);
});

t.test('an account whose counting was lost after its commit is counted by the re-delivery', async (t) => {
  const prisma = await seeded(t);
  const scan = await createScan(prisma, { trigger: 'MANUAL', accounts: standardOrganization().accounts });
  const input = {
    scanId: scan.id,
    accountId: MEMBER,
    results: [result('root-mfa-enabled', 'FAIL'), result('root-no-access-keys', 'ERROR')],
    durationMs: 1,
    awsCalls: { iam: { calls: 3, errors: 1, throttles: 0 } },
    error: 'AccessDenied on iam:ListVirtualMFADevices',
  };
  t.equal((await recordAccountResults(prisma, input)).applied, true);
  // The process died between the account's commit and its counting.
  await prisma.accountScan.updateMany({ where: { scanId: scan.id }, data: { countedAt: null } });
  await prisma.scan.update({
    where: { id: scan.id },
    data: { accountsDone: 0, accountsFailed: 0, resultsFail: 0, resultsError: 0 },
  });
  await prisma.awsCallTotal.deleteMany({});

  t.equal((await recordAccountResults(prisma, input)).applied, false, 'the re-delivery writes no result');
  await recordAccountResults(prisma, input);
  const counted = await prisma.scan.findUniqueOrThrow({ where: { id: scan.id } });
  t.match(counted, { accountsDone: 1, accountsFailed: 1, resultsFail: 1, resultsError: 1, resultsPass: 0 });
  const iam = await prisma.awsCallTotal.findUniqueOrThrow({ where: { service: 'iam' } });
  t.same([Number(iam.calls), Number(iam.errors)], [3, 1]);
});

t.test('an account whose counting was lost is counted when its re-delivery finds it recorded', async (t) => {
  const prisma = await seeded(t);
  const scan = await createScan(prisma, { trigger: 'MANUAL', accounts: standardOrganization().accounts });
  for (const accountId of [MANAGEMENT, MEMBER, OTHER]) {
    await markAccountScanRunning(prisma, { scanId: scan.id, accountId });
    await recordAccountResults(prisma, {
      scanId: scan.id,
      accountId,
      results: [result('root-mfa-enabled', 'FAIL', rootArn(accountId))],
      durationMs: 1,
    });
  }
  // The process that recorded MEMBER died (or lost the database) between its commit and its counting.
  await prisma.accountScan.updateMany({
    where: { scanId: scan.id, accountId: MEMBER },
    data: { countedAt: null },
  });
  await prisma.scan.update({ where: { id: scan.id }, data: { accountsDone: 2, resultsFail: 2 } });
  t.equal(await completeScanIfDone(prisma, scan.id), null, 'the scan waits for MEMBER to be counted');

  // The job's retry: the worker asks to start the account, finds it recorded, drops the job.
  t.equal(await markAccountScanRunning(prisma, { scanId: scan.id, accountId: MEMBER }), false);
  t.match(await prisma.scan.findUniqueOrThrow({ where: { id: scan.id } }), {
    accountsDone: 3,
    resultsFail: 3,
  });
  t.equal(await markAccountScanRunning(prisma, { scanId: scan.id, accountId: MEMBER }), false);
  t.match(
    await prisma.scan.findUniqueOrThrow({ where: { id: scan.id } }),
    { accountsDone: 3 },
    'counted once, however many re-deliveries',
  );
  t.match(await completeScanIfDone(prisma, scan.id), { status: 'SUCCEEDED', accountsDone: 3 });
});

t.test('SUCCEEDED, PARTIAL and FAILED with counts and finishedAt', async (t) => {
  const prisma = await seeded(t);
  const accounts = standardOrganization().accounts;

  const partial = await createScan(prisma, { trigger: 'MANUAL', accounts });
  await recordAccountResults(prisma, { scanId: partial.id, accountId: MEMBER, results: [], durationMs: 1 });
  t.equal(await completeScanIfDone(prisma, partial.id), null, 'not done while accounts are pending');
  await recordAccountResults(prisma, {
    scanId: partial.id,
    accountId: OTHER,
    results: [result('root-mfa-enabled', 'ERROR', rootArn(OTHER))],
    durationMs: 1,
    error: 'AccessDenied on sts:AssumeRole',
  });
  await recordAccountResults(prisma, {
    scanId: partial.id,
    accountId: MANAGEMENT,
    results: [],
    durationMs: 1,
  });
  const ended = await completeScanIfDone(prisma, partial.id, { now: day(9) });
  t.equal(ended?.status, 'PARTIAL');
  t.same(
    [ended?.accountsTotal, ended?.accountsDone, ended?.accountsFailed, ended?.accountsSkipped],
    [3, 3, 1, 1],
  );
  t.same(ended?.finishedAt, day(9));
  t.equal(ended?.active, null);
  t.match(ended?.failureReason, /1 of 3 accounts/);
  t.equal(await completeScanIfDone(prisma, partial.id), null, 'completes once');

  const failed = await createScan(prisma, { trigger: 'MANUAL', accounts });
  for (const id of [MANAGEMENT, MEMBER, OTHER]) {
    await recordAccountResults(prisma, {
      scanId: failed.id,
      accountId: id,
      results: [],
      durationMs: 1,
      error: 'x',
    });
  }
  t.equal((await completeScanIfDone(prisma, failed.id))?.status, 'FAILED');

  const succeeded = await createScan(prisma, { trigger: 'MANUAL', accounts });
  for (const id of [MANAGEMENT, MEMBER, OTHER]) {
    await recordAccountResults(prisma, { scanId: succeeded.id, accountId: id, results: [], durationMs: 1 });
  }
  t.equal((await completeScanIfDone(prisma, succeeded.id))?.status, 'SUCCEEDED');

  const onlySkipped = await createScan(prisma, { trigger: 'MANUAL', accounts: [accounts[3]!] });
  t.equal((await completeScanIfDone(prisma, onlySkipped.id))?.status, 'SUCCEEDED');
});

t.test('stalled scans end FAILED with the reason; late results write nothing', async (t) => {
  const prisma = await seeded(t);
  const scan = await createScan(prisma, {
    trigger: 'SCHEDULED',
    accounts: standardOrganization().accounts,
    now: day(1),
  });
  await recordAccountResults(prisma, {
    scanId: scan.id,
    accountId: MEMBER,
    results: [],
    durationMs: 1,
    now: day(1),
  });
  const hour = 3_600_000;
  t.same(
    await failStalledScans(prisma, { stalledAfterMs: 2 * hour, now: new Date(day(1).getTime() + hour) }),
    [],
  );
  const ended = await failStalledScans(prisma, {
    stalledAfterMs: 2 * hour,
    now: new Date(day(1).getTime() + 3 * hour),
  });
  t.equal(ended.length, 1);
  t.equal(ended[0]?.status, 'FAILED');
  t.match(
    ended[0]?.failureReason,
    /no progress for 120 min: 2 account\(s\) were never recorded \(111111111111, 333333333333\)/,
  );
  t.equal(ended[0]?.accountsFailed, 2);
  t.equal(ended[0]?.active, null);
  const late = await recordAccountResults(prisma, {
    scanId: scan.id,
    accountId: OTHER,
    results: [],
    durationMs: 1,
  });
  t.equal(late.applied, false);
  // A new scan may start now.
  const next = await createScan(prisma, { trigger: 'MANUAL' });
  t.equal(next.status, 'QUEUED');
  // A QUEUED scan whose discovery never finished stalls too.
  const stalledQueued = await failStalledScans(prisma, {
    stalledAfterMs: 1,
    now: new Date(Date.now() + 60_000),
  });
  t.equal(stalledQueued[0]?.id, next.id);
  t.match(stalledQueued[0]?.failureReason, /discovery never completed/);
});

t.test('organization results: stored under the management account, once per scan', async (t) => {
  const prisma = await seeded(t);
  const scan = await createScan(prisma, { trigger: 'MANUAL', accounts: standardOrganization().accounts });
  const orgArn = standardOrganization().arn;
  const results = [result('org-all-features', 'PASS', orgArn), result('org-root-sessions', 'FAIL', orgArn)];
  const input = { scanId: scan.id, managementAccountId: MANAGEMENT, results };
  t.equal((await recordOrganizationResults(prisma, input)).applied, true);
  t.equal((await recordOrganizationResults(prisma, input)).applied, false);
  const rows = await prisma.checkResult.findMany({ where: { scanId: scan.id } });
  t.equal(rows.length, 2);
  t.ok(rows.every((row) => row.scope === 'organization' && row.accountId === MANAGEMENT));
  const after = await prisma.scan.findUniqueOrThrow({ where: { id: scan.id } });
  t.same([after.resultsPass, after.resultsFail], [1, 1]);
  const sessions = await prisma.finding.findUniqueOrThrow({
    where: {
      accountId_checkId_resource: { accountId: MANAGEMENT, checkId: 'org-root-sessions', resource: orgArn },
    },
  });
  t.equal(sessions.scope, 'organization');
  t.equal(sessions.status, 'FAIL');
});

t.test(
  'organization evidence: stored once per scan, the first snapshot kept; none stored is null',
  async (t) => {
    const prisma = await seeded(t);
    const scan = await createScan(prisma, { trigger: 'MANUAL', accounts: standardOrganization().accounts });
    t.equal(await scanOrganizationEvidence(prisma, scan.id), null, 'nothing stored yet');
    const first = { format: 1, evidence: { organization: { ok: true, value: { id: 'o-first' } } } };
    const second = { format: 1, evidence: { organization: { ok: true, value: { id: 'o-second' } } } };
    t.same(await storeScanOrganizationEvidence(prisma, scan.id, first), first);
    t.same(
      await storeScanOrganizationEvidence(prisma, scan.id, second),
      first,
      'a second discovery gets the first',
    );
    t.same(await scanOrganizationEvidence(prisma, scan.id), first);
  },
);

t.test('failScan ends an active scan FAILED with the reason, once', async (t) => {
  const prisma = await seeded(t);
  const scan = await createScan(prisma, { trigger: 'MANUAL', accounts: standardOrganization().accounts });
  const reason = 'AccessDenied on organizations:ListAccounts: set ROOTAUDIT_ORG_ROLE_ARN';
  const ended = await failScan(prisma, scan.id, reason);
  t.equal(ended?.status, 'FAILED');
  t.equal(ended?.failureReason, reason);
  t.equal(ended?.accountsFailed, 3);
  t.equal(await failScan(prisma, scan.id, 'again'), null);
  t.equal((await prisma.scan.findUniqueOrThrow({ where: { id: scan.id } })).failureReason, reason);
});

t.test('transitions: what newly fails (new, reopened, after PASS) and what is resolved, once', async (t) => {
  const prisma = await seeded(t);
  const record = async (results: StoredResult[], at: Date) => {
    const scan = await createScan(prisma, {
      trigger: 'MANUAL',
      accounts: standardOrganization().accounts,
      now: at,
    });
    const recorded = await recordAccountResults(prisma, {
      scanId: scan.id,
      accountId: MEMBER,
      results,
      durationMs: 1,
      now: at,
    });
    const again = await recordAccountResults(prisma, {
      scanId: scan.id,
      accountId: MEMBER,
      results,
      durationMs: 1,
    });
    t.same(again.transitions, [], 'a re-delivered account reports no transition');
    await failScan(prisma, scan.id, 'test ends the scan', { now: at });
    return recorded.transitions.map((transition) => `${transition.kind}:${transition.checkId}`).sort();
  };
  t.same(await record([result('a', 'FAIL'), result('b', 'PASS'), result('c', 'FAIL')], day(1)), [
    'failed:a',
    'failed:c',
  ]);
  t.same(await record([result('a', 'PASS'), result('b', 'FAIL'), result('c', 'FAIL')], day(2)), [
    'failed:b',
    'resolved:a',
  ]);
  t.same(await record([result('a', 'FAIL'), result('b', 'FAIL'), result('c', 'NOT_APPLICABLE')], day(3)), [
    'failed:a',
    'resolved:c',
  ]);
  const first = await createScan(prisma, { trigger: 'MANUAL', accounts: standardOrganization().accounts });
  const { transitions } = await recordAccountResults(prisma, {
    scanId: first.id,
    accountId: OTHER,
    results: [result('a', 'FAIL', rootArn(OTHER))],
    durationMs: 1,
  });
  const created = await prisma.finding.findUniqueOrThrow({
    where: { accountId_checkId_resource: { accountId: OTHER, checkId: 'a', resource: rootArn(OTHER) } },
  });
  t.same(transitions, [
    {
      kind: 'failed',
      findingId: created.id,
      accountId: OTHER,
      checkId: 'a',
      resource: rootArn(OTHER),
      status: 'FAIL',
      severity: 'high',
      message: 'a is FAIL',
    },
  ]);
});

t.test('AWS calls: kept per account scan and added to the totals once, re-deliveries included', async (t) => {
  const prisma = await seeded(t);
  const scan = await createScan(prisma, { trigger: 'MANUAL', accounts: standardOrganization().accounts });
  const memberCalls = {
    iam: { calls: 12, errors: 2, throttles: 2 },
    sts: { calls: 1, errors: 0, throttles: 0 },
  };
  const member = { scanId: scan.id, accountId: MEMBER, results: [], durationMs: 1, awsCalls: memberCalls };
  t.equal((await recordAccountResults(prisma, member)).applied, true);
  const redelivered = { ...member, awsCalls: { iam: { calls: 30, errors: 0, throttles: 0 } } };
  t.equal((await recordAccountResults(prisma, redelivered)).applied, false);
  // Two accounts at once, services in common: the totals rows take both, no deadlock.
  await Promise.all([
    recordAccountResults(prisma, {
      scanId: scan.id,
      accountId: OTHER,
      results: [],
      durationMs: 1,
      awsCalls: {
        cloudtrail: { calls: 4, errors: 1, throttles: 1 },
        iam: { calls: 3, errors: 0, throttles: 0 },
      },
    }),
    recordAccountResults(prisma, {
      scanId: scan.id,
      accountId: MANAGEMENT,
      results: [],
      durationMs: 1,
      awsCalls: { iam: { calls: 5, errors: 1, throttles: 0 }, sts: { calls: 2, errors: 2, throttles: 1 } },
    }),
  ]);

  const row = await prisma.accountScan.findUniqueOrThrow({
    where: { scanId_accountId: { scanId: scan.id, accountId: MEMBER } },
  });
  t.same(row.awsCalls, memberCalls, 'the first delivery is what the account scan keeps');
  const totals = await prisma.awsCallTotal.findMany({ orderBy: { service: 'asc' } });
  t.same(
    totals.map((total) => [
      total.service,
      Number(total.calls),
      Number(total.errors),
      Number(total.throttles),
    ]),
    [
      ['cloudtrail', 4, 1, 1],
      ['iam', 20, 3, 2],
      ['sts', 3, 2, 1],
    ],
  );
});

t.test(
  'findings a scan writes are muted by the suppressions in force, and come back at expiry',
  async (t) => {
    const prisma = await seeded(t);
    await prisma.suppression.createMany({
      data: [
        { checkId: 'root-mfa-enabled', reason: 'hardware key on its way', author: 'test', expiresAt: day(5) },
        {
          checkId: 'guardduty-enabled',
          accountId: MEMBER,
          reason: 'expired',
          author: 'test',
          expiresAt: day(1),
        },
        { accountId: OTHER, reason: 'another account', author: 'test' },
      ],
    });
    const results = [
      result('root-mfa-enabled', 'FAIL'),
      result('guardduty-enabled', 'FAIL'),
      result('root-no-access-keys', 'FAIL'),
    ];
    const scanAt = async (at: Date) => {
      const scan = await createScan(prisma, {
        trigger: 'MANUAL',
        accounts: standardOrganization().accounts,
        now: at,
      });
      await recordAccountResults(prisma, {
        scanId: scan.id,
        accountId: MEMBER,
        results,
        durationMs: 1,
        now: at,
      });
      await failScan(prisma, scan.id, 'test ends the scan', { now: at });
      const findings = await prisma.finding.findMany({
        where: { accountId: MEMBER },
        orderBy: { checkId: 'asc' },
      });
      return findings.map((row) => [row.checkId, row.muted]);
    };
    t.same(
      await scanAt(day(2)),
      [
        ['guardduty-enabled', false],
        ['root-mfa-enabled', true],
        ['root-no-access-keys', false],
      ],
      'created muted where a suppression in force matches; an expired one mutes nothing',
    );
    t.same(
      await scanAt(day(6)),
      [
        ['guardduty-enabled', false],
        ['root-mfa-enabled', false],
        ['root-no-access-keys', false],
      ],
      'the next scan after the expiry brings the finding back',
    );
  },
);
