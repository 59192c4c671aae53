import { defineCheck } from '../check.ts';
import type { CollectionError } from '../evidence.ts';
import { errorOutcome, inRegion, listOf, outcome, rootArn, withRegion } from './support.ts';

/**
 * Evidence: GuardDuty detectors in every scanned region (required). A region proven without an enabled
 * detector is FAIL even if another region could not be read (the message names it); with no such
 * region, an unread region is ERROR.
 */
export const guarddutyEnabled = defineCheck({
  metadata: {
    id: 'guardduty-enabled',
    title: 'GuardDuty is enabled in every scanned region',
    severity: 'high',
    scope: 'account',
    description: 'Checks that each scanned region has a GuardDuty detector whose status is ENABLED.',
    rationale:
      'GuardDuty raises Policy:IAMUser/RootCredentialUsage when root credentials are used, and detects credential ' +
      'exfiltration and anomalous API use without any rule to maintain. AWS Security Hub rates GuardDuty.1 high.',
    remediation: {
      console: [
        'In the management account, open GuardDuty → Settings and delegate an administrator account (recommended).',
        'In the delegated administrator, in each region: GuardDuty → Accounts → enable auto-enable for all member accounts.',
        'For a single account: open GuardDuty in each region and choose Get started → Enable GuardDuty.',
      ],
      cli:
        'aws guardduty create-detector --region <region> --enable\n' +
        '# or, for a detector that exists but is disabled:\n' +
        'aws guardduty update-detector --region <region> --detector-id <id> --enable',
    },
    references: [
      'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_settingup.html',
      'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/guardduty-controls.html#guardduty-1',
    ],
  },
  evidence: ['guardDutyDetectors'],
  evaluate({ guardDutyDetectors }, context) {
    const resource = rootArn(context);
    const errors: CollectionError[] = [];
    const missing: string[] = [];
    const byRegion: Record<string, string[]> = {};
    for (const region of context.regions) {
      const answer = inRegion(guardDutyDetectors, region, 'guardDutyDetectors');
      if (!answer.ok) {
        errors.push(withRegion(answer.error, region));
        continue;
      }
      const { detectors } = answer.value;
      byRegion[region] = detectors.map((detector) => `${detector.detectorId}:${detector.status}`);
      if (!detectors.some((detector) => detector.status === 'ENABLED')) {
        missing.push(
          detectors.length === 0
            ? `${region} (no detector)`
            : `${region} (detector ${detectors.map((d) => d.status).join(', ')})`,
        );
      }
    }
    const facts = { detectors: byRegion, unreadRegions: errors.map((error) => error.region) };
    if (missing.length > 0) {
      const unread =
        errors.length > 0 ? ` (${errors.map((error) => error.region).join(', ')} could not be read)` : '';
      return [outcome('FAIL', resource, `GuardDuty is not enabled in ${listOf(missing)}${unread}.`, facts)];
    }
    if (errors.length > 0) return [errorOutcome(resource, context, errors)];
    return [
      outcome('PASS', resource, `GuardDuty has an enabled detector in ${listOf(context.regions)}.`, facts),
    ];
  },
});
