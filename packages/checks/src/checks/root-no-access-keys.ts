import { defineCheck } from '../check.ts';
import type { CredentialReportAccessKey } from '../evidence.ts';
import { absenceOutcome, rootAccessKeys, sourceOf } from './root-credentials-state.ts';
import { day, describeError, heldSlots, listOf, outcome, reportDate, rootArn } from './support.ts';

function describeKey(key: CredentialReportAccessKey): string {
  const used = reportDate(key.lastUsedDate);
  const use = used
    ? `last used ${day(used)}${key.lastUsedService ? ` on ${key.lastUsedService}` : ''}${key.lastUsedRegion ? ` in ${key.lastUsedRegion}` : ''}`
    : 'never used';
  return `access key ${key.slot} (${key.active ? 'active' : 'inactive'}, ${use})`;
}

/**
 * Evidence: the account summary decides (it is live; the report can be 4 hours old). When it cannot
 * (AccountAccessKeysPresent missing, or the summary unreadable), the credential report's root row
 * decides instead (access_key_N_active, and a rotation date for an inactive key); when neither
 * answers: ERROR naming both. Otherwise the report only names the keys and their last use, so its
 * failure turns a FAIL into a FAIL without detail, never into ERROR, and does not stop a PASS.
 */
export const rootNoAccessKeys = defineCheck({
  metadata: {
    id: 'root-no-access-keys',
    title: 'Root user has no access keys',
    severity: 'critical',
    scope: 'account',
    description:
      'Checks that the root user has no access keys, active or inactive (iam:GetAccountSummary AccountAccessKeysPresent = 0; ' +
      "when the summary leaves the key out, the credential report's access_key_1_active and access_key_2_active). " +
      'When keys exist, the message names each one and its last use from the credential report.',
    rationale:
      'A root access key is a long-lived credential with unrestricted, unconditional access that IAM policies cannot ' +
      'limit and MFA does not protect. A key leaked in code, logs or a laptop backup hands over the account. ' +
      'AWS Security Hub rates IAM.4 critical.',
    remediation: {
      console: [
        'Find what uses the key first: the credential report shows its last use, service and region.',
        'Sign in as the root user and open Security credentials from the account menu.',
        'Under Access keys, choose Actions → Deactivate for each key, wait to confirm nothing breaks, then Actions → Delete.',
        'For a member account under centralized root access, use IAM → Root access management → select the account → Take privileged action → Delete root user credentials.',
      ],
      cli:
        'aws sts assume-root --target-principal <member-account-id> ' +
        '--task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials\n' +
        '# with the returned credentials:\n' +
        'aws iam list-access-keys && aws iam delete-access-key --access-key-id <AKIA…>',
    },
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-4',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html',
    ],
  },
  evidence: ['accountSummary', 'credentialReport'],
  evaluate({ accountSummary, credentialReport }, context) {
    const resource = rootArn(context);
    const keys = rootAccessKeys(accountSummary, credentialReport, context);
    if (!keys.known || !keys.present) return [absenceOutcome(keys, 'access keys', credentialReport, context)];
    const headline = `Root has access keys (${sourceOf(keys)})`;
    if (!credentialReport.ok) {
      return [
        outcome(
          'FAIL',
          resource,
          `${headline}; which ones and their last use are unknown because the credential report could not be read (${describeError(credentialReport.error, context)}). Delete them.`,
          { credentialReportError: credentialReport.error },
        ),
      ];
    }
    const root = credentialReport.value.root;
    if (root === null) {
      return [
        outcome(
          'FAIL',
          resource,
          `${headline}; the credential report has no <root_account> row, so their last use is unknown. Delete them.`,
          { credentialReportGeneratedTime: credentialReport.value.generatedTime },
        ),
      ];
    }
    const held = heldSlots(root.accessKeys);
    const active = held.filter((key) => key.active);
    const detail =
      held.length > 0
        ? `: ${listOf(held.map(describeKey))}${active.length === 0 ? ' (none active, but an inactive key can be reactivated)' : ''}`
        : ` (the credential report generated ${credentialReport.value.generatedTime} does not list them yet)`;
    return [
      outcome('FAIL', resource, `${headline}${detail}. Delete them.`, {
        activeKeys: active.map((key) => key.slot),
        accessKeys: held,
        credentialReportGeneratedTime: credentialReport.value.generatedTime,
      }),
    ];
  },
});
