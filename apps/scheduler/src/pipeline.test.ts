/**
 * The scan pipeline end to end: scheduler → pg-boss → worker → PostgreSQL, AWS from the simulator.
 */
import type { AccountModel } from '@rootaudit/aws-sim';
import type { PrismaClient } from '@rootaudit/db';
import t from 'tap';
import { type Pipeline, scanOnce, startPipeline } from './testing.ts';

const rootArn = (id: string) => `arn:aws:iam::${id}:root`;

function activeAccounts(pipeline: Pipeline): AccountModel[] {
  return pipeline.sim.model.accounts.filter((account) => account.status === 'ACTIVE');
}

/** What the model says root-no-access-keys must be. */
const expectedAccessKeys = (account: AccountModel) => (account.root.accessKeys.length > 0 ? 'FAIL' : 'PASS');
/** What the model says root-mfa-enabled must be. */
function expectedMfa(account: AccountModel) {
  if (account.root.mfa !== 'none') return 'PASS';
  const credentials = account.root.password || account.root.accessKeys.length > 0;
  return credentials ? 'FAIL' : 'NOT_APPLICABLE';
}

async function resultsOf(prisma: PrismaClient, scanId: string, checkId: string) {
  const rows = await prisma.checkResult.findMany({ where: { scanId, checkId } });
  return new Map(rows.map((row) => [row.accountId, row.status]));
}

const finding = (prisma: PrismaClient, accountId: string, checkId: string) =>
  prisma.finding.findUniqueOrThrow({
    where: { accountId_checkId_resource: { accountId, checkId, resource: rootArn(accountId) } },
  });

t.test('a 50-account organization: every active account scanned once, results as the model says', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 50 });
  const { prisma } = pipeline;
  const started = Date.now();
  const scan = await scanOnce(pipeline);
  t.comment(`scan of 50 accounts took ${Date.now() - started} ms`);
  const active = activeAccounts(pipeline);
  const inactive = pipeline.sim.model.accounts.filter((account) => account.status !== 'ACTIVE');
  t.equal(scan.status, 'SUCCEEDED', scan.failureReason ?? '');
  t.equal(scan.accountsTotal, active.length);
  t.equal(scan.accountsDone, active.length);
  t.equal(scan.accountsFailed, 0);
  t.equal(scan.accountsSkipped, inactive.length);
  t.ok(scan.finishedAt);

  const accountScans = await prisma.accountScan.findMany({ where: { scanId: scan.id } });
  t.equal(accountScans.length, pipeline.sim.model.accounts.length, 'one AccountScan per account');
  for (const account of active) {
    const row = accountScans.find((candidate) => candidate.accountId === account.id);
    t.equal(row?.status, 'SUCCEEDED', `${account.id} scanned`);
    t.equal(row?.attempts, 1, `${account.id} scanned once`);
  }
  for (const account of inactive) {
    const row = accountScans.find((candidate) => candidate.accountId === account.id);
    t.equal(row?.status, 'SKIPPED', `${account.id} skipped`);
    t.match(row?.error, new RegExp(account.status));
  }

  // One result per active account and account check, none for skipped accounts.
  const accountChecks = pipeline.checks.filter((check) => check.metadata.scope === 'account');
  const results = await prisma.checkResult.groupBy({
    by: ['accountId'],
    where: { scanId: scan.id, scope: 'account' },
    _count: { _all: true },
  });
  t.equal(results.length, active.length);
  t.ok(results.every((group) => group._count._all >= accountChecks.length));
  const total = await prisma.checkResult.count({ where: { scanId: scan.id } });
  t.equal(scan.resultsPass + scan.resultsFail + scan.resultsError + scan.resultsNotApplicable, total);
  t.equal(scan.resultsError, 0, 'no check failed to evaluate');

  const keys = await resultsOf(prisma, scan.id, 'root-no-access-keys');
  const mfa = await resultsOf(prisma, scan.id, 'root-mfa-enabled');
  for (const account of active) {
    t.equal(keys.get(account.id), expectedAccessKeys(account), `${account.id} root-no-access-keys`);
    t.equal(mfa.get(account.id), expectedMfa(account), `${account.id} root-mfa-enabled`);
  }
  const organization = await prisma.organization.findFirstOrThrow();
  t.equal(organization.managementAccountId, pipeline.sim.model.organization.managementAccountId);
  t.equal(await prisma.account.count(), pipeline.sim.model.accounts.length);
});

t.test('a second scan after the model changed: new, resolved and reopened findings', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 50, seed: 11 });
  const { prisma, sim } = pipeline;
  const active = activeAccounts(pipeline);
  const withKeys = active.find((account) => account.root.accessKeys.length > 0);
  const withoutKeys = active.find(
    (account) => account.root.accessKeys.length === 0 && !account.isManagement && account.root.mfa === 'none',
  );
  if (!withKeys || !withoutKeys) throw new Error('seed 11 has no account with root keys or none without');
  const keys = withKeys.root.accessKeys;

  const first = await scanOnce(pipeline);
  t.equal(first.status, 'SUCCEEDED');
  t.equal((await finding(prisma, withKeys.id, 'root-no-access-keys')).status, 'FAIL');
  t.equal((await finding(prisma, withoutKeys.id, 'root-no-access-keys')).status, 'PASS');

  // Keys removed from one account, an active key created in another.
  withKeys.root.accessKeys = [];
  withoutKeys.root.accessKeys = [{ id: 'AKIANEWROOTKEY000001', active: true, created: new Date().toISOString() }];
  sim.reset();
  const second = await scanOnce(pipeline);
  t.equal(second.status, 'SUCCEEDED');
  const resolved = await finding(prisma, withKeys.id, 'root-no-access-keys');
  t.equal(resolved.status, 'PASS');
  t.same(resolved.resolvedAt, second.createdAt, 'resolved at the second scan');
  t.equal(resolved.lastScanId, second.id);
  const appeared = await finding(prisma, withoutKeys.id, 'root-no-access-keys');
  t.equal(appeared.status, 'FAIL');
  t.same(appeared.statusChangedAt, second.createdAt);
  t.equal(appeared.reopenCount, 0);

  // The keys come back: the resolved finding is reopened.
  withKeys.root.accessKeys = keys;
  sim.reset();
  const third = await scanOnce(pipeline);
  t.equal(third.status, 'SUCCEEDED');
  const reopened = await finding(prisma, withKeys.id, 'root-no-access-keys');
  t.equal(reopened.status, 'FAIL');
  t.equal(reopened.resolvedAt, null);
  t.equal(reopened.reopenCount, 1);
  t.same(reopened.reopenedAt, third.createdAt);
  t.ok(reopened.firstSeenAt < third.createdAt, 'first seen at the first scan');
  const stillFailing = await finding(prisma, withoutKeys.id, 'root-no-access-keys');
  t.same(stillFailing.statusChangedAt, second.createdAt, 'a finding still failing keeps its change date');
  t.same(stillFailing.lastSeenAt, third.createdAt);
});

t.test('AccessDenied in two accounts: PARTIAL, those two ERROR naming the action, the rest done', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 50, seed: 3 });
  const { prisma, sim } = pipeline;
  const members = activeAccounts(pipeline).filter((account) => !account.isManagement);
  const denied = [members[3]!.id, members[17]!.id];
  sim.setKnobs({
    faults: {
      accessDenied: denied.map((accountId) => ({ service: 'iam', operation: 'GetAccountSummary', accountId })),
    },
  });
  const scan = await scanOnce(pipeline);
  t.equal(scan.status, 'PARTIAL');
  t.equal(scan.accountsFailed, 2);
  t.match(scan.failureReason, /2 of \d+ accounts could not be scanned/);
  const rows = await prisma.accountScan.findMany({ where: { scanId: scan.id } });
  for (const row of rows) {
    if (denied.includes(row.accountId)) {
      t.equal(row.status, 'ERROR', `${row.accountId} ERROR`);
      t.match(row.error, /AccessDenied/);
      t.match(row.error, /iam:GetAccountSummary/);
    } else if (row.status !== 'SKIPPED') {
      t.equal(row.status, 'SUCCEEDED', `${row.accountId} done`);
    }
  }
  const errors = await prisma.checkResult.findMany({ where: { scanId: scan.id, status: 'ERROR' } });
  t.ok(errors.length > 0);
  t.ok(errors.every((result) => denied.includes(result.accountId)), 'only the denied accounts have ERROR results');
});
