import { defineCheck } from '../check.ts';
import type { CollectionError, RootEvent } from '../evidence.ts';
import {
  DAY_MS,
  errorOutcome,
  inRegion,
  listOf,
  outcome,
  rootArn,
  signInRegionOf,
  withRegion,
} from './support.ts';

const LISTED_IN_MESSAGE = 10;

/**
 * The IAM reads rootaudit's own sts:AssumeRoot audit makes (packages/aws/src/collectors/
 * root-credentials-audit.ts), all within the IAMAuditRootUserCredentials task policy.
 */
const OWN_AUDIT_CALLS = new Set([
  'GetLoginProfile',
  'ListAccessKeys',
  'ListMFADevices',
  'ListSigningCertificates',
]);

/**
 * One IAM principal whatever form names it: an assumed-role session ARN stands for its role (each
 * scan opens a new session of the same role), so `arn:aws:sts::A:assumed-role/R/S` is `arn:aws:iam::A:role/R`.
 */
function principalOf(arn: string): string {
  const session = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : arn;
}

/**
 * rootaudit's own audit, never root usage. Both must hold:
 * - the session was issued to the principal rootaudit calls sts:AssumeRoot with (its organization
 *   credentials): another tool's or person's session is someone using root;
 * - the call is one of the audit's IAM reads: the member's event does not name the task policy, and
 *   these calls stand for it (the audit policy allows only reads); anything else done in a session
 *   issued to rootaudit's principal is someone reusing its role for another task, and is reported.
 * An issuer recorded only as an account id, or a scanner whose principal is unknown, matches nothing:
 * an unexplained session is reported rather than hidden.
 */
export function isOwnRootAudit(
  event: Pick<RootEvent, 'eventSource' | 'eventName' | 'privilegedSession'>,
  auditIssuer: string | null,
): boolean {
  const issuer = event.privilegedSession?.issuer;
  if (!issuer || !auditIssuer) return false;
  return (
    principalOf(issuer) === principalOf(auditIssuer) &&
    event.eventSource === 'iam.amazonaws.com' &&
    OWN_AUDIT_CALLS.has(event.eventName)
  );
}

function describeEvent(event: RootEvent): string {
  const mfa = event.mfaUsed === null ? 'MFA not recorded' : event.mfaUsed ? 'MFA used' : 'no MFA';
  const result = event.outcome
    ? `, ${event.outcome}${event.errorCode ? ` (${event.errorCode})` : ''}`
    : event.errorCode
      ? `, ${event.errorCode}`
      : '';
  const session = event.privilegedSession
    ? `, privileged root session issued to ${event.privilegedSession.issuer ?? event.privilegedSession.issuerAccount ?? 'an issuer not recorded'}` +
      (event.privilegedSession.issuerType ? ` (${event.privilegedSession.issuerType})` : '')
    : '';
  return (
    `${event.eventTime} ${event.eventName} (${event.eventSource}, ${event.region}) from ${event.sourceIpAddress ?? 'unknown IP'}` +
    `, ${event.userAgent ?? 'unknown user agent'}, ${mfa}${result}${session}`
  );
}

/**
 * Evidence: root events per region (required) in every scanned region plus the partition's sign-in
 * region (us-east-1 in `aws`), read whether or not it is scanned: IAM calls and calls to the global
 * STS and sign-in endpoints (root console sign-ins among them) are recorded there only. Events found
 * prove FAIL even if another region could not be read (the message says which); no events and an unread region is ERROR. Failed sign-in attempts and failed calls are
 * listed and FAIL too: someone tried. LookupEvents keeps 90 days: a longer window with no event in
 * those 90 days is ERROR (the older days were not read), never PASS. rootaudit's own privileged
 * root sessions (its sts:AssumeRoot audit) never count; other privileged root sessions do, with who
 * issued them.
 */
export const rootSigninActivity = defineCheck({
  metadata: {
    id: 'root-signin-activity',
    title: 'No root sign-in or API activity in CloudTrail within the window',
    severity: 'high',
    scope: 'account',
    description:
      'Looks up CloudTrail event history (cloudtrail:LookupEvents, Username = root, then userIdentity.type = Root ' +
      'client-side) within the window (default 90 days) in every scanned region and always in the sign-in region ' +
      '(us-east-1), where IAM calls and calls to the global STS and sign-in endpoints are recorded (regional STS ' +
      'and sign-in endpoints record in their region). LookupEvents keeps 90 days: a longer ' +
      'window is looked up for its last 90 days, and with no event there the result is ERROR, never PASS. Calls made ' +
      "in privileged root sessions (sts:AssumeRoot) count and name who the session was issued to; rootaudit's own " +
      'audit sessions (issued to its organization principal, IAM reads of IAMAuditRootUserCredentials only) never ' +
      'count. Each event is listed with time, source IP, user agent, MFAUsed and outcome (with the error code).',
    rationale:
      'The credential report shows only the last use of each root credential and can be 4 hours old; CloudTrail shows ' +
      'every sign-in and call, from where and with or without MFA, so an unexpected root session can be investigated. ' +
      'Evidence for CIS "Eliminate use of the root user".',
    remediation: {
      console: [
        'Open CloudTrail → Event history in us-east-1, filter User name = root, and review each event (source IP, user agent, MFA).',
        'Repeat in each region the message lists.',
        'For a privileged root session, find the AssumeRoot event in the issuing account (management or IAM delegated administrator) and ask its owner why root was used.',
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
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-track-privileged-tasks.html',
    ],
    // "CIS 1.7 (evidence)": the control numbered 1.7 (v1.4.0–4.0.0), for which this is supporting evidence.
  },
  evidence: ['rootEvents'],
  evaluate({ rootEvents }, context) {
    const resource = rootArn(context);
    const signInRegion = signInRegionOf(context.partition);
    const regions = [...new Set([...context.regions, signInRegion])];
    const windowDays = context.rootUsageWindowDays;
    const windowStart = new Date(context.now.getTime() - windowDays * DAY_MS);
    const errors: CollectionError[] = [];
    const found = new Map<string, RootEvent>();
    let lookedUpDays = windowDays;
    let auditIssuer: string | null = null;
    for (const region of regions) {
      const answer = inRegion(rootEvents, region, 'rootEvents');
      if (!answer.ok) {
        errors.push(withRegion(answer.error, region));
        continue;
      }
      lookedUpDays = Math.min(lookedUpDays, answer.value.lookedUpDays);
      auditIssuer ??= answer.value.auditIssuer;
      for (const event of answer.value.events) {
        const at = new Date(event.eventTime);
        if (Number.isNaN(at.getTime()) || at < windowStart || at > context.now) continue;
        found.set(event.eventId, event);
      }
    }
    const all = [...found.values()].sort((a, b) => b.eventTime.localeCompare(a.eventTime));
    const events = all.filter((event) => !isOwnRootAudit(event, auditIssuer));
    const period =
      lookedUpDays < windowDays
        ? `the last ${lookedUpDays} days of the ${windowDays}-day window`
        : `the last ${windowDays} days`;
    const facts = {
      windowStart: windowStart.toISOString(),
      windowEnd: context.now.toISOString(),
      windowDays,
      lookedUpDays,
      regions,
      events,
      ownAuditSessionEvents: all.length - events.length,
      auditIssuer,
      unreadRegions: errors.map((error) => error.region),
    };
    if (events.length > 0) {
      const signIns = events.filter((event) => event.eventName === 'ConsoleLogin').length;
      const privileged = events.filter((event) => event.privilegedSession);
      const issuers = [
        ...new Set(
          privileged.map(
            (event) =>
              event.privilegedSession?.issuer ??
              event.privilegedSession?.issuerAccount ??
              'an issuer not recorded',
          ),
        ),
      ];
      const sessions =
        privileged.length > 0
          ? `, ${privileged.length} in privileged root sessions (sts:AssumeRoot) issued to ${listOf(issuers)}` +
            (auditIssuer
              ? ''
              : " (rootaudit's own organization principal could not be identified, so none was taken for its audit)")
          : '';
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
          `Root was active in ${period}: ${events.length} event(s), ${signIns} console sign-in(s)${sessions}${unread}: ${listed}${more}.`,
          facts,
        ),
      ];
    }
    if (errors.length > 0) {
      const note = errors.some((error) => error.region === signInRegion)
        ? `IAM calls and root sign-ins through the global sign-in endpoint are recorded only in ${signInRegion}. `
        : '';
      return [errorOutcome(resource, context, errors, 'account', note)];
    }
    if (lookedUpDays < windowDays) {
      // No event in the days read proves nothing about the older ones: never a PASS.
      return [
        outcome(
          'ERROR',
          resource,
          `cloudtrail:LookupEvents in ${context.accountId} answers for the last ${lookedUpDays} days only: no root ` +
            `event in those days (${regions.join(', ')}), but the other ${windowDays - lookedUpDays} days of the ` +
            `${windowDays}-day window could not be read; set ROOTAUDIT_ROOT_USAGE_WINDOW_DAYS to ${lookedUpDays} or ` +
            `fewer, or search the trail's log files for the older days.`,
          facts,
        ),
      ];
    }
    return [
      outcome(
        'PASS',
        resource,
        `No root console sign-in and no root API event (${regions.join(', ')}) in the last ${windowDays} days.`,
        facts,
      ),
    ];
  },
});
