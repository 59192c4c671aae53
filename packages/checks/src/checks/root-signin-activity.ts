import { defineCheck } from '../check.ts';
import type { CollectionError, RootEvent } from '../evidence.ts';
import { cis, cisVersions } from './compliance.ts';
import { DAY_MS, errorOutcome, inRegion, outcome, rootArn, signInRegionOf, withRegion } from './support.ts';

const LISTED_IN_MESSAGE = 10;

function describeEvent(event: RootEvent): string {
  const mfa = event.mfaUsed === null ? 'MFA not recorded' : event.mfaUsed ? 'MFA used' : 'no MFA';
  return (
    `${event.eventTime} ${event.eventName} (${event.eventSource}, ${event.region}) from ${event.sourceIpAddress ?? 'unknown IP'}` +
    `, ${event.userAgent ?? 'unknown user agent'}, ${mfa}${event.outcome ? `, ${event.outcome}` : ''}`
  );
}

/**
 * Evidence: root events per region (required) in every scanned region plus the partition's sign-in
 * region (us-east-1 in `aws`), where ConsoleLogin is recorded whether or not it is scanned.
 * Events found prove FAIL even if another region could not be read (the message says which);
 * no events and an unread region is ERROR. Failed sign-in attempts are listed and FAIL too: someone
 * tried the root password.
 */
export const rootSigninActivity = defineCheck({
  metadata: {
    id: 'root-signin-activity',
    title: 'No root sign-in or API activity in CloudTrail within the window',
    severity: 'high',
    scope: 'account',
    description:
      'Looks up CloudTrail event history (cloudtrail:LookupEvents) for events by userIdentity.type = Root within the ' +
      'window (default 90 days): ConsoleLogin in the sign-in region (us-east-1) and root API calls in every scanned ' +
      'region. Each event is listed with time, source IP, user agent, MFAUsed and outcome.',
    rationale:
      'The credential report shows only the last use of each root credential and can be 4 hours old; CloudTrail shows ' +
      'every sign-in and call, from where and with or without MFA, so an unexpected root session can be investigated. ' +
      'Evidence for CIS "Eliminate use of the root user".',
    remediation: {
      console: [
        'Open CloudTrail → Event history in us-east-1, filter User name = root, and review each event (source IP, user agent, MFA).',
        'Repeat in each region the message lists.',
        'If a use is not explained, rotate the root password, remove root access keys, review MFA devices and open an incident.',
        'Move recurring root tasks to IAM Identity Center or roles; for members, use centralized root access (sts:AssumeRoot) for the few privileged tasks.',
      ],
      cli:
        'aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventName,AttributeValue=ConsoleLogin ' +
        '--query "Events[?contains(CloudTrailEvent, \'\\"type\\":\\"Root\\"\')]"\n' +
        'aws cloudtrail lookup-events --region <region> --lookup-attributes AttributeKey=Username,AttributeValue=root',
    },
    references: [
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html',
    ],
    // "CIS 1.7 (evidence)": the control numbered 1.7 (v1.4.0–4.0.0), for which this is supporting evidence.
    compliance: cis({ '1.7': cisVersions('1.4.0', '4.0.0') }),
  },
  evidence: ['rootEvents'],
  evaluate({ rootEvents }, context) {
    const resource = rootArn(context);
    const signInRegion = signInRegionOf(context.partition);
    const regions = [...new Set([...context.regions, signInRegion])];
    const windowStart = new Date(context.now.getTime() - context.rootUsageWindowDays * DAY_MS);
    const errors: CollectionError[] = [];
    const found = new Map<string, RootEvent>();
    for (const region of regions) {
      const answer = inRegion(rootEvents, region, 'rootEvents');
      if (!answer.ok) {
        errors.push(withRegion(answer.error, region));
        continue;
      }
      const scanned = context.regions.includes(region);
      for (const event of answer.value.events) {
        const at = new Date(event.eventTime);
        if (Number.isNaN(at.getTime()) || at < windowStart || at > context.now) continue;
        // Outside the scanned regions, the sign-in region is read for ConsoleLogin only.
        if (!scanned && event.eventName !== 'ConsoleLogin') continue;
        found.set(event.eventId, event);
      }
    }
    const events = [...found.values()].sort((a, b) => b.eventTime.localeCompare(a.eventTime));
    const facts = {
      windowStart: windowStart.toISOString(),
      windowEnd: context.now.toISOString(),
      regions,
      events,
      unreadRegions: errors.map((error) => error.region),
    };
    if (events.length > 0) {
      const signIns = events.filter((event) => event.eventName === 'ConsoleLogin').length;
      const listed = events.slice(0, LISTED_IN_MESSAGE).map(describeEvent).join('; ');
      const more =
        events.length > LISTED_IN_MESSAGE
          ? `; and ${events.length - LISTED_IN_MESSAGE} more (see evidence)`
          : '';
      const unread =
        errors.length > 0 ? ` (${errors.map((error) => error.region).join(', ')} could not be read)` : '';
      return [
        outcome(
          'FAIL',
          resource,
          `Root was active in the last ${context.rootUsageWindowDays} days: ${events.length} event(s), ${signIns} console sign-in(s)${unread}: ${listed}${more}.`,
          facts,
        ),
      ];
    }
    if (errors.length > 0) {
      const note = errors.some((error) => error.region === signInRegion)
        ? `Root console sign-ins are recorded only in ${signInRegion}. `
        : '';
      return [errorOutcome(resource, context, errors, 'account', note)];
    }
    return [
      outcome(
        'PASS',
        resource,
        `No root console sign-in (${signInRegion}) and no root API event (${context.regions.join(', ')}) in the last ${context.rootUsageWindowDays} days.`,
        facts,
      ),
    ];
  },
});
