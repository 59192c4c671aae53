import { defineCheck } from '../check.ts';
import { cis, cisVersions, fsbp } from './compliance.ts';
import { rootCredentialsState } from './root-credentials-state.ts';
import { errorOutcome, outcome, rootArn } from './support.ts';

/**
 * Evidence: the account summary is required. The AssumeRoot audit is consulted only when the summary
 * leaves the password unknown, so its failure is an ERROR only then. The credential report is not
 * read: its mfa_active repeats AccountMFAEnabled and its password_enabled must never gate a root check.
 */
export const rootMfaEnabled = defineCheck({
  metadata: {
    id: 'root-mfa-enabled',
    title: 'Root user has MFA enabled',
    severity: 'critical',
    scope: 'account',
    description:
      'Checks that the root user has at least one MFA device (iam:GetAccountSummary AccountMFAEnabled = 1). ' +
      'A root user with no password and no access keys cannot sign in and is not applicable.',
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
    compliance: [
      ...cis({ '1.5': cisVersions('1.4.0', '4.0.0'), '1.4': ['5.0.0'], '2.4': ['6.0.0'], '2.5': ['7.0.0'] }),
      fsbp('IAM.9'),
    ],
  },
  evidence: ['accountSummary', 'rootCredentialsAudit'],
  evaluate({ accountSummary, rootCredentialsAudit }, context) {
    const resource = rootArn(context);
    if (!accountSummary.ok) return [errorOutcome(resource, context, [accountSummary.error])];
    const summary = accountSummary.value;
    const facts = {
      accountMfaEnabled: summary.accountMfaEnabled,
      accountPasswordPresent: summary.accountPasswordPresent,
      accountAccessKeysPresent: summary.accountAccessKeysPresent,
    };
    if (summary.accountMfaEnabled) {
      return [outcome('PASS', resource, 'Root has MFA enabled (AccountMFAEnabled = 1).', facts)];
    }
    const state = rootCredentialsState(summary, rootCredentialsAudit);
    switch (state.kind) {
      case 'absent':
        return [outcome('NOT_APPLICABLE', resource, `Not applicable: ${state.reason}.`, facts)];
      case 'error':
        return [
          errorOutcome(
            resource,
            context,
            [state.error],
            'account',
            'Root has no MFA and AccountPasswordPresent is missing, so only an AssumeRoot audit could tell whether root can sign in: ',
          ),
        ];
      default:
        return [
          outcome(
            'FAIL',
            resource,
            `Root has no MFA device (AccountMFAEnabled = 0) and ${state.description}: assign an MFA device to root.`,
            facts,
          ),
        ];
    }
  },
});
