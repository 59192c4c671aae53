/**
 * Webhook events and their enqueueing. Each event has a deterministic id (`<scanId>:<findingId>:
 * finding.failed`, `<scanId>:scan.completed`, `root-event:<CloudTrail eventID>:root.activity`), and
 * WebhookDelivery is unique on (webhookId, eventId), so producing the same event again (a retried
 * job) adds no delivery; the pg-boss job of a delivery has the delivery's id, so it is enqueued
 * once too.
 */
import type { Prisma, PrismaClient, Scan } from '@rootaudit/db';
import type { Logger } from '@rootaudit/log';
import { type Db, type PgBoss, QUEUES, type WebhookDeliveryJob } from '@rootaudit/queue';

export const WEBHOOK_EVENTS = [
  'finding.failed',
  'finding.resolved',
  'scan.completed',
  'root.activity',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookEvent {
  eventId: string;
  event: WebhookEventName;
  /** The `data` of the delivered body. */
  data: Record<string, unknown>;
}

/** What packages/store returns for a finding that started failing or was resolved. */
export interface FindingTransitionLike {
  kind: 'failed' | 'resolved';
  findingId: string;
  accountId: string;
  checkId: string;
  resource: string;
  status: string;
  severity: string;
  message: string;
}

export function findingEvents(scanId: string, transitions: readonly FindingTransitionLike[]): WebhookEvent[] {
  return transitions.map(({ kind, findingId, ...finding }) => {
    const event = kind === 'failed' ? 'finding.failed' : 'finding.resolved';
    return {
      eventId: `${scanId}:${findingId}:${event}`,
      event,
      data: { scanId, finding: { id: findingId, ...finding } },
    };
  });
}

/** A root event as webhooks announce it: its public fields (never the raw event). */
export interface RootActivityData {
  eventId: string;
  accountId: string;
}

/**
 * The events of a root event received live: `root.activity` with the event, and `finding.failed`
 * for the account's finding when it started failing with it (no scan: `scanId` null,
 * `rootEventId` names the event). Ids derive from CloudTrail's eventID, so the same event
 * announced again adds nothing.
 */
export function rootActivityEvents(
  rootEvent: RootActivityData,
  transitions: readonly FindingTransitionLike[],
): WebhookEvent[] {
  const prefix = `root-event:${rootEvent.eventId}`;
  const events: WebhookEvent[] = [
    { eventId: `${prefix}:root.activity`, event: 'root.activity', data: { rootEvent } },
  ];
  for (const { kind, findingId, ...finding } of transitions) {
    const event = kind === 'failed' ? 'finding.failed' : 'finding.resolved';
    events.push({
      eventId: `${prefix}:${findingId}:${event}`,
      event,
      data: { scanId: null, rootEventId: rootEvent.eventId, finding: { id: findingId, ...finding } },
    });
  }
  return events;
}

export function scanCompletedEvent(scan: Scan): WebhookEvent {
  return {
    eventId: `${scan.id}:scan.completed`,
    event: 'scan.completed',
    data: {
      scan: {
        id: scan.id,
        status: scan.status,
        trigger: scan.trigger,
        startedAt: scan.startedAt?.toISOString() ?? null,
        finishedAt: scan.finishedAt?.toISOString() ?? null,
        accountsTotal: scan.accountsTotal,
        accountsDone: scan.accountsDone,
        accountsFailed: scan.accountsFailed,
        accountsSkipped: scan.accountsSkipped,
        resultsPass: scan.resultsPass,
        resultsFail: scan.resultsFail,
        resultsError: scan.resultsError,
        failureReason: scan.failureReason,
      },
    },
  };
}

const CHUNK = 1000;

/**
 * One delivery (and one pg-boss job) per enabled webhook subscribed to each event. Safe to call
 * again with the same events: existing deliveries are kept and their jobs are not duplicated.
 * Returns how many deliveries are pending for these events.
 */
export function enqueueWebhookEvents(
  prisma: PrismaClient,
  boss: PgBoss,
  events: readonly WebhookEvent[],
): Promise<number> {
  return enqueue(prisma, boss, events, undefined);
}

/**
 * enqueueWebhookEvents inside the caller's transaction: the deliveries and their pg-boss jobs
 * commit or roll back with what they announce (pg-boss writes its jobs through `tx`), so nothing
 * can be stored without its announcement, nor announced without being stored.
 */
export function enqueueWebhookEventsInTransaction(
  tx: Prisma.TransactionClient,
  boss: PgBoss,
  events: readonly WebhookEvent[],
): Promise<number> {
  const db: Db = {
    executeSql: async (text: string, values: unknown[] = []) => ({
      rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values),
    }),
  };
  return enqueue(tx, boss, events, db);
}

async function enqueue(
  prisma: PrismaClient | Prisma.TransactionClient,
  boss: PgBoss,
  events: readonly WebhookEvent[],
  db: Db | undefined,
): Promise<number> {
  if (events.length === 0) return 0;
  const names = [...new Set(events.map((event) => event.event))];
  const webhooks = await prisma.webhook.findMany({
    where: { enabled: true, events: { hasSome: names } },
    select: { id: true, events: true },
  });
  if (webhooks.length === 0) return 0;
  let pending = 0;
  for (let start = 0; start < events.length; start += CHUNK) {
    const chunk = events.slice(start, start + CHUNK);
    const rows: Prisma.WebhookDeliveryCreateManyInput[] = [];
    for (const webhook of webhooks) {
      for (const event of chunk) {
        if (!webhook.events.includes(event.event)) continue;
        rows.push({
          webhookId: webhook.id,
          eventId: event.eventId,
          event: event.event,
          payload: event.data as Prisma.InputJsonValue,
        });
      }
    }
    if (rows.length === 0) continue;
    await prisma.webhookDelivery.createMany({ data: rows, skipDuplicates: true });
    const deliveries = await prisma.webhookDelivery.findMany({
      where: {
        webhookId: { in: webhooks.map((webhook) => webhook.id) },
        eventId: { in: chunk.map((event) => event.eventId) },
        status: 'PENDING',
      },
      select: { id: true },
    });
    if (deliveries.length === 0) continue;
    // pg-boss ignores a job whose id exists: a delivery is enqueued once however often this runs.
    await boss.insert(
      QUEUES.webhookDelivery,
      deliveries.map((delivery) => ({
        id: delivery.id,
        data: { deliveryId: delivery.id } satisfies WebhookDeliveryJob,
      })),
      db ? { db } : {},
    );
    pending += deliveries.length;
  }
  return pending;
}

/**
 * enqueueWebhookEvents for events whose data has just committed, logging instead of throwing: the
 * data is stored either way, and a retried job would find it recorded and announce nothing.
 */
export async function announceWebhookEvents(
  target: { prisma: PrismaClient; boss: PgBoss; logger: Logger },
  scanId: string,
  events: readonly WebhookEvent[],
): Promise<void> {
  if (events.length === 0) return;
  try {
    const deliveries = await enqueueWebhookEvents(target.prisma, target.boss, events);
    if (deliveries > 0)
      target.logger.info({ scanId, events: events.length, deliveries }, 'webhooks enqueued');
  } catch (error) {
    target.logger.error(
      { err: error, scanId, events: events.length },
      'webhook deliveries could not be enqueued',
    );
  }
}
