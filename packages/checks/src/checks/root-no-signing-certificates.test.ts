import t from 'tap';
import {
  reportRootActiveSigningCertificate,
  rootWithPasswordAndMfa,
  rootWithSigningCertificate,
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

t.test('ERROR when the summary failed', async (t) => {
  const result = evaluateOne(
    rootNoSigningCertificates,
    evidenceFor({ accountSummary: failed('iam:GetAccountSummary') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDenied on iam:GetAccountSummary in 111122223333/);
});
