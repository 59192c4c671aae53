/**
 * What every check shares: the resource it reports on, outcome builders, and ERROR messages that
 * name the action, the AWS error code, the account (and region) and what to do about it.
 *
 * The verdict rule every check follows:
 * - PASS only with positive evidence for every part of the rule. A missing key, an empty answer or
 *   evidence that could not be read is never taken for "absent" or "off".
 * - FAIL whenever the evidence that was read shows the control missing, even if other evidence
 *   could not be read; the message then says what is unknown and why.
 * - NOT_APPLICABLE only with proof (AccountAccessKeysPresent = 0 proves there is no key to rotate).
 * - ERROR only when no evidence that was read can answer. The message names the account, the
 *   action, the code and what to do; when several sources could each have answered (the account
 *   summary, then the credential report), it names every one of them.
 *
 * How evidence is read to that end:
 * - Each check says which evidence decides and which only adds detail; detail that could not be
 *   read is noted in the message and the evidence, never turned into ERROR.
 * - A fact that one source leaves unknown is looked up in the next one that states it (for root's
 *   access keys, signing certificates and MFA: the account summary, then the credential report's
 *   `<root_account>` row); the message says which source answered.
 * - Regional evidence: a region that failed (or was not collected) makes the result ERROR, naming
 *   the region, unless the regions that answered already prove the result (root events found in
 *   one region prove FAIL whatever another region says; a working alert route proves PASS).
 */
import type { CheckContext, CheckOutcome, CheckStatus } from '../check.ts';
import type { Collected, CollectionError, OrganizationScope, Regional } from '../evidence.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Organization evidence read for some accounts only says nothing about the others: for an account
 * it was not read for, the sentence saying so (the verdict is then ERROR, never "not in the
 * organization" nor a FAIL for want of a policy it did not read); null when it covers the account.
 */
export function scopeLeavesOut(
  evidence: { scope?: OrganizationScope },
  accountId: string,
  what: string,
): string | null {
  if (!evidence.scope || evidence.scope.accountIds.includes(accountId)) return null;
  return `The ${what} was read for ${evidence.scope.accountIds.join(', ')} only, not for ${accountId}: scan the account with the organization, or name it in --accounts.`;
}

/** The root user of the account under evaluation: the resource of every account-scope check. */
export function rootArn(context: CheckContext): string {
  return `arn:${context.partition}:iam::${context.accountId}:root`;
}

/**
 * The region that records root console sign-ins (and hosts global services) in a partition.
 * The one definition: @rootaudit/aws uses it as `globalRegionOf` for its clients and collectors.
 */
export function signInRegionOf(partition: string): string {
  if (partition === 'aws-cn') return 'cn-north-1';
  if (partition === 'aws-us-gov') return 'us-gov-west-1';
  return 'us-east-1';
}

export function outcome(
  status: CheckStatus,
  resource: string,
  message: string,
  evidence: Record<string, unknown> = {},
): CheckOutcome {
  return { status, resource, message, evidence };
}

const ASSUME_ROLE = 'sts:AssumeRole';

/**
 * Codes for evidence that was read but left a fact out: GetAccountSummary without one of root's
 * keys, a credential report without the `<root_account>` row. They are told like AWS errors so an
 * ERROR names every source that could not answer.
 */
export const SUMMARY_KEY_MISSING = 'SummaryKeyMissing';
export const ROOT_ROW_MISSING = 'RootRowMissing';
export const ROTATION_DATE_MISSING = 'RotationDateMissing';

/** What to do about a collection error, by AWS error code. */
function adviceFor(code: string): string {
  if (
    /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnauthorizedAccess|AuthorizationError)$/.test(
      code,
    )
  )
    return 'the audit role lacks this permission; redeploy the audit-role template';
  if (/Throttl|TooManyRequests|RequestLimitExceeded/.test(code))
    return 'AWS throttled the call past the retry budget; the next scan retries it';
  if (code === 'RoleNotAssumable' || code === 'AssumeRoleFailed')
    return 'the audit role could not be assumed; check that it is deployed with the expected ExternalId';
  if (code === 'NotCollected') return 'the collector did not gather it; check the scan configuration';
  if (code === SUMMARY_KEY_MISSING)
    return "AWS left the key out; see root's credentials under Security credentials in the console, and the next scan asks again";
  if (code === ROOT_ROW_MISSING)
    return "IAM left root out of the report; see root's credentials under Security credentials in the console, and the next scan asks for a new report";
  if (code === ROTATION_DATE_MISSING)
    return "see the key's creation date under Security credentials in the console (or list-access-keys in a root session)";
  return '';
}

/**
 * `AccessDenied on iam:GetAccountSummary in 111122223333: User … is not authorized …; the audit role lacks it…`
 * Organization evidence is read from the management (or delegated administrator) account, not from
 * the member, so its errors say so.
 */
export function describeError(
  error: CollectionError,
  context: CheckContext,
  where: 'account' | 'organization' = 'account',
): string {
  // The role could not be assumed (missing role, wrong ExternalId, untrusted principal): the
  // session's message already names the action, the role ARN (so the account) and what to do;
  // "the audit role lacks this permission" would send the reader the wrong way.
  if (error.action === ASSUME_ROLE) return error.message.trim().replace(/\.$/, '');
  const region = error.region ? ` (${error.region})` : '';
  const place =
    where === 'organization'
      ? `reading the organization for ${context.accountId}`
      : `in ${context.accountId}${region}`;
  const advice = adviceFor(error.code);
  const detail = error.message.trim().replace(/\.$/, '');
  return `${error.code} on ${error.action} ${place}: ${detail}${advice ? `; ${advice}` : ''}`;
}

export function errorOutcome(
  resource: string,
  context: CheckContext,
  errors: readonly CollectionError[],
  where: 'account' | 'organization' = 'account',
  prefix = '',
): CheckOutcome {
  // An error that failed several evidences (the role could not be assumed fails them all, in
  // every region) is said once.
  const described = new Map<string, CollectionError>();
  for (const error of errors) {
    const sentence = describeError(error, context, where);
    if (!described.has(sentence)) described.set(sentence, error);
  }
  const message = [...described.keys()].join('; ');
  return outcome('ERROR', resource, `${prefix}${message}`, {
    errors: [...described.values()].map((error) => ({ ...error })),
  });
}

/** The IAM action behind each regional evidence key, for regions the collector did not answer for. */
const regionalActions = {
  metricFilters: 'logs:DescribeMetricFilters',
  metricAlarms: 'cloudwatch:DescribeAlarms',
  eventRules: 'events:ListRules',
  guardDutyDetectors: 'guardduty:ListDetectors',
  rootEvents: 'cloudtrail:LookupEvents',
} as const;
export type RegionalKey = keyof typeof regionalActions;

/**
 * One region's answer; a region the collector did not answer for is a failure too (NotCollected),
 * never an empty success.
 */
export function inRegion<T>(regional: Regional<T>, region: string, key: RegionalKey): Collected<T> {
  return (
    regional[region] ?? {
      ok: false,
      error: {
        action: regionalActions[key],
        code: 'NotCollected',
        message: `no evidence was gathered for ${region}`,
        region,
      },
    }
  );
}

/** The error carries its region even when the collector left it out. */
export function withRegion(error: CollectionError, region: string): CollectionError {
  return error.region ? error : { ...error, region };
}

/** Days between two instants, as a real number. */
export function daysBetween(earlier: Date, later: Date): number {
  return (later.getTime() - earlier.getTime()) / DAY_MS;
}

const notDates = new Set(['n/a', 'no_information', 'not_supported', '']);

/**
 * A credential-report date, or null for the values that are not dates (`N/A`, `no_information`,
 * `not_supported`). Collectors already turn those into null; this guards against one that slipped
 * through, so it is never read as a date.
 */
export function reportDate(value: string | null | undefined): Date | null {
  if (value == null || notDates.has(value.trim().toLowerCase())) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Credential-report slots (access keys, signing certificates) that hold a credential: active, or
 * inactive with a rotation date (an empty slot has neither).
 */
export function heldSlots<T extends { active: boolean; lastRotated: string | null }>(
  slots: readonly T[],
): T[] {
  return slots.filter((slot) => slot.active || slot.lastRotated !== null);
}

/** `2026-11-01` from an ISO timestamp, for messages. */
export function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `a, b and c` */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
