/**
 * Finding transitions across scans of a changing organization (new, resolved, reopened), end to end.
 */
import t from 'tap';
import { activeAccounts, during, finding, scanOnce, startPipeline } from './testing.ts';

t.test('a second scan after the model changed: new, resolved and reopened findings', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 20, seed: 11 });
  const { prisma, sim } = pipeline;
  const active = activeAccounts(pipeline);
  const withKeys = active.find((account) => account.root.accessKeys.length > 0);
  const withoutKeys = active.find(
    (account) =>
      account.root.accessKeys.length === 0 &&
      account.id !== pipeline.sim.model.organization.managementAccountId &&
      account.root.mfa === 'none',
  );
  if (!withKeys || !withoutKeys)
    throw new Error('seed 11 (20 accounts) has no account with root keys or none without');
  const keys = withKeys.root.accessKeys;

  const first = await scanOnce(pipeline);
  t.equal(first.status, 'SUCCEEDED');
  t.equal((await finding(prisma, withKeys.id, 'root-no-access-keys')).status, 'FAIL');
  t.equal((await finding(prisma, withoutKeys.id, 'root-no-access-keys')).status, 'PASS');

  // Keys removed from one account, an active key created in another.
  withKeys.root.accessKeys = [];
  withoutKeys.root.accessKeys = [
    { id: 'AKIANEWROOTKEY000001', active: true, created: new Date().toISOString() },
  ];
  sim.reset();
  const second = await scanOnce(pipeline);
  t.equal(second.status, 'SUCCEEDED');
  const resolved = await finding(prisma, withKeys.id, 'root-no-access-keys');
  t.equal(resolved.status, 'PASS');
  during(t, resolved.resolvedAt, second, 'resolved');
  t.equal(resolved.lastScanId, second.id);
  const appeared = await finding(prisma, withoutKeys.id, 'root-no-access-keys');
  t.equal(appeared.status, 'FAIL');
  during(t, appeared.statusChangedAt, second, 'status changed');
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
  during(t, reopened.reopenedAt, third, 'reopened');
  t.ok(reopened.firstSeenAt < third.createdAt, 'first seen at the first scan');
  const stillFailing = await finding(prisma, withoutKeys.id, 'root-no-access-keys');
  during(t, stillFailing.statusChangedAt, second, 'a finding still failing keeps its change date:');
  during(t, stillFailing.lastSeenAt, third, 'last seen');
});
