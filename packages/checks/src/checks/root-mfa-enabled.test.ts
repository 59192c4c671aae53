import t from 'tap';
import { MEMBER_ROOT_ARN } from '../fixtures/accounts.ts';
import {
  accountSummary,
  auditFoundLeftoverRootCredentials,
  auditFoundNoRootCredentials,
  auditNotPerformed,
  credentialReport,
  reportWithoutRootRow,
  rootPasswordPresenceUnknown,
  rootRow,
  rootWithAccessKeysWithoutMfa,
  rootWithoutPasswordOrKeys,
  rootWithPasswordAndMfa,
  rootWithPasswordWithoutMfa,
  summaryWithoutMfaFlag,
} from '../fixtures/iam.ts';
import { context, evaluateOne, evidenceFor, failed, ok } from '../testing/index.ts';
import { rootMfaEnabled } from './root-mfa-enabled.ts';

t.test('PASS when AccountMFAEnabled = 1', async (t) => {
  const result = evaluateOne(rootMfaEnabled, evidenceFor({ accountSummary: ok(rootWithPasswordAndMfa()) }));
  t.equal(result.status, 'PASS');
  t.equal(result.resource, MEMBER_ROOT_ARN);
});

t.test('FAIL when root has a password and no MFA', async (t) => {
  const result = evaluateOne(
    rootMfaEnabled,
    evidenceFor({ accountSummary: ok(rootWithPasswordWithoutMfa()) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /no MFA device.*root has a password/);
});

t.test('FAIL when root has access keys and no MFA, even without a password', async (t) => {
  const result = evaluateOne(
    rootMfaEnabled,
    evidenceFor({ accountSummary: ok(rootWithAccessKeysWithoutMfa()) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /access keys/);
});

t.test('NOT_APPLICABLE when root has no password and no access keys, with the reason', async (t) => {
  const result = evaluateOne(
    rootMfaEnabled,
    evidenceFor({ accountSummary: ok(rootWithoutPasswordOrKeys()) }),
  );
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(result.message, /no password and no access keys/);
});

t.test('a missing AccountPasswordPresent key is unknown, never absent', async (t) => {
  t.test('without an AssumeRoot audit: evaluated normally, FAIL', async (t) => {
    const result = evaluateOne(
      rootMfaEnabled,
      evidenceFor({
        accountSummary: ok(rootPasswordPresenceUnknown()),
        rootCredentialsAudit: ok(auditNotPerformed()),
      }),
    );
    t.equal(result.status, 'FAIL');
    t.match(result.message, /unknown/);
  });
  t.test('an AssumeRoot audit that found no password or keys proves NOT_APPLICABLE', async (t) => {
    const result = evaluateOne(
      rootMfaEnabled,
      evidenceFor({
        accountSummary: ok(rootPasswordPresenceUnknown()),
        rootCredentialsAudit: ok(auditFoundNoRootCredentials()),
      }),
    );
    t.equal(result.status, 'NOT_APPLICABLE');
    t.match(result.message, /AssumeRoot audit/);
  });
  t.test('an AssumeRoot audit that found a password: FAIL', async (t) => {
    const result = evaluateOne(
      rootMfaEnabled,
      evidenceFor({
        accountSummary: ok(rootPasswordPresenceUnknown()),
        rootCredentialsAudit: ok(auditFoundLeftoverRootCredentials()),
      }),
    );
    t.equal(result.status, 'FAIL');
  });
  t.test(
    'the AssumeRoot audit failed: FAIL (as CIS and IAM.9 judge), naming the password and the audit as unknown',
    async (t) => {
      const result = evaluateOne(
        rootMfaEnabled,
        evidenceFor({
          accountSummary: ok(rootPasswordPresenceUnknown()),
          rootCredentialsAudit: failed('sts:AssumeRoot'),
        }),
      );
      t.equal(result.status, 'FAIL');
      t.match(result.message, /^Root has no MFA device \(AccountMFAEnabled = 0\)/);
      t.match(
        result.message,
        /whether root has a password is unknown \(AccountPasswordPresent is missing from the account summary; the AssumeRoot audit could not be read \(AccessDenied on sts:AssumeRoot in 111122223333/,
      );
      t.match(result.message, /root has no access keys \(AccountAccessKeysPresent = 0\)/);
    },
  );
  t.test('no AssumeRoot audit (centralized root access off): FAIL naming why', async (t) => {
    const result = evaluateOne(
      rootMfaEnabled,
      evidenceFor({
        accountSummary: ok(rootPasswordPresenceUnknown()),
        rootCredentialsAudit: ok(auditNotPerformed()),
      }),
    );
    t.equal(result.status, 'FAIL');
    t.match(result.message, /no AssumeRoot audit was made \(centralized root access management is off\)/);
  });
});

t.test('a missing AccountAccessKeysPresent key is unknown, never absent', async (t) => {
  const noPasswordKeysUnknown = accountSummary({ mfa: false, password: false, accessKeys: null });
  t.test('the credential report row without keys completes the proof: NOT_APPLICABLE', async (t) => {
    const result = evaluateOne(
      rootMfaEnabled,
      evidenceFor({
        accountSummary: ok(noPasswordKeysUnknown),
        credentialReport: ok(credentialReport(rootRow({ mfaActive: false }))),
        rootCredentialsAudit: ok(auditNotPerformed()),
      }),
    );
    t.equal(result.status, 'NOT_APPLICABLE');
    t.match(
      result.message,
      /AccountPasswordPresent = 0; the credential report generated .*access_key_1_active and access_key_2_active false/,
    );
  });
  t.test('no report root row: not proven, so FAIL naming the keys as unknown', async (t) => {
    const result = evaluateOne(
      rootMfaEnabled,
      evidenceFor({
        accountSummary: ok(noPasswordKeysUnknown),
        credentialReport: ok(reportWithoutRootRow()),
        rootCredentialsAudit: ok(auditNotPerformed()),
      }),
    );
    t.equal(result.status, 'FAIL');
    t.match(
      result.message,
      /root has no password \(AccountPasswordPresent = 0\), and whether root has access keys is unknown/,
    );
  });
});

t.test('AccountMFAEnabled missing is unknown, never off', async (t) => {
  t.test("the credential report's mfa_active = true: PASS, saying where it came from", async (t) => {
    const result = evaluateOne(
      rootMfaEnabled,
      evidenceFor({
        accountSummary: ok(summaryWithoutMfaFlag()),
        credentialReport: ok(credentialReport(rootRow({ mfaActive: true }))),
        rootCredentialsAudit: ok(auditNotPerformed()),
      }),
    );
    t.equal(result.status, 'PASS');
    t.match(result.message, /credential report generated .*mfa_active = true/);
  });
  t.test('no report root row either: ERROR naming both sources', async (t) => {
    const result = evaluateOne(
      rootMfaEnabled,
      evidenceFor({
        accountSummary: ok(summaryWithoutMfaFlag()),
        credentialReport: ok(reportWithoutRootRow()),
        rootCredentialsAudit: ok(auditNotPerformed()),
      }),
    );
    t.equal(result.status, 'ERROR');
    t.match(
      result.message,
      /SummaryKeyMissing on iam:GetAccountSummary in 111122223333: AccountMFAEnabled is missing/,
    );
    t.match(
      result.message,
      /RootRowMissing on iam:GetCredentialReport in 111122223333: .*no <root_account> row/,
    );
  });
});

t.test('the audit is not needed when the summary decides: its failure does not matter', async (t) => {
  const result = evaluateOne(
    rootMfaEnabled,
    evidenceFor({
      accountSummary: ok(rootWithPasswordAndMfa()),
      rootCredentialsAudit: failed('sts:AssumeRoot'),
    }),
  );
  t.equal(result.status, 'PASS');
});

t.test('the summary failed: the credential report still shows MFA off, so FAIL', async (t) => {
  const result = evaluateOne(
    rootMfaEnabled,
    evidenceFor({
      accountSummary: failed('iam:GetAccountSummary'),
      credentialReport: ok(credentialReport(rootRow({ mfaActive: false }))),
      rootCredentialsAudit: ok(auditNotPerformed()),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(
    result.message,
    /mfa_active = false, as the account summary could not be read \(AccessDenied on iam:GetAccountSummary/,
  );
});

t.test('ERROR naming the action, the code and the account when nothing read can tell', async (t) => {
  const result = evaluateOne(
    rootMfaEnabled,
    evidenceFor({
      accountSummary: failed('iam:GetAccountSummary'),
      credentialReport: failed('iam:GetCredentialReport'),
      rootCredentialsAudit: ok(auditNotPerformed()),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(
    result.message,
    /AccessDenied on iam:GetAccountSummary in 111122223333: .*redeploy the audit-role template/,
  );
  t.match(result.message, /AccessDenied on iam:GetCredentialReport in 111122223333/);
});

t.test("the credential report's password_enabled never gates: false there proves nothing", async (t) => {
  const result = evaluateOne(
    rootMfaEnabled,
    evidenceFor({
      accountSummary: ok(rootPasswordPresenceUnknown()),
      credentialReport: ok(credentialReport(rootRow({ mfaActive: false, passwordEnabled: false }))),
      rootCredentialsAudit: ok(auditNotPerformed()),
    }),
    context(),
  );
  t.equal(result.status, 'FAIL');
});
