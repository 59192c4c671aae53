import t from 'tap';
import { collectorContext, fakeAccountClients } from '../testing.ts';
import { accountSummaryCollector } from './account-summary.ts';

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
