import type { CheckOutcome } from '../check.ts';
import { defineCheck } from '../check.ts';
import type { AccountSummary, Collected } from '../evidence.ts';
import { describeError, errorOutcome, listOf, outcome, rootArn } from './support.ts';

const summaryCredentials = [
  ['AccountPasswordPresent', 'accountPasswordPresent', 'a console password'],
  ['AccountAccessKeysPresent', 'accountAccessKeysPresent', 'access keys'],
  ['AccountSigningCertificatesPresent', 'accountSigningCertificatesPresent', 'signing certificates'],
  ['AccountMFAEnabled', 'accountMfaEnabled', 'an MFA device'],
] as const;

/**
 * When no audit answers, the live account summary still can: any credential it shows is FAIL; all
 * four keys present and 0 is PASS. null when it settles nothing.
 */
function summaryVerdict(
  accountSummary: Collected<AccountSummary>,
  resource: string,
  auditMissing: string,
): CheckOutcome | null {
  if (!accountSummary.ok) return null;
  const summary = accountSummary.value;
  const present = summaryCredentials.filter(([, field]) => summary[field] === true);
  const unknown = summaryCredentials.filter(([, field]) => summary[field] === null);
  const facts = { summaryMap: summary.summaryMap, auditMissing };
  if (present.length > 0) {
    const unknownNote =
      unknown.length > 0
        ? ` ${listOf(unknown.map(([key]) => key))} missing from the summary, so more may remain.`
        : '';
    return outcome(
      'FAIL',
      resource,
      `Root still has ${listOf(present.map(([key, , what]) => `${what} (${key} = 1)`))}: delete ${present.length === 1 ? 'it' : 'them'} through Root access management. The account summary shows it, as ${auditMissing}.${unknownNote}`,
      facts,
    );
  }
  if (unknown.length === 0) {
    return outcome(
      'PASS',
      resource,
      `Root has no password, access keys, signing certificates or MFA devices (account summary: ${summaryCredentials.map(([key]) => `${key} = 0`).join(', ')}); ${auditMissing}.`,
      facts,
    );
  }
  return null;
}

/**
 * Evidence: organization features and the AssumeRoot audit, with the account summary for when the
 * audit cannot answer. The management account is NOT_APPLICABLE from the context alone (AssumeRoot
 * only targets members); centralized root credentials management off is NOT_APPLICABLE with that
 * reason (IAM's refusal to list features when it gave one: no trusted access, or not all features).
 * With it on, the audit decides; an audit that failed or was not made leaves the summary,
 * which FAILs on any credential it shows and PASSes only when it states all four absent; otherwise
 * ERROR naming the audit. Inactive keys and certificates count: they can be reactivated.
 */
export const rootCredentialsAbsent = defineCheck({
  metadata: {
    id: 'root-credentials-absent',
    title: 'Member root user has no credentials under centralized root access',
    severity: 'high',
    scope: 'account',
    description:
      "When centralized root credentials management is on, reads the member's root credentials through sts:AssumeRoot " +
      'with the IAMAuditRootUserCredentials task policy and checks that root has no password, access keys, signing ' +
      'certificates or MFA devices; when no audit answers, the account summary still fails any credential it shows, ' +
      'and passes only when it states all four absent. Not applicable when the feature is off (with the reason IAM gave ' +
      'when it refused to list features: no trusted access for IAM, or not all features), and for the management account.',
    rationale:
      'Centralized root access exists so member accounts need no root credentials at all: privileged tasks run as short ' +
      'sessions from the management account. Any credential left behind is an unmanaged way into the account.',
    remediation: {
      console: [
        'In the management account, open IAM → Root access management.',
        'Select the member account and choose Take privileged action → Delete root user credentials.',
        'Confirm deletion of the console password, access keys, signing certificates and MFA devices.',
      ],
      cli:
        'aws sts assume-root --target-principal <member-account-id> ' +
        '--task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials\n' +
        '# with the returned credentials:\n' +
        'aws iam delete-login-profile\n' +
        'aws iam delete-access-key --access-key-id <id>; aws iam delete-signing-certificate --certificate-id <id>\n' +
        'aws iam deactivate-mfa-device --serial-number <serial>',
    },
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-access-management.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html',
      'https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html',
    ],
  },
  evidence: ['organizationFeatures', 'rootCredentialsAudit', 'accountSummary'],
  evaluate({ organizationFeatures, rootCredentialsAudit, accountSummary }, context) {
    const resource = rootArn(context);
    if (context.isManagementAccount) {
      return [
        outcome(
          'NOT_APPLICABLE',
          resource,
          'Not applicable: centralized root access manages member accounts only; the management account keeps its root credentials.',
        ),
      ];
    }
    if (!organizationFeatures.ok) {
      return [errorOutcome(resource, context, [organizationFeatures.error], 'organization')];
    }
    if (!organizationFeatures.value.rootCredentialsManagement) {
      const { offBecause } = organizationFeatures.value;
      return [
        outcome(
          'NOT_APPLICABLE',
          resource,
          offBecause
            ? `Not applicable: centralized root credentials management is off because ${offBecause.reason}.`
            : 'Not applicable: centralized root credentials management (RootCredentialsManagement) is not enabled in the organization.',
          offBecause ? { offBecause } : {},
        ),
      ];
    }
    if (!rootCredentialsAudit.ok || !rootCredentialsAudit.value.audited) {
      const auditMissing = rootCredentialsAudit.ok
        ? `no AssumeRoot audit of ${context.accountId} was made: ${rootCredentialsAudit.value.audited ? '' : rootCredentialsAudit.value.reason}`
        : `the AssumeRoot audit failed (${describeError(rootCredentialsAudit.error, context)})`;
      const fromSummary = summaryVerdict(accountSummary, resource, auditMissing);
      if (fromSummary) return [fromSummary];
      if (!rootCredentialsAudit.ok) {
        return [
          errorOutcome(
            resource,
            context,
            accountSummary.ok
              ? [rootCredentialsAudit.error]
              : [rootCredentialsAudit.error, accountSummary.error],
          ),
        ];
      }
      return [
        outcome(
          'ERROR',
          resource,
          `Centralized root credentials management is on, but ${auditMissing}; the account summary does not settle it either. Check that rootaudit may call sts:AssumeRoot with the IAMAuditRootUserCredentials task policy.`,
        ),
      ];
    }
    const audit = rootCredentialsAudit.value;
    const remaining = [
      audit.passwordPresent ? 'a console password' : '',
      ...audit.accessKeys.map((key) => `access key ${key.accessKeyId} (${key.status})`),
      ...audit.signingCertificates.map(
        (certificate) => `signing certificate ${certificate.certificateId} (${certificate.status})`,
      ),
      ...audit.mfaDevices.map((device) => `MFA device ${device.serialNumber}`),
    ].filter(Boolean);
    const facts = {
      passwordPresent: audit.passwordPresent,
      accessKeys: audit.accessKeys,
      signingCertificates: audit.signingCertificates,
      mfaDevices: audit.mfaDevices,
    };
    if (remaining.length > 0) {
      return [
        outcome(
          'FAIL',
          resource,
          `Root still has ${listOf(remaining)}: delete ${remaining.length === 1 ? 'it' : 'them'} through Root access management.`,
          facts,
        ),
      ];
    }
    return [
      outcome(
        'PASS',
        resource,
        'Root has no password, access keys, signing certificates or MFA devices (AssumeRoot audit).',
        facts,
      ),
    ];
  },
});
