/**
 * The scan pipeline end to end: scheduler → pg-boss → worker → PostgreSQL, AWS from the simulator.
 */
import t from 'tap';
import {
  activeAccounts,
  expectedAccessKeys,
  expectedMfa,
  resultsOf,
  scanOnce,
  startPipeline,
} from './testing.ts';

t.test(
  'a 50-account organization: every active account scanned once, results as the model says',
  async (t) => {
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
      // The organization was read once, by the discovery; account jobs use what it stored.
      t.notOk(
        (row?.awsCalls as Record<string, unknown> | undefined)?.organizations,
        `${account.id}: its job made no organizations call`,
      );
    }
    t.ok(
      await prisma.scanOrganizationEvidence.findUnique({ where: { scanId: scan.id } }),
      'the organization evidence is stored with the scan',
    );
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
  },
);
