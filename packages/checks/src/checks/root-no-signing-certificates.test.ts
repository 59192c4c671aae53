import t from 'tap';
import {
  reportRootActiveSigningCertificate,
  reportRootNeverUsed,
  reportWithoutRootRow,
  rootWithPasswordAndMfa,
  rootWithSigningCertificate,
  summaryWithoutKeyAndCertificateFlags,
} from '../fixtures/iam.ts';
import { evaluateOne, evidenceFor, failed, ok } from '../testing/index.ts';
import { rootNoSigningCertificates } from './root-no-signing-certificates.ts';

t.test('PASS when AccountSigningCertificatesPresent = 0', async (t) => {
  t.equal(
    evaluateOne(rootNoSigningCertificates, evidenceFor({ accountSummary: ok(rootWithPasswordAndMfa()) }))
      .status,
    'PASS',
  );
});

t.test('FAIL naming the certificate from the credential report', async (t) => {
  const result = evaluateOne(
    rootNoSigningCertificates,
    evidenceFor({
      accountSummary: ok(rootWithSigningCertificate()),
      credentialReport: ok(reportRootActiveSigningCertificate()),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /certificate 1 \(active, last rotated 2024-12-23\)/);
});

t.test('FAIL even when the credential report failed', async (t) => {
  const result = evaluateOne(
    rootNoSigningCertificates,
    evidenceFor({
      accountSummary: ok(rootWithSigningCertificate()),
      credentialReport: failed('iam:GetCredentialReport'),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /could not be read/);
});

t.test(
  'a summary without AccountSigningCertificatesPresent is unknown, not 0: the credential report shows the certificate, FAIL',
  async (t) => {
    const result = evaluateOne(
      rootNoSigningCertificates,
      evidenceFor({
        accountSummary: ok(summaryWithoutKeyAndCertificateFlags()),
        credentialReport: ok(reportRootActiveSigningCertificate()),
      }),
    );
    t.equal(result.status, 'FAIL');
    t.match(
      result.message,
      /credential report generated .*cert_1_active = true, as AccountSigningCertificatesPresent is missing from the account summary/,
    );
  },
);

t.test('a summary without the key and a report without a root row: ERROR naming both', async (t) => {
  const result = evaluateOne(
    rootNoSigningCertificates,
    evidenceFor({
      accountSummary: ok(summaryWithoutKeyAndCertificateFlags()),
      credentialReport: ok(reportWithoutRootRow()),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(
    result.message,
    /SummaryKeyMissing on iam:GetAccountSummary in 111122223333: AccountSigningCertificatesPresent is missing/,
  );
  t.match(result.message, /RootRowMissing on iam:GetCredentialReport in 111122223333/);
});

t.test(
  'a summary without the key: a report root row with no certificate is positive evidence, PASS',
  async (t) => {
    const result = evaluateOne(
      rootNoSigningCertificates,
      evidenceFor({
        accountSummary: ok(summaryWithoutKeyAndCertificateFlags()),
        credentialReport: ok(reportRootNeverUsed()),
      }),
    );
    t.equal(result.status, 'PASS');
    t.match(result.message, /cert_1_active and cert_2_active false/);
    t.ok(result.evidence.credentialReportGeneratedTime);
  },
);

t.test('the summary failed: the credential report still shows a certificate, FAIL', async (t) => {
  const result = evaluateOne(
    rootNoSigningCertificates,
    evidenceFor({
      accountSummary: failed('iam:GetAccountSummary'),
      credentialReport: ok(reportRootActiveSigningCertificate()),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /the account summary could not be read \(AccessDenied on iam:GetAccountSummary/);
});

t.test('ERROR when neither the summary nor the credential report could be read', async (t) => {
  const result = evaluateOne(
    rootNoSigningCertificates,
    evidenceFor({
      accountSummary: failed('iam:GetAccountSummary'),
      credentialReport: failed('iam:GetCredentialReport', 'ReportInProgress'),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDenied on iam:GetAccountSummary in 111122223333/);
  t.match(result.message, /ReportInProgress on iam:GetCredentialReport in 111122223333/);
});
