import { defineCheck } from '../check.ts';
import { assessTrail, describeTrail } from './alerting-chain.ts';
import { errorOutcome, listOf, outcome, rootArn } from './support.ts';

/**
 * Evidence: trails (required), with each trail's status and selectors. An organization trail seen
 * from a member (DescribeTrails with shadow trails) counts like the account's own; its status and
 * selectors come from the management account's read (AWS refuses GetEventSelectors to a member). A trail whose
 * status or selectors could not be read is ERROR only when no other trail already qualifies.
 */
export const cloudtrailMultiRegion = defineCheck({
  metadata: {
    id: 'cloudtrail-multi-region',
    title: 'A multi-region CloudTrail trail logs management events',
    severity: 'high',
    scope: 'account',
    description:
      "Checks that at least one multi-region trail (the account's own or the organization trail) is logging and " +
      "records all management events (read and write). An organization trail's status and event selectors are read once " +
      "per scan from the management account (AWS refuses GetEventSelectors on another account's trail) and reused for every member.",
    rationale:
      'Root sign-ins and root API calls are management events. Without a multi-region trail, root activity in a ' +
      'region nobody watches leaves no durable record beyond 90 days of event history, and nothing can alert on it. ' +
      'AWS Security Hub rates CloudTrail.1 high.',
    remediation: {
      console: [
        'Open CloudTrail → Trails → Create trail (in the management account, tick "Enable for all accounts in my organization").',
        'Choose an S3 bucket (and KMS key), and enable CloudWatch Logs delivery for alerting.',
        'Under Events, select Management events with API activity Read and Write.',
        'Create the trail: trails created in the console are multi-region. For an existing trail, start logging if it is stopped.',
      ],
      cli:
        'aws cloudtrail create-trail --name management-events --s3-bucket-name <bucket> --is-multi-region-trail [--is-organization-trail]\n' +
        'aws cloudtrail put-event-selectors --trail-name management-events --event-selectors \'[{"ReadWriteType":"All","IncludeManagementEvents":true}]\'\n' +
        'aws cloudtrail start-logging --name management-events',
    },
    references: [
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1',
    ],
  },
  evidence: ['trails'],
  evaluate({ trails }, context) {
    const resource = rootArn(context);
    if (!trails.ok) return [errorOutcome(resource, context, [trails.error])];
    const assessments = trails.value.trails.map(assessTrail);
    const qualifying = assessments.filter((a) => a.verdict === 'qualifies').map((a) => a.trail);
    const facts = {
      trails: assessments.map((a) => ({
        arn: a.trail.arn,
        verdict: a.verdict,
        ...(a.verdict === 'falls-short' ? { shortfall: a.shortfall } : {}),
        ...(a.verdict === 'unknown' ? { error: a.error } : {}),
      })),
    };
    if (qualifying.length > 0) {
      return [
        outcome(
          'PASS',
          resource,
          `${listOf(qualifying.map(describeTrail))} ${qualifying.length === 1 ? 'is' : 'are'} multi-region, logging all management events.`,
          facts,
        ),
      ];
    }
    const unknown = assessments.flatMap((a) => (a.verdict === 'unknown' ? [a] : []));
    if (unknown.length > 0) {
      return [
        errorOutcome(
          resource,
          context,
          unknown.map((a) => a.error),
          'account',
          `No trail is known to qualify; ${listOf(unknown.map((a) => `trail ${a.trail.name}`))} could not be fully read: `,
        ),
      ];
    }
    const shortfalls = assessments.flatMap((a) => (a.verdict === 'falls-short' ? [a.shortfall] : []));
    const message =
      shortfalls.length === 0
        ? 'The account has no CloudTrail trail, own or organization: create a multi-region trail logging all management events.'
        : `No multi-region trail logs all management events: ${listOf(shortfalls)}.`;
    return [outcome('FAIL', resource, message, facts)];
  },
});
