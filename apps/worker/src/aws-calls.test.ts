/**
 * The AWS calls of each account job are counted and stored with the account (AccountScan.awsCalls)
 * and in the per-service totals: every call the simulator answered, once, attributed to the
 * account whose job made it.
 */
import type { AwsCallCounts } from '@rootaudit/store';
import t from 'tap';
import { addCallCounts, scanThroughWorker, simulatorCallCounts } from './testing.ts';

t.test('every AWS call of a scan is stored once, with the account that made it', async (t) => {
  // The first ACTIVE member account's GetAccountSummary and GenerateCredentialReport are always
  // throttled (the SDK tries 3 times each): throttled past the SDK's retries, the account's job is
  // tried again (3 attempts), and the last attempt records its root-credential checks ERROR. The
  // calls of the attempts that recorded nothing are counted too.
  let throttled = '';
  const { sim, prisma, scan, accountIds } = await scanThroughWorker(t, {
    accounts: 4,
    maxAttempts: 3,
    knobs: (model) => {
      throttled = model.accounts.find(
        (account) => account.status === 'ACTIVE' && account.id !== model.organization.managementAccountId,
      )?.id as string;
      return {
        throttling: ['GetAccountSummary', 'GenerateCredentialReport'].map((operation) => ({
          service: 'iam',
          operation,
          accountId: throttled,
          ratePerSecond: 1000,
          burst: 0,
        })),
      };
    },
  });
  t.equal(scan.status, 'PARTIAL', 'the throttled account ends ERROR, the others are scanned');

  const accountScans = await prisma.accountScan.findMany({
    where: { scanId: scan.id, status: { not: 'SKIPPED' } },
  });
  t.same(accountScans.map((row) => row.accountId).sort(), [...accountIds].sort());
  for (const row of accountScans) {
    const calls = row.awsCalls as AwsCallCounts;
    t.ok((calls.sts?.calls ?? 0) >= 1, `${row.accountId}: its AssumeRole is counted`);
    t.ok((calls.iam?.calls ?? 0) >= 1, `${row.accountId}: IAM calls counted`);
    const throttles = Object.values(calls).reduce((sum, counts) => sum + counts.throttles, 0);
    if (row.accountId === throttled) {
      const answered = sim.callLog.count({ accountId: throttled, service: 'iam', errorCode: 'Throttling' });
      t.ok(answered >= 3, `every attempt was throttled (${answered})`);
      t.equal(calls.iam?.throttles, answered, 'each throttled attempt counted, with the account');
      t.equal(row.status, 'ERROR');
    } else {
      t.equal(throttles, 0, `${row.accountId}: no throttle`);
    }
  }

  // Account jobs judge against the organization evidence their scan's discovery stored: none of
  // them reads the organization.
  t.equal(sim.callLog.count({ service: 'organizations' }), 0, 'no organizations call by an account job');
  for (const row of accountScans)
    t.notOk((row.awsCalls as AwsCallCounts).organizations, `${row.accountId}: no organizations call counted`);

  // Summed over the account scans, the counts are exactly what the simulator answered: every
  // AssumeRole belongs to some account job, none is counted twice.
  const summed = addCallCounts(accountScans.map((row) => row.awsCalls as AwsCallCounts));
  const answered = simulatorCallCounts(sim);
  t.same(summed, answered, 'summed over the account scans: what the simulator answered');
  const totals = await prisma.awsCallTotal.findMany({ orderBy: { service: 'asc' } });
  t.same(
    Object.fromEntries(
      totals.map((row) => [
        row.service,
        { calls: Number(row.calls), errors: Number(row.errors), throttles: Number(row.throttles) },
      ]),
    ),
    answered,
    'the totals /metrics reads',
  );
});
