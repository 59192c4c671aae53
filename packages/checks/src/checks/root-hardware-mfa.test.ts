import t from 'tap';
import {
  auditFoundVirtualAndHardwareMfa,
  auditNotPerformed,
  credentialReport,
  noVirtualMfaDevices,
  rootHasLegacyVirtualMfaSerial,
  rootHasVirtualMfa,
  rootPasswordPresenceUnknown,
  rootRow,
  rootWithoutPasswordOrKeys,
  rootWithPasswordAndMfa,
  rootWithPasswordWithoutMfa,
  summaryWithoutMfaFlag,
  virtualMfaOnlyForIamUsers,
} from '../fixtures/iam.ts';
import { evaluateOne, evidenceFor, failed, ok } from '../testing/index.ts';
import { rootHardwareMfa } from './root-hardware-mfa.ts';

const withMfa = { accountSummary: ok(rootWithPasswordAndMfa()) };

t.test('PASS when root has MFA and no virtual device is assigned to it', async (t) => {
  t.equal(
    evaluateOne(rootHardwareMfa, evidenceFor({ ...withMfa, virtualMfaDevices: ok(noVirtualMfaDevices()) }))
      .status,
    'PASS',
  );
});

t.test("IAM users' virtual devices do not count against root", async (t) => {
  const result = evaluateOne(
    rootHardwareMfa,
    evidenceFor({ ...withMfa, virtualMfaDevices: ok(virtualMfaOnlyForIamUsers()) }),
  );
  t.equal(result.status, 'PASS');
});

t.test('FAIL when a virtual device is assigned to root (User.Arn)', async (t) => {
  const result = evaluateOne(
    rootHardwareMfa,
    evidenceFor({
      ...withMfa,
      virtualMfaDevices: ok(rootHasVirtualMfa()),
      rootCredentialsAudit: ok(auditNotPerformed()),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(
    result.message,
    /virtual MFA device is assigned to root \(arn:aws:iam::111122223333:mfa\/root-phone\)/,
  );
  t.match(result.message, /hardware device beside it would not make up for it/);
});

t.test('FAIL when the serial is the legacy root-account-mfa-device, even without User.Arn', async (t) => {
  const result = evaluateOne(
    rootHardwareMfa,
    evidenceFor({ ...withMfa, virtualMfaDevices: ok(rootHasLegacyVirtualMfaSerial()) }),
  );
  t.equal(result.status, 'FAIL');
});

t.test(
  'root with virtual and hardware MFA: FAIL, and the message names the hardware device too',
  async (t) => {
    const result = evaluateOne(
      rootHardwareMfa,
      evidenceFor({
        ...withMfa,
        virtualMfaDevices: ok(rootHasVirtualMfa()),
        rootCredentialsAudit: ok(auditFoundVirtualAndHardwareMfa()),
      }),
    );
    t.equal(result.status, 'FAIL');
    t.match(result.message, /also holds hardware device GAHT12345678, but that does not make up for it/);
  },
);

t.test('FAIL when root has no MFA at all', async (t) => {
  const result = evaluateOne(
    rootHardwareMfa,
    evidenceFor({ accountSummary: ok(rootWithPasswordWithoutMfa()) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /no MFA device at all/);
});

t.test('NOT_APPLICABLE when root has no password and no access keys', async (t) => {
  const result = evaluateOne(
    rootHardwareMfa,
    evidenceFor({ accountSummary: ok(rootWithoutPasswordOrKeys()) }),
  );
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(result.message, /no password and no access keys/);
});

t.test('unknown password presence without an audit is evaluated: FAIL', async (t) => {
  const result = evaluateOne(
    rootHardwareMfa,
    evidenceFor({
      accountSummary: ok(rootPasswordPresenceUnknown()),
      rootCredentialsAudit: ok(auditNotPerformed()),
    }),
  );
  t.equal(result.status, 'FAIL');
});

t.test('ERROR when the virtual MFA list failed, never PASS', async (t) => {
  const result = evaluateOne(
    rootHardwareMfa,
    evidenceFor({ ...withMfa, virtualMfaDevices: failed('iam:ListVirtualMFADevices') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDenied on iam:ListVirtualMFADevices in 111122223333/);
});

t.test('ERROR naming both sources when neither the summary nor the credential report can tell', async (t) => {
  const result = evaluateOne(
    rootHardwareMfa,
    evidenceFor({
      accountSummary: failed('iam:GetAccountSummary', 'ThrottlingException'),
      credentialReport: failed('iam:GenerateCredentialReport'),
      rootCredentialsAudit: ok(auditNotPerformed()),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /ThrottlingException on iam:GetAccountSummary in 111122223333/);
  t.match(result.message, /AccessDenied on iam:GenerateCredentialReport in 111122223333/);
});

t.test(
  'MFA off, password unknown and the AssumeRoot audit failed: FAIL, naming the password as unknown',
  async (t) => {
    const result = evaluateOne(
      rootHardwareMfa,
      evidenceFor({
        accountSummary: ok(rootPasswordPresenceUnknown()),
        rootCredentialsAudit: failed('sts:AssumeRoot'),
      }),
    );
    t.equal(result.status, 'FAIL');
    t.match(result.message, /no MFA device at all \(AccountMFAEnabled = 0\)/);
    t.match(result.message, /whether root has a password is unknown .*AccessDenied on sts:AssumeRoot/);
  },
);

t.test('a virtual device of root proves FAIL even when the summary could not be read', async (t) => {
  const result = evaluateOne(
    rootHardwareMfa,
    evidenceFor({
      accountSummary: failed('iam:GetAccountSummary'),
      credentialReport: failed('iam:GetCredentialReport'),
      rootCredentialsAudit: failed('sts:AssumeRoot'),
      virtualMfaDevices: ok(rootHasVirtualMfa()),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /virtual MFA device is assigned to root/);
});

t.test(
  "AccountMFAEnabled missing: the credential report's mfa_active answers, and the virtual list decides",
  async (t) => {
    const result = evaluateOne(
      rootHardwareMfa,
      evidenceFor({
        accountSummary: ok(summaryWithoutMfaFlag()),
        credentialReport: ok(credentialReport(rootRow({ mfaActive: true }))),
        rootCredentialsAudit: ok(auditNotPerformed()),
      }),
    );
    t.equal(result.status, 'PASS');
    t.match(result.message, /mfa_active = true, as AccountMFAEnabled is missing from the account summary/);
  },
);
