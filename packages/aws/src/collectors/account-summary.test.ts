import { loadOrganization, startSimulator } from '@rootaudit/aws-sim';
import { type EvidenceMap, getCheck } from '@rootaudit/checks';
import t from 'tap';
import { ClientFactory } from '../clients.ts';
import { collectorContext, fakeAccountClients } from '../testing.ts';
import { accountSummaryCollector } from './account-summary.ts';
import { credentialReportCollector } from './credential-report.ts';

t.test(
  'a SummaryMap without AccountAccessKeysPresent or AccountSigningCertificatesPresent keeps them unknown, not 0',
  async (t) => {
    const { clients } = fakeAccountClients(() => ({
      SummaryMap: { AccountMFAEnabled: 0, AccountPasswordPresent: 1, Users: 4 },
    }));
    const result = await accountSummaryCollector.collect(collectorContext(clients));
    t.same(result.ok && result.value, {
      accountMfaEnabled: false,
      accountAccessKeysPresent: null,
      accountPasswordPresent: true,
      accountSigningCertificatesPresent: null,
      summaryMap: { AccountMFAEnabled: 0, AccountPasswordPresent: 1, Users: 4 },
    });
  },
);

t.test('a SummaryMap without AccountMFAEnabled keeps MFA unknown, not off', async (t) => {
  const { clients } = fakeAccountClients(() => ({
    SummaryMap: { AccountAccessKeysPresent: 0, AccountSigningCertificatesPresent: 0 },
  }));
  const result = await accountSummaryCollector.collect(collectorContext(clients));
  t.equal(result.ok ? result.value.accountMfaEnabled : 'failed', null);
  t.equal(result.ok ? result.value.accountAccessKeysPresent : 'failed', false);
});

t.test('no SummaryMap at all: every flag unknown', async (t) => {
  const { clients } = fakeAccountClients(() => ({}));
  const result = await accountSummaryCollector.collect(collectorContext(clients));
  t.match(result.ok && result.value, {
    accountMfaEnabled: null,
    accountAccessKeysPresent: null,
    accountPasswordPresent: null,
    accountSigningCertificatesPresent: null,
  });
});

t.test(
  'against the simulator: a summary without the key and certificate flags, read with the credential report, still FAILs root with keys and certificates',
  async (t) => {
    const model = loadOrganization();
    for (const account of model.accounts) {
      if (account.id === '555555555555' || account.id === '888888888888')
        account.summaryOmits = ['AccountAccessKeysPresent', 'AccountSigningCertificatesPresent'];
    }
    const sim = await startSimulator({ model });
    t.teardown(() => sim.stop());
    const factory = new ClientFactory({
      scanId: 'summary-omits',
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDBASEEXAMPLE', secretAccessKey: 'secret' },
      externalId: model.auditRole.externalId ?? null,
      maxAttempts: 1,
    });
    t.teardown(() => factory.destroy());
    const evaluate = async (accountId: string) => {
      const context = collectorContext(factory.forAccount(accountId), {
        credentialReportPolling: { initialDelayMs: 10, timeLimitMs: 2_000 },
      });
      const accountSummary = await accountSummaryCollector.collect(context);
      const credentialReport = await credentialReportCollector.collect(context);
      const checkContext = {
        accountId,
        partition: 'aws',
        isManagementAccount: false,
        now: new Date(),
        regions: ['us-east-1'],
        rootUsageWindowDays: 90,
        allowedEmailDomains: [],
      };
      // Both checks read only these two evidences.
      const evidence = { accountSummary, credentialReport } as EvidenceMap;
      return {
        accountSummary,
        keys: getCheck('root-no-access-keys')?.evaluate(evidence, checkContext)[0],
        certificates: getCheck('root-no-signing-certificates')?.evaluate(evidence, checkContext)[0],
      };
    };
    const payments = await evaluate('555555555555');
    t.equal(payments.accountSummary.ok && payments.accountSummary.value.accountAccessKeysPresent, null);
    t.equal(payments.keys?.status, 'FAIL');
    t.match(payments.keys?.message, /access_key_1_active = true.*as AccountAccessKeysPresent is missing/);
    const staging = await evaluate('888888888888');
    t.equal(staging.certificates?.status, 'FAIL');
    t.match(
      staging.certificates?.message,
      /cert_1_active = true.*as AccountSigningCertificatesPresent is missing/,
    );
  },
);
