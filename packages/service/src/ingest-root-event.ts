/**
 * Root activity as it happens (SPEC §3a): one EventBridge event, from the worker's SQS consumer or
 * from POST /v1/events/aws, taken in by the same steps whichever way it came.
 *
 * - Not a root event, or malformed: refused with parseRootEvent's reason (400 on push, dead-letter
 *   on pull); nothing written.
 * - An account not in the organization: accepted and not stored, counted (foreign-account). "In
 *   the organization" is a row in `accounts` that has not left (leftOrganizationAt null), whatever
 *   its state: a suspended or closing account is still the organization's, and root activity there
 *   is exactly what must be seen. An account that left is no longer audited (its root is its new
 *   owner's business), and an account not discovered yet is unknown until the next discovery: both
 *   are counted, so a forwarding rule left on a departed account, or a gap, shows on /metrics.
 * - rootaudit's own privileged root session (its sts:AssumeRoot audit reads): accepted and not
 *   stored, counted (own-session). Not stored, because it is not root use: the nightly check leaves
 *   these calls out of its evidence too, and a stored row would show rootaudit's own reads in
 *   GET /v1/root-activity, where every row is someone's root activity to explain.
 * - Otherwise ONE transaction: the event is stored (recordRootEvent: one row per CloudTrail event
 *   id) and, only by the delivery that stored it, the account's root-signin-activity finding is
 *   made FAIL (new or reopened, through the scans' lifecycle) with the event in its evidence, and
 *   the `root.activity` and `finding.failed` webhooks are enqueued (deliveries and their jobs in
 *   the same transaction). A crash leaves all of it or none of it; a retry of an event that
 *   committed finds it stored and writes nothing.
 *
 * Concurrency: deliveries of one event (push and pull at once) meet on root_events' unique event
 * id: one inserts, the others wait for it to commit and find it stored. Different events of one
 * account are serialised by a transaction-level advisory lock on the account, so each sees the
 * finding the previous one left (one FAIL transition, every event in the evidence).
 */
import { getCheck } from '@rootaudit/checks';
import type { PrismaClient, RootEvent } from '@rootaudit/db';
import type { Logger } from '@rootaudit/log';
import type { PgBoss } from '@rootaudit/queue';
import {
  type IngestOutcome,
  inPrivilegedSession,
  isOwnPrivilegedSession,
  parseRootEvent,
  type RootActivityEvent,
  type RootEventHandler,
} from '@rootaudit/root-events';
import {
  applyLiveResult,
  type CurrentFinding,
  countIgnoredRootEvent,
  isOrganizationAccount,
  recordRootEvent,
  type StoredResult,
} from '@rootaudit/store';
import { enqueueWebhookEventsInTransaction, rootActivityEvents } from '@rootaudit/webhooks';

/** What became of one event: one type for both ways in (see @rootaudit/root-events). */
export type { IngestOutcome } from '@rootaudit/root-events';

export interface IngestDependencies {
  prisma: PrismaClient;
  boss: PgBoss;
  logger: Logger;
  /** ARN sts:GetCallerIdentity gives rootaudit's org credentials; null recognises no own session */
  auditIssuer: string | null;
  /**
   * The root-signin-activity window (ROOTAUDIT_ROOT_USAGE_WINDOW_DAYS) [90]: an event older than it
   * (a replay, a delivery held back) is stored and announced, but is no evidence against the account
   * now and leaves its finding alone, as the nightly check would.
   */
  rootUsageWindowDays?: number;
  now?: () => Date;
}

/** The check whose finding a live root event updates. */
export const ROOT_ACTIVITY_CHECK_ID = 'root-signin-activity';

/** Events kept in the finding's evidence, newest first; GET /v1/root-activity has them all. */
export const EVIDENCE_EVENT_LIMIT = 50;

const TRANSACTION = { timeout: 30_000, maxWait: 10_000 };
const DEFAULT_WINDOW_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * ingestRootEvent as the process's one handler for both ways in (POST /v1/events/aws, the SQS
 * consumer): rootaudit's audit issuer is asked for (`auditIssuer`, cached by its maker) only for an
 * event that claims a privileged root session.
 */
export function rootEventIngest(
  deps: Omit<IngestDependencies, 'auditIssuer' | 'boss'> & {
    boss: PgBoss | Promise<PgBoss>;
    auditIssuer: () => Promise<string | null>;
  },
): RootEventHandler {
  return async (envelope) =>
    ingestRootEvent(
      {
        ...deps,
        boss: await deps.boss,
        auditIssuer: inPrivilegedSession(envelope) ? await deps.auditIssuer() : null,
      },
      envelope,
    );
}

/** Takes one EventBridge event in (see the header). Throws only when it could not be processed now. */
export async function ingestRootEvent(deps: IngestDependencies, envelope: unknown): Promise<IngestOutcome> {
  const parsed = parseRootEvent(envelope);
  if (!parsed.ok) return { status: 'refused', reason: parsed.reason };
  const { event } = parsed;
  const ids = { eventId: event.eventId, accountId: event.accountId };
  if (!(await isOrganizationAccount(deps.prisma, event.accountId))) {
    await countIgnoredRootEvent(deps.prisma, 'foreign-account');
    deps.logger.warn(
      { ...ids, eventName: event.eventName },
      'root event of an account outside the organization (or not discovered yet): not stored',
    );
    return { status: 'foreign-account', ...ids };
  }
  if (isOwnPrivilegedSession(event, deps.auditIssuer)) {
    await countIgnoredRootEvent(deps.prisma, 'own-session');
    return { status: 'own-session', ...ids };
  }
  const now = deps.now?.() ?? new Date();
  const stored = await deps.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`root-activity:${event.accountId}`}))`;
    const recorded = await recordRootEvent(tx, event);
    if (!recorded.isNew) return false;
    const windowStart = now.getTime() - (deps.rootUsageWindowDays ?? DEFAULT_WINDOW_DAYS) * DAY_MS;
    const { transitions } =
      event.eventTime.getTime() < windowStart
        ? { transitions: [] }
        : await applyLiveResult(tx, {
            accountId: event.accountId,
            checkId: ROOT_ACTIVITY_CHECK_ID,
            now,
            resultFor: (current) => liveResult(event, current),
          });
    await enqueueWebhookEventsInTransaction(
      tx,
      deps.boss,
      rootActivityEvents(rootActivityItem(recorded.rootEvent), transitions),
    );
    return true;
  }, TRANSACTION);
  if (!stored) return { status: 'duplicate', ...ids };
  deps.logger.info(
    { ...ids, eventName: event.eventName, outcome: event.outcome, mfaUsed: event.mfaUsed },
    'root activity stored',
  );
  return { status: 'stored', ...ids };
}

/** A stored root event as the API lists it and webhooks announce it (never the raw event). */
export interface RootActivityItem {
  eventId: string;
  accountId: string;
  eventName: string;
  eventSource: string;
  eventTime: string;
  region: string;
  sourceIpAddress: string | null;
  userAgent: string | null;
  mfaUsed: boolean | null;
  outcome: 'success' | 'failure';
  errorCode: string | null;
  errorMessage: string | null;
  privilegedSession: boolean;
  issuer: string | null;
  receivedAt: string;
}

export function rootActivityItem(row: RootEvent): RootActivityItem {
  return {
    eventId: row.eventId,
    accountId: row.accountId,
    eventName: row.eventName,
    eventSource: row.eventSource,
    eventTime: row.eventTime.toISOString(),
    region: row.region,
    sourceIpAddress: row.sourceIpAddress,
    userAgent: row.userAgent,
    mfaUsed: row.mfaUsed,
    outcome: row.outcome,
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    privilegedSession: row.privilegedSession,
    issuer: row.issuer,
    receivedAt: row.receivedAt.toISOString(),
  };
}

/** Where the API lists an account's root events (the finding's evidence links there). */
export function rootActivityLink(accountId: string): string {
  return `/v1/root-activity?account=${accountId}`;
}

/** The partition of a region, as the scans name root ARNs (packages/aws arn.ts). */
function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** A live event as the nightly check lists events in its evidence (@rootaudit/checks RootEvent). */
function evidenceEvent(event: RootActivityEvent) {
  return {
    eventId: event.eventId,
    eventTime: event.eventTime.toISOString(),
    eventName: event.eventName,
    eventSource: event.eventSource,
    region: event.region,
    sourceIpAddress: event.sourceIpAddress,
    userAgent: event.userAgent,
    mfaUsed: event.mfaUsed,
    outcome: event.outcome === 'success' ? 'Success' : 'Failure',
    errorCode: event.errorCode,
    privilegedSession: event.privilegedSession,
  };
}

function describe(event: RootActivityEvent): string {
  const action = event.kind === 'sign-in' ? 'console sign-in' : `${event.eventName} (${event.eventSource})`;
  const mfa = event.mfaUsed === null ? 'MFA not recorded' : event.mfaUsed ? 'MFA used' : 'no MFA';
  const result =
    event.outcome === 'success' ? 'succeeded' : `failed${event.errorCode ? ` (${event.errorCode})` : ''}`;
  const session = event.privilegedSession
    ? `, privileged root session issued to ${event.privilegedSession.issuer ?? event.privilegedSession.issuerAccount ?? 'an issuer not recorded'}`
    : '';
  return (
    `root ${action} in ${event.region} at ${event.eventTime.toISOString()} from ` +
    `${event.sourceIpAddress ?? 'an unknown IP'}, ${mfa}, ${result}${session}`
  );
}

/**
 * The FAIL result a live event makes of the account's finding. The evidence keeps what the
 * finding had when it told of root activity or of none (the nightly window's facts, its events),
 * adds the event first (once: events are keyed by CloudTrail's eventID, which LookupEvents reports
 * too) and links to GET /v1/root-activity for the whole history.
 */
function liveResult(event: RootActivityEvent, current: CurrentFinding | null): StoredResult {
  const check = getCheck(ROOT_ACTIVITY_CHECK_ID);
  const previous =
    current && (current.status === 'FAIL' || current.status === 'PASS') && isRecord(current.evidence)
      ? current.evidence
      : {};
  const earlier = Array.isArray(previous.events) ? previous.events.filter(isRecord) : [];
  const events = [evidenceEvent(event), ...earlier.filter((known) => known.eventId !== event.eventId)].slice(
    0,
    EVIDENCE_EVENT_LIMIT,
  );
  const link = rootActivityLink(event.accountId);
  return {
    checkId: ROOT_ACTIVITY_CHECK_ID,
    status: 'FAIL',
    severity: check?.metadata.severity ?? 'high',
    resource: current?.resource ?? `arn:${partitionOfRegion(event.region)}:iam::${event.accountId}:root`,
    message:
      `Root was active in ${event.accountId}, received as it happened: ${describe(event)}` +
      (events.length > 1 ? `; ${events.length - 1} earlier event(s) in the evidence` : '') +
      `. Every root event of the account: ${link}.`,
    evidence: {
      ...previous,
      events,
      eventIds: events.map((known) => known.eventId),
      rootActivity: link,
      latestLiveEventId: event.eventId,
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
