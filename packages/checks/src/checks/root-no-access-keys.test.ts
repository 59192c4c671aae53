import t from 'tap';
import {
  credentialReport,
  reportRootActiveAndInactiveKeys,
  reportRootNeverUsed,
  reportWithoutRootRow,
  rootWithAccessKeys,
  rootWithPasswordAndMfa,
  summaryWithoutKeyAndCertificateFlags,
} from '../fixtures/iam.ts';
import { evaluateOne, evidenceFor, failed, ok } from '../testing/index.ts';
import { rootNoAccessKeys } from './root-no-access-keys.ts';

t.test('PASS when AccountAccessKeysPresent = 0', async (t) => {
  const result = evaluateOne(rootNoAccessKeys, evidenceFor({ accountSummary: ok(rootWithPasswordAndMfa()) }));
  t.equal(result.status, 'PASS');
});

t.test('FAIL naming the active key, its last use, and the inactive key', async (t) => {
  const result = evaluateOne(
    rootNoAccessKeys,
    evidenceFor({
      accountSummary: ok(rootWithAccessKeys()),
      credentialReport: ok(reportRootActiveAndInactiveKeys()),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /access key 1 \(active, last used 2026-11-17 on ec2 in eu-west-1\)/);
  t.match(result.message, /access key 2 \(inactive, never used\)/);
  t.same(result.evidence.activeKeys, [1]);
});

t.test('inactive keys alone still FAIL: they can be reactivated', async (t) => {
  const report = reportRootActiveAndInactiveKeys();
  const root = report.root!;
  const onlyInactive = credentialReport({
    ...root,
    accessKeys: root.accessKeys.filter((key) => !key.active),
  });
  const result = evaluateOne(
    rootNoAccessKeys,
    evidenceFor({ accountSummary: ok(rootWithAccessKeys()), credentialReport: ok(onlyInactive) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /none active, but an inactive key can be reactivated/);
});

t.test('the summary is live: keys not yet in a stale report still FAIL', async (t) => {
  const result = evaluateOne(
    rootNoAccessKeys,
    evidenceFor({ accountSummary: ok(rootWithAccessKeys()), credentialReport: ok(reportRootNeverUsed()) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /does not list them yet/);
});

t.test('report without a root row: still FAIL, detail unknown', async (t) => {
  const result = evaluateOne(
    rootNoAccessKeys,
    evidenceFor({ accountSummary: ok(rootWithAccessKeys()), credentialReport: ok(reportWithoutRootRow()) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /no <root_account> row/);
});

t.test('the credential report failed: FAIL stays FAIL and says why detail is missing', async (t) => {
  const result = evaluateOne(
    rootNoAccessKeys,
    evidenceFor({
      accountSummary: ok(rootWithAccessKeys()),
      credentialReport: failed('iam:GetCredentialReport', 'ReportInProgress'),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /ReportInProgress on iam:GetCredentialReport in 111122223333/);
});

t.test(
  'a summary without AccountAccessKeysPresent is unknown, not 0: the credential report shows the keys, FAIL',
  async (t) => {
    const result = evaluateOne(
      rootNoAccessKeys,
      evidenceFor({
        accountSummary: ok(summaryWithoutKeyAndCertificateFlags()),
        credentialReport: ok(reportRootActiveAndInactiveKeys()),
      }),
    );
    t.equal(result.status, 'FAIL');
    t.match(
      result.message,
      /access_key_1_active = true, access_key_2_active = false, as AccountAccessKeysPresent is missing from the account summary/,
    );
    t.match(result.message, /access key 1 \(active, last used 2026-11-17 on ec2 in eu-west-1\)/);
  },
);

t.test('a summary without the key and a report without a root row: ERROR naming both', async (t) => {
  const result = evaluateOne(
    rootNoAccessKeys,
    evidenceFor({
      accountSummary: ok(summaryWithoutKeyAndCertificateFlags()),
      credentialReport: ok(reportWithoutRootRow()),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(
    result.message,
    /SummaryKeyMissing on iam:GetAccountSummary in 111122223333: AccountAccessKeysPresent is missing/,
  );
  t.match(result.message, /RootRowMissing on iam:GetCredentialReport in 111122223333/);
});

t.test(
  'the summary failed: a report root row without keys is positive evidence, PASS naming both',
  async (t) => {
    const result = evaluateOne(
      rootNoAccessKeys,
      evidenceFor({
        accountSummary: failed('iam:GetAccountSummary'),
        credentialReport: ok(reportRootNeverUsed()),
      }),
    );
    t.equal(result.status, 'PASS');
    t.match(
      result.message,
      /credential report generated .*, as the account summary could not be read \(AccessDenied/,
    );
  },
);

t.test('ERROR when neither the summary nor the credential report could be read, never PASS', async (t) => {
  const result = evaluateOne(
    rootNoAccessKeys,
    evidenceFor({
      accountSummary: failed('iam:GetAccountSummary'),
      credentialReport: failed('iam:GetCredentialReport'),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDenied on iam:GetAccountSummary in 111122223333/);
  t.match(result.message, /AccessDenied on iam:GetCredentialReport in 111122223333/);
});
