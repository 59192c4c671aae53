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
import type { RootActivityEvent } from '@rootaudit/root-events';
import { type Page, type PageRequest, pageOf } from './read/paging.ts';

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
    data: [
      {
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
      },
    ],
    skipDuplicates: true,
  });
  const stored = created[0];
  if (stored) return { isNew: true, rootEvent: stored };
  const existing = await db.rootEvent.findUniqueOrThrow({ where: { eventId: event.eventId } });
  return { isNew: false, rootEvent: existing };
}

export interface RootEventFilter {
  accountIds?: readonly string[] | undefined;
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
