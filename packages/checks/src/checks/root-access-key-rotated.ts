import { defineCheck } from '../check.ts';
import {
  day,
  daysBetween,
  errorOutcome,
  heldSlots,
  listOf,
  outcome,
  reportDate,
  rootArn,
} from './support.ts';

export const ROTATION_DAYS = 90;

/**
 * Evidence: the credential report (required). Only active keys must be rotated: an inactive key
 * cannot sign a request, and its mere existence is root-no-access-keys' critical finding. A report
 * without a root row cannot show the keys: ERROR, not PASS or NOT_APPLICABLE.
 */
export const rootAccessKeyRotated = defineCheck({
  metadata: {
    id: 'root-access-key-rotated',
    title: 'Root access keys are rotated within 90 days',
    severity: 'medium',
    scope: 'account',
    description:
      'When root has active access keys, checks that each was created or rotated within the last 90 days ' +
      '(credential report access_key_N_last_rotated). Not applicable when root has no active key.',
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
    compliance: [],
  },
  evidence: ['credentialReport'],
  evaluate({ credentialReport }, context) {
    const resource = rootArn(context);
    if (!credentialReport.ok) return [errorOutcome(resource, context, [credentialReport.error])];
    const root = credentialReport.value.root;
    if (root === null) {
      return [
        outcome(
          'ERROR',
          resource,
          `The credential report of ${context.accountId} (generated ${credentialReport.value.generatedTime}) has no <root_account> row, so root's access keys cannot be checked.`,
        ),
      ];
    }
    const keys = heldSlots(root.accessKeys);
    const active = keys.filter((key) => key.active);
    if (active.length === 0) {
      const inactive =
        keys.length > 0
          ? ` (inactive key ${listOf(keys.map((key) => String(key.slot)))} cannot sign requests; root-no-access-keys reports it)`
          : '';
      return [
        outcome('NOT_APPLICABLE', resource, `Not applicable: root has no active access key${inactive}.`),
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
    if (undated.length > 0) {
      return [
        outcome(
          'ERROR',
          resource,
          `The credential report gives no rotation date for active root access key ${listOf(undated.map((key) => String(key.slot)))}, so its age is unknown.`,
          { accessKeys: ages },
        ),
      ];
    }
    const stale = ages.filter((key) => (key.ageDays ?? 0) > ROTATION_DAYS);
    if (stale.length > 0) {
      const named = stale.map(
        (key) =>
          `access key ${key.slot} (last rotated ${day(new Date(key.lastRotated ?? 0))}, ${Math.floor(key.ageDays ?? 0)} days ago)`,
      );
      return [
        outcome(
          'FAIL',
          resource,
          `Root ${listOf(named)} ${stale.length === 1 ? 'is' : 'are'} older than ${ROTATION_DAYS} days: rotate or, better, delete.`,
          {
            accessKeys: ages,
          },
        ),
      ];
    }
    return [
      outcome('PASS', resource, `Every active root access key was rotated within ${ROTATION_DAYS} days.`, {
        accessKeys: ages,
      }),
    ];
  },
});
