import t from 'tap';
import {
  auditFoundLeftoverRootCredentials,
  auditFoundNoRootCredentials,
  auditNotPerformed,
  rootCredentialsAudit,
  rootPasswordPresenceUnknown,
  rootWithoutPasswordOrKeys,
  rootWithPasswordWithoutMfa,
} from '../fixtures/iam.ts';
import {
  centralizedRootAccessOff,
  iamTrustedAccessMissing,
  rootCredentialsManagementOnly,
} from '../fixtures/organization.ts';
import { evaluateOne, evidenceFor, failed, managementAccountContext, ok } from '../testing/index.ts';
import { rootCredentialsAbsent } from './root-credentials-absent.ts';

t.test('PASS when the AssumeRoot audit found nothing', async (t) => {
  const result = evaluateOne(
    rootCredentialsAbsent,
    evidenceFor({ rootCredentialsAudit: ok(auditFoundNoRootCredentials()) }),
  );
  t.equal(result.status, 'PASS');
});

t.test('PASS needs only RootCredentialsManagement, not RootSessions', async (t) => {
  const result = evaluateOne(
    rootCredentialsAbsent,
    evidenceFor({ organizationFeatures: ok(rootCredentialsManagementOnly()) }),
  );
  t.equal(result.status, 'PASS');
});

t.test('FAIL listing everything that remains, inactive ones included', async (t) => {
  const result = evaluateOne(
    rootCredentialsAbsent,
    evidenceFor({ rootCredentialsAudit: ok(auditFoundLeftoverRootCredentials()) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /a console password/);
  t.match(result.message, /access key AKIAEXAMPLEROOTKEY01 \(Active\)/);
  t.match(result.message, /access key AKIAEXAMPLEROOTKEY02 \(Inactive\)/);
  t.match(result.message, /signing certificate CERTEXAMPLE0001 \(Active\)/);
  t.match(result.message, /MFA device GAHT12345678/);
  t.match(result.message, /: delete them through Root access management\.$/);
});

t.test('FAIL on one leftover says "delete it"', async (t) => {
  const audit = rootCredentialsAudit({ passwordPresent: true });
  const result = evaluateOne(rootCredentialsAbsent, evidenceFor({ rootCredentialsAudit: ok(audit) }));
  t.equal(result.message, 'Root still has a console password: delete it through Root access management.');
});

t.test('FAIL on an MFA device alone', async (t) => {
  const audit = rootCredentialsAudit({ mfaDevices: [{ serialNumber: 'GAHT00000001' }] });
  t.equal(
    evaluateOne(rootCredentialsAbsent, evidenceFor({ rootCredentialsAudit: ok(audit) })).status,
    'FAIL',
  );
});

t.test('NOT_APPLICABLE when centralized root credentials management is off', async (t) => {
  const result = evaluateOne(
    rootCredentialsAbsent,
    evidenceFor({
      organizationFeatures: ok(centralizedRootAccessOff()),
      rootCredentialsAudit: ok(auditNotPerformed()),
    }),
  );
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(result.message, /RootCredentialsManagement\) is not enabled/);
});

t.test("NOT_APPLICABLE with IAM's reason when it refused to list features", async (t) => {
  const result = evaluateOne(
    rootCredentialsAbsent,
    evidenceFor({
      organizationFeatures: ok(iamTrustedAccessMissing()),
      rootCredentialsAudit: ok(auditNotPerformed()),
    }),
  );
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(
    result.message,
    /^Not applicable: centralized root credentials management is off because IAM has no trusted access in the organization/,
  );
});

t.test('NOT_APPLICABLE for the management account', async (t) => {
  const result = evaluateOne(
    rootCredentialsAbsent,
    evidenceFor({ rootCredentialsAudit: failed('sts:AssumeRoot') }),
    managementAccountContext(),
  );
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(result.message, /management account/);
});

t.test('ERROR when the audit failed and the summary does not settle it', async (t) => {
  const result = evaluateOne(
    rootCredentialsAbsent,
    evidenceFor({
      rootCredentialsAudit: failed('sts:AssumeRoot', 'AccessDenied'),
      accountSummary: ok(rootPasswordPresenceUnknown()),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDenied on sts:AssumeRoot in 111122223333/);
});

t.test('ERROR, not PASS, when the feature is on but no audit was made', async (t) => {
  const result = evaluateOne(
    rootCredentialsAbsent,
    evidenceFor({
      rootCredentialsAudit: ok(auditNotPerformed('the audit role may not call sts:AssumeRoot')),
      accountSummary: ok(rootPasswordPresenceUnknown()),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /no AssumeRoot audit/);
});

t.test(
  'the audit failed, but the account summary shows a password: FAIL, saying the audit is missing',
  async (t) => {
    const result = evaluateOne(
      rootCredentialsAbsent,
      evidenceFor({
        rootCredentialsAudit: failed('sts:AssumeRoot', 'AccessDenied'),
        accountSummary: ok(rootWithPasswordWithoutMfa()),
      }),
    );
    t.equal(result.status, 'FAIL');
    t.match(result.message, /a console password \(AccountPasswordPresent = 1\)/);
    t.match(result.message, /AccessDenied on sts:AssumeRoot in 111122223333/);
  },
);

t.test('the audit failed, but the summary states all four credentials absent: PASS', async (t) => {
  const result = evaluateOne(
    rootCredentialsAbsent,
    evidenceFor({
      rootCredentialsAudit: failed('sts:AssumeRoot', 'AccessDenied'),
      accountSummary: ok(rootWithoutPasswordOrKeys()),
    }),
  );
  t.equal(result.status, 'PASS');
  t.match(
    result.message,
    /AccountPasswordPresent = 0, AccountAccessKeysPresent = 0, AccountSigningCertificatesPresent = 0, AccountMFAEnabled = 0/,
  );
});

t.test('ERROR when the organization features could not be read', async (t) => {
  const result = evaluateOne(
    rootCredentialsAbsent,
    evidenceFor({ organizationFeatures: failed('iam:ListOrganizationsFeatures') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(
    result.message,
    /AccessDenied on iam:ListOrganizationsFeatures reading the organization for 111122223333/,
  );
});
