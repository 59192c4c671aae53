import t from 'tap';
import { MEMBER_ROOT_ARN } from '../fixtures/accounts.ts';
import {
  auditFoundLeftoverRootCredentials,
  auditFoundNoRootCredentials,
  auditNotPerformed,
  rootPasswordPresenceUnknown,
  rootWithAccessKeysWithoutMfa,
  rootWithoutPasswordOrKeys,
  rootWithPasswordAndMfa,
  rootWithPasswordWithoutMfa,
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
  t.test('the audit failed when it was needed: ERROR', async (t) => {
    const result = evaluateOne(
      rootMfaEnabled,
      evidenceFor({
        accountSummary: ok(rootPasswordPresenceUnknown()),
        rootCredentialsAudit: failed('sts:AssumeRoot'),
      }),
    );
    t.equal(result.status, 'ERROR');
    t.match(result.message, /AccessDenied on sts:AssumeRoot in 111122223333/);
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

t.test('ERROR naming the action, the code and the account when the summary failed', async (t) => {
  const result = evaluateOne(
    rootMfaEnabled,
    evidenceFor({ accountSummary: failed('iam:GetAccountSummary') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(
    result.message,
    /^AccessDenied on iam:GetAccountSummary in 111122223333: .*redeploy the audit-role template/,
  );
});

t.test('the credential report is never read (its password_enabled must not gate)', async (t) => {
  t.notOk((rootMfaEnabled.evidence as readonly string[]).includes('credentialReport'));
  const result = evaluateOne(
    rootMfaEnabled,
    evidenceFor({
      accountSummary: ok(rootWithPasswordWithoutMfa()),
      credentialReport: failed('iam:GetCredentialReport'),
    }),
    context(),
  );
  t.equal(result.status, 'FAIL');
});
