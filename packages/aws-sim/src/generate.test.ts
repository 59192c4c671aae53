// The seeded generator, and a 10,000-account organization served through the real SDK.
import { GetAccountSummaryCommand, IAMClient } from '@aws-sdk/client-iam';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import t from 'tap';
import { generateOrganization, startSimulator } from './index.ts';
import { credentialsOf, rejection, sdkClients } from './testing.ts';

t.test('the same seed gives the same organization; another seed another one', async (t) => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const a = generateOrganization({ accounts: 50, seed: 7, now });
  const b = generateOrganization({ accounts: 50, seed: 7, now });
  const c = generateOrganization({ accounts: 50, seed: 8, now });
  t.same(a, b);
  t.not(JSON.stringify(a), JSON.stringify(c));
  t.equal(new Set(a.accounts.map((x) => x.id)).size, 50, 'account ids are unique');
  t.ok(a.accounts.every((x) => /^\d{12}$/.test(x.id)));
});

t.test('a realistic mix of good and bad states', async (t) => {
  const start = performance.now();
  const model = generateOrganization({ accounts: 10_000, seed: 1 });
  t.comment(`generated 10,000 accounts in ${(performance.now() - start).toFixed(0)} ms`);
  const members = model.accounts.slice(1);
  const share = (predicate: (a: (typeof members)[number]) => boolean) =>
    members.filter(predicate).length / members.length;
  t.ok(share((a) => a.status === 'SUSPENDED') > 0.005, 'some suspended');
  t.ok(share((a) => a.status === 'PENDING_CLOSURE') > 0.002, 'some closing');
  t.ok(share((a) => a.status === 'CLOSED') > 0.001, 'some closed');
  t.ok(share((a) => a.status === 'PENDING_ACTIVATION') > 0.0005, 'some still activating');
  t.ok(
    share((a) => !a.root.password && a.root.accessKeys.length === 0) > 0.6,
    'most members have no root credentials',
  );
  t.ok(share((a) => a.root.accessKeys.length > 0) > 0.01, 'some root access keys');
  t.ok(share((a) => a.root.password && a.root.mfa === 'none') > 0.01, 'some root passwords without MFA');
  t.ok(share((a) => a.root.mfa === 'virtual') > 0.01, 'some virtual MFA');
  t.ok(share((a) => a.root.mfa === 'both') > 0.005, 'some virtual beside hardware');
  t.ok(share((a) => a.root.signingCertificates.length > 0) > 0.001, 'some signing certificates');
  t.ok(share((a) => a.alternateContacts.SECURITY === undefined) > 0.1, 'some without a security contact');
  t.ok(share((a) => a.email.endsWith('@gmail.com')) > 0.005, 'some free-mail root emails');
  t.ok(share((a) => a.detectors.length === 0) > 0.05, 'some without GuardDuty');
  t.ok(share((a) => a.events.some((e) => e.identityType === 'Root')) > 0.01, 'some recent root activity');
  t.ok(share((a) => a.auditRole === false) > 0.001, 'some without the audit role');
  t.ok(
    model.accounts[0]?.trails.some((x) => x.organizationTrail),
    'the management account holds the organization trail',
  );
});

t.test('10,000 accounts: paginated ListAccounts and per-account calls', async (t) => {
  const model = generateOrganization({ accounts: 10_000, seed: 3 });
  const start = performance.now();
  const sim = await startSimulator({ model });
  t.comment(`started in ${(performance.now() - start).toFixed(1)} ms`);
  t.teardown(() => sim.stop());
  const org = sdkClients(sim.endpoint);

  const listed: { Id?: string; Status?: string }[] = [];
  let token: string | undefined;
  do {
    const page = await org.organizations.send(new ListAccountsCommand({ MaxResults: 20, NextToken: token }));
    listed.push(...(page.Accounts ?? []));
    token = page.NextToken;
  } while (token);
  t.equal(listed.length, 10_000);
  t.equal(new Set(listed.map((a) => a.Id)).size, 10_000);
  t.equal(sim.callLog.count({ operation: 'ListAccounts' }), 500);
  t.comment(`listed 10,000 accounts in ${(performance.now() - start).toFixed(0)} ms`);

  // Every twentieth account and the last one: assume the audit role and read its account summary.
  const sample = model.accounts.filter((_, i) => i % 20 === 0 || i === model.accounts.length - 1);
  let next = 0;
  let checked = 0;
  let denied = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < sample.length) {
        const account = sample[next++];
        if (!account) break;
        const assume = org.sts.send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${account.id}:role/${model.auditRole.name}`,
            RoleSessionName: 'scale',
            ExternalId: model.auditRole.externalId,
          }),
        );
        if (account.status !== 'ACTIVE' || account.auditRole === false) {
          if ((await rejection(assume)).name === 'AccessDenied') denied += 1;
          continue;
        }
        const config = {
          endpoint: sim.endpoint,
          region: 'us-east-1',
          credentials: credentialsOf(await assume),
        };
        const [me, summary] = await Promise.all([
          new STSClient(config).send(new GetCallerIdentityCommand({})),
          new IAMClient(config).send(new GetAccountSummaryCommand({})),
        ]);
        if (
          me.Account === account.id &&
          summary.SummaryMap?.AccountAccessKeysPresent === (account.root.accessKeys.length > 0 ? 1 : 0) &&
          summary.SummaryMap?.AccountMFAEnabled === (account.root.mfa === 'none' ? 0 : 1)
        ) {
          checked += 1;
        }
      }
    }),
  );
  t.comment(`${sample.length} accounts called after ${(performance.now() - start).toFixed(0)} ms`);
  t.equal(checked + denied, sample.length, 'every sampled account answered from its own state');
  t.ok(denied > 0, 'suspended accounts and missing roles are refused');
  t.equal(sim.callLog.count({ operation: 'GetAccountSummary' }), checked);
});
