/**
 * Root activity received as it happened (see @rootaudit/root-events): stored once per CloudTrail
 * event, listed newest first.
 *
 * Idempotency: EventBridge delivers at least once, and one event may arrive by SQS and by push.
 * `recordRootEvent` inserts with ON CONFLICT (event_id) DO NOTHING, so of any number of deliveries,
 * concurrent or not, exactly one reports `isNew` and the caller acts on that one alone (finding,
 * webhooks); the others read the stored row and do nothing more.
 */
import type { Prisma, PrismaClient, RootEvent, RootEventOutcome } from '@rootaudit/db';
import { type RootActivityEvent, rootActivityFromLookup } from '@rootaudit/root-events';
import { type AppliedFindings, applyFindings, type StoredResult, type Transaction } from './findings.ts';
import { type Page, type PageRequest, pageOf } from './read/paging.ts';
import { refreshMutedFindings } from './suppressions.ts';

export interface RecordedRootEvent {
  /** True for the delivery that stored the event; false when it was stored before. */
  isNew: boolean;
  rootEvent: RootEvent;
}

/** Stores `event` unless an event with its CloudTrail event id is stored already. */
export async function recordRootEvent(
  db: PrismaClient | Prisma.TransactionClient,
  event: RootActivityEvent,
): Promise<RecordedRootEvent> {
  const created = await db.rootEvent.createManyAndReturn({
    data: [rootEventRow(event)],
    skipDuplicates: true,
  });
  const stored = created[0];
  if (stored) return { isNew: true, rootEvent: stored };
  const existing = await db.rootEvent.findUniqueOrThrow({ where: { eventId: event.eventId } });
  return { isNew: false, rootEvent: existing };
}

function rootEventRow(event: RootActivityEvent): Prisma.RootEventCreateManyInput {
  return {
    eventId: event.eventId,
    accountId: event.accountId,
    eventTime: event.eventTime,
    region: event.region,
    eventName: event.eventName,
    eventSource: event.eventSource,
    sourceIpAddress: event.sourceIpAddress,
    userAgent: event.userAgent,
    mfaUsed: event.mfaUsed,
    outcome: event.outcome,
    errorCode: event.errorCode,
    errorMessage: event.errorMessage,
    privilegedSession: event.privilegedSession !== null,
    issuer: event.privilegedSession?.issuer ?? null,
    raw: event.raw as Prisma.InputJsonObject,
  };
}

/** The check whose results list the root events a scan found (evidence.events). */
const ROOT_ACTIVITY_CHECK_ID = 'root-signin-activity';

/**
 * The root events an account's root-signin-activity result lists (found by the nightly scan with
 * LookupEvents), stored like live ones, one row per CloudTrail eventID: an event that arrived live
 * is not stored again, and one stored here is a duplicate when it arrives live, so GET
 * /v1/root-activity shows each event once whichever way it came. Nothing more: the result itself
 * makes the finding, and an event found by the scan is not announced as root.activity (it is not
 * happening now). rootaudit's own audit sessions are not in the evidence, so not stored either.
 * Returns how many were new.
 */
export async function recordScannedRootEvents(
  tx: Transaction,
  accountId: string,
  results: readonly StoredResult[],
): Promise<number> {
  const rows: Prisma.RootEventCreateManyInput[] = [];
  for (const result of results) {
    if (result.checkId !== ROOT_ACTIVITY_CHECK_ID) continue;
    const events = result.evidence.events;
    if (!Array.isArray(events)) continue;
    for (const listed of events) {
      const event = rootActivityFromLookup(accountId, listed);
      if (event) rows.push(rootEventRow(event));
    }
  }
  if (rows.length === 0) return 0;
  const { count } = await tx.rootEvent.createMany({ data: rows, skipDuplicates: true });
  return count;
}

export interface RootEventFilter {
  accountIds?: readonly string[] | undefined;
  /**
   * Accounts anywhere under this OU or root id (nested OUs included: an account's ouPath lists
   * every OU above it), as last discovered; with accountIds, the accounts in both.
   */
  ou?: string | undefined;
  /** Events at or after this time. */
  since?: Date | undefined;
  /** Events before this time. */
  until?: Date | undefined;
  eventNames?: readonly string[] | undefined;
  outcome?: RootEventOutcome | undefined;
  /** true / false as recorded; null: the events whose MFA was not recorded. */
  mfaUsed?: boolean | null | undefined;
}

/** Where a page of root events ends: newest first by event time, then id. */
export interface RootEventPosition {
  eventTime: Date;
  id: string;
}

/**
 * A page of root events, newest first by CloudTrail's event time (not arrival: a late delivery
 * lands in its place in time), ties broken by id, so pages never overlap or skip.
 */
export async function listRootEvents(
  db: PrismaClient,
  filter: RootEventFilter,
  page: PageRequest<RootEventPosition>,
): Promise<Page<RootEvent, RootEventPosition>> {
  const and: Prisma.RootEventWhereInput[] = [];
  if (filter.accountIds) and.push({ accountId: { in: [...filter.accountIds] } });
  if (filter.ou) {
    // root_events has no relation to accounts (an event may precede its account's discovery), so
    // the OU is resolved to its accounts first: at most the organization's accounts.
    const under = await db.account.findMany({
      where: { ouPath: { contains: `/${filter.ou}/` } },
      select: { id: true },
    });
    and.push({ accountId: { in: under.map((account) => account.id) } });
  }
  if (filter.since) and.push({ eventTime: { gte: filter.since } });
  if (filter.until) and.push({ eventTime: { lt: filter.until } });
  if (filter.eventNames) and.push({ eventName: { in: [...filter.eventNames] } });
  if (filter.outcome) and.push({ outcome: filter.outcome });
  if (filter.mfaUsed !== undefined) and.push({ mfaUsed: filter.mfaUsed });
  if (page.after) {
    const { eventTime, id } = page.after;
    and.push({ OR: [{ eventTime: { lt: eventTime } }, { eventTime, id: { lt: id } }] });
  }
  const rows = await db.rootEvent.findMany({
    where: { AND: and },
    orderBy: [{ eventTime: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
  });
  return pageOf(rows, page.limit, (row) => ({ eventTime: row.eventTime, id: row.id }));
}

/** An account's finding of one check as a live result is built from, or null when there is none. */
export interface CurrentFinding {
  resource: string;
  status: StoredResult['status'];
  evidence: unknown;
}

/**
 * A result received outside a scan (a live root event's FAIL) applied to the account's finding of
 * its check, through the scans' lifecycle (applyFindings: created, reopened, statusChangedAt,
 * transitions) and with the suppressions in force (a new finding starts muted when one matches).
 * `resultFor` builds the result from the current finding, so the evidence can keep what was there
 * and the resource stays the scans' one. Run it in the transaction that stored the event.
 */
export async function applyLiveResult(
  tx: Transaction,
  input: {
    accountId: string;
    checkId: string;
    now: Date;
    resultFor: (current: CurrentFinding | null) => StoredResult;
  },
): Promise<AppliedFindings> {
  const { accountId, checkId, now } = input;
  const current = await tx.finding.findFirst({
    where: { accountId, checkId, scope: 'account' },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { resource: true, status: true, evidence: true },
  });
  const applied = await applyFindings(tx, {
    scanId: null,
    accountId,
    scope: 'account',
    results: [input.resultFor(current)],
    now,
  });
  await refreshMutedFindings(tx, { accountId, now });
  return applied;
}

/** Why a root event was accepted and not stored (the reason label of its /metrics counter). */
export type IgnoredRootEventReason = 'foreign-account' | 'own-session';

/** Counts one delivery of a root event that was accepted and not stored. */
export async function countIgnoredRootEvent(
  db: PrismaClient | Transaction,
  reason: IgnoredRootEventReason,
): Promise<void> {
  await db.rootEventIgnoredTotal.upsert({
    where: { reason },
    create: { reason, count: 1n },
    update: { count: { increment: 1n } },
  });
}

/** Whether root events of this account are taken: it is in `accounts` and has not left the organization. */
export async function isOrganizationAccount(
  db: PrismaClient | Transaction,
  accountId: string,
): Promise<boolean> {
  const account = await db.account.findUnique({
    where: { id: accountId },
    select: { leftOrganizationAt: true },
  });
  return account !== null && account.leftOrganizationAt === null;
}
