import t from 'tap';
import { demoOrganization } from './demo.ts';
import { loadOrganization } from './fixture.ts';

t.test('the demo organization is the sample organization plus generated members in its OUs', async (t) => {
  const sample = loadOrganization();
  const model = demoOrganization();
  t.equal(model.accounts.length, 36);
  t.equal(model.organization.id, sample.organization.id);
  t.same(
    model.accounts.slice(0, sample.accounts.length).map((account) => [account.id, account.name]),
    sample.accounts.map((account) => [account.id, account.name]),
    'the hand-made accounts come first, unchanged',
  );
  t.equal(new Set(model.accounts.map((account) => account.id)).size, 36, 'account ids are unique');
  t.equal(new Set(model.accounts.map((account) => account.name)).size, 36, 'account names are unique');
  const ous = new Set([model.organization.rootId, ...model.ous.map((ou) => ou.id)]);
  const members = model.accounts.slice(sample.accounts.length);
  t.ok(
    members.every((account) => ous.has(account.parentId)),
    'every generated member sits in an OU of the sample',
  );
  t.ok(
    members.every((account) => account.id !== model.organization.managementAccountId),
    'one management account',
  );
  t.ok(
    members.every((account) => account.email.includes(account.name)),
    'emails follow the new names',
  );
  const fullAccess = model.policies.find((policy) => policy.name === 'FullAWSAccess');
  t.ok(
    model.accounts.every((account) => fullAccess?.targets.includes(account.id)),
    'FullAWSAccess is attached to every account, as in AWS',
  );
});

t.test('the demo organization is deterministic for a seed and sized on demand', async (t) => {
  const now = Date.parse('2026-11-01T00:00:00Z');
  t.same(demoOrganization({ seed: 3, now }), demoOrganization({ seed: 3, now }));
  t.equal(demoOrganization({ accounts: 12 }).accounts.length, 12);
  t.equal(demoOrganization({ accounts: 200 }).accounts.length, 200);
  t.throws(() => demoOrganization({ accounts: 11 }), /at least 12 accounts/);
});
