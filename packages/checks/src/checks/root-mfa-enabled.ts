import { defineCheck } from '../check.ts';
import { rootCredentialsState, rootMfa, sourceOf } from './root-credentials-state.ts';
import { errorOutcome, outcome, rootArn } from './support.ts';

/**
 * Evidence: whether root has MFA comes from the account summary (AccountMFAEnabled), else an
 * AssumeRoot audit, else the credential report's mfa_active; when none of them answers: ERROR
 * naming each. MFA off is FAIL unless root provably cannot sign in (no password and no access keys:
 * summary, audit or report for the keys; summary or audit for the password, never the report's
 * password_enabled); a password or keys nobody could read are named as unknown in the FAIL.
 */
export const rootMfaEnabled = defineCheck({
  metadata: {
    id: 'root-mfa-enabled',
    title: 'Root user has MFA enabled',
    severity: 'critical',
    scope: 'account',
    description:
      'Checks that the root user has at least one MFA device (iam:GetAccountSummary AccountMFAEnabled = 1; when the ' +
      "summary leaves the key out, an AssumeRoot audit or the credential report's mfa_active). Not applicable only " +
      'with proof that root cannot sign in: no password and no access keys. Without MFA, a password nobody could ' +
      'read is named as unknown and the result is FAIL, as CIS and Security Hub IAM.9 judge.',
    rationale:
      'Root has unrestricted access to the account, and IAM policies cannot limit it. Without MFA, a leaked or ' +
      'phished root password (or a password reset through the root email) is enough to take over the account. ' +
      'AWS Security Hub rates IAM.9 critical.',
    remediation: {
      console: [
        'Sign in to the AWS Management Console as the root user of the account.',
        'Open the account menu (top right) and choose Security credentials.',
        'Under Multi-factor authentication (MFA), choose Assign MFA device.',
        'Prefer a passkey/security key or hardware TOTP token; follow the prompts to register it.',
        'Under centralized root access (member accounts), you may instead delete the root password and keys so root cannot sign in at all.',
      ],
      cli:
        '# MFA for root can only be assigned while signed in as root; verify afterwards:\n' +
        'aws iam get-account-summary --query "SummaryMap.AccountMFAEnabled"',
    },
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-9',
      'https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html',
    ],
  },
  evidence: ['accountSummary', 'credentialReport', 'rootCredentialsAudit'],
  evaluate({ accountSummary, credentialReport, rootCredentialsAudit }, context) {
    const resource = rootArn(context);
    const mfa = rootMfa(accountSummary, credentialReport, rootCredentialsAudit, context);
    const facts = {
      summaryMap: accountSummary.ok ? accountSummary.value.summaryMap : null,
      mfa: mfa.known ? { present: mfa.present, source: mfa.source } : null,
      ...(credentialReport.ok ? { credentialReportGeneratedTime: credentialReport.value.generatedTime } : {}),
    };
    if (mfa.known && mfa.present) {
      return [outcome('PASS', resource, `Root has MFA enabled (${sourceOf(mfa)}).`, facts)];
    }
    const state = rootCredentialsState(accountSummary, credentialReport, rootCredentialsAudit, context);
    if (state.kind === 'absent') {
      return [outcome('NOT_APPLICABLE', resource, `Not applicable: ${state.reason}.`, facts)];
    }
    if (!mfa.known) {
      return [
        errorOutcome(
          resource,
          context,
          mfa.errors,
          'account',
          'Whether root has MFA is unknown, as no source that was read could tell: ',
        ),
      ];
    }
    return [
      outcome(
        'FAIL',
        resource,
        `Root has no MFA device (${sourceOf(mfa)}) and ${state.description}: assign an MFA device to root.`,
        facts,
      ),
    ];
  },
});
