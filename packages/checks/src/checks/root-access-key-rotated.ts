import { defineCheck } from '../check.ts';
import { reportRootRow, rootAccessKeys, sourceOf } from './root-credentials-state.ts';
import {
  day,
  daysBetween,
  errorOutcome,
  heldSlots,
  listOf,
  outcome,
  ROTATION_DATE_MISSING,
  reportDate,
  rootArn,
} from './support.ts';

export const ROTATION_DAYS = 90;

/**
 * Evidence: AccountAccessKeysPresent = 0 in the account summary proves there is nothing to rotate
 * (NOT_APPLICABLE), whatever became of the credential report. Otherwise the report's root row gives
 * each key's rotation date; a report that cannot be read, or has no root row, leaves the ages
 * unknown: ERROR, naming the summary too when it did not answer. Only active keys must be rotated:
 * an inactive key cannot sign a request, and its mere existence is root-no-access-keys' critical
 * finding. A key the summary counts but the report (up to 4 hours old) does not list yet was
 * created after the report, so it is younger than the report.
 */
export const rootAccessKeyRotated = defineCheck({
  metadata: {
    id: 'root-access-key-rotated',
    title: 'Root access keys are rotated within 90 days',
    severity: 'medium',
    scope: 'account',
    description:
      'When root has active access keys, checks that each was created or rotated within the last 90 days ' +
      '(credential report access_key_N_last_rotated). Not applicable when root has no key ' +
      '(iam:GetAccountSummary AccountAccessKeysPresent = 0, even when the credential report cannot be read) or the ' +
      'report shows no active key.',
    rationale:
      'Root should have no access keys at all (root-no-access-keys). Where one is kept anyway, a short life limits how ' +
      'long a leaked copy works. Rated medium: the existence of the key is already a critical finding.',
    remediation: {
      console: [
        'Prefer deleting the key (see root-no-access-keys).',
        'Otherwise sign in as root, open Security credentials, choose Create access key, move every user of the old key to the new one,',
        'then deactivate and delete the old key.',
      ],
      cli:
        '# In a root session (sign-in or sts assume-root):\n' +
        'aws iam create-access-key\n' +
        'aws iam update-access-key --access-key-id <old> --status Inactive && aws iam delete-access-key --access-key-id <old>',
    },
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html',
    ],
  },
  evidence: ['accountSummary', 'credentialReport'],
  evaluate({ accountSummary, credentialReport }, context) {
    const resource = rootArn(context);
    const summaryKeys = accountSummary.ok ? accountSummary.value.accountAccessKeysPresent : null;
    if (summaryKeys === false) {
      return [
        outcome(
          'NOT_APPLICABLE',
          resource,
          'Not applicable: root has no access keys (AccountAccessKeysPresent = 0).',
          { accountAccessKeysPresent: false },
        ),
      ];
    }
    const report = reportRootRow(credentialReport);
    if ('action' in report) {
      const keys = rootAccessKeys(accountSummary, credentialReport, context);
      const errors = keys.known ? [report] : keys.errors;
      const prefix = keys.known
        ? `Root has access keys (${sourceOf(keys)}), but their rotation dates are unknown: `
        : 'Whether root has access keys, and how old they are, is unknown: ';
      return [errorOutcome(resource, context, errors, 'account', prefix)];
    }
    const { row: root, generatedTime } = report;
    const keys = heldSlots(root.accessKeys);
    const active = keys.filter((key) => key.active);
    if (summaryKeys === true && keys.length === 0) {
      const reportAgeDays = daysBetween(new Date(generatedTime), context.now);
      if (reportAgeDays <= ROTATION_DAYS) {
        return [
          outcome(
            'PASS',
            resource,
            `Root has access keys (AccountAccessKeysPresent = 1) that the credential report generated ${generatedTime} does not list yet: they were created since, so none is older than ${ROTATION_DAYS} days.`,
            { accessKeys: [], credentialReportGeneratedTime: generatedTime },
          ),
        ];
      }
    }
    if (active.length === 0) {
      const inactive =
        keys.length > 0
          ? ` (inactive key ${listOf(keys.map((key) => String(key.slot)))} cannot sign requests; root-no-access-keys reports it)`
          : '';
      return [
        outcome(
          'NOT_APPLICABLE',
          resource,
          `Not applicable: root has no active access key${inactive} (credential report generated ${generatedTime}).`,
          { accessKeys: keys, credentialReportGeneratedTime: generatedTime },
        ),
      ];
    }
    const ages = active.map((key) => {
      const rotated = reportDate(key.lastRotated);
      return {
        slot: key.slot,
        lastRotated: rotated ? rotated.toISOString() : null,
        ageDays: rotated ? daysBetween(rotated, context.now) : null,
      };
    });
    const undated = ages.filter((key) => key.ageDays === null);
    const undatedSlots = listOf(undated.map((key) => String(key.slot)));
    const stale = ages.filter((key) => (key.ageDays ?? 0) > ROTATION_DAYS);
    if (stale.length > 0) {
      const named = stale.map(
        (key) =>
          `access key ${key.slot} (last rotated ${day(new Date(key.lastRotated ?? 0))}, ${Math.floor(key.ageDays ?? 0)} days ago)`,
      );
      const unknown =
        undated.length > 0 ? ` The age of active key ${undatedSlots} is unknown (no rotation date).` : '';
      return [
        outcome(
          'FAIL',
          resource,
          `Root ${listOf(named)} ${stale.length === 1 ? 'is' : 'are'} older than ${ROTATION_DAYS} days: rotate or, better, delete.${unknown}`,
          { accessKeys: ages, credentialReportGeneratedTime: generatedTime },
        ),
      ];
    }
    if (undated.length > 0) {
      const error = errorOutcome(resource, context, [
        {
          action: 'iam:GetCredentialReport',
          code: ROTATION_DATE_MISSING,
          message: `the credential report generated ${generatedTime} gives no access_key_N_last_rotated for active root access key ${undatedSlots}, so its age is unknown`,
        },
      ]);
      return [
        {
          ...error,
          evidence: { ...error.evidence, accessKeys: ages, credentialReportGeneratedTime: generatedTime },
        },
      ];
    }
    return [
      outcome('PASS', resource, `Every active root access key was rotated within ${ROTATION_DAYS} days.`, {
        accessKeys: ages,
        credentialReportGeneratedTime: generatedTime,
      }),
    ];
  },
});
