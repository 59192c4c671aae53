/**
 * Webhook events and their enqueueing. Each event has a deterministic id (`<scanId>:<findingId>:
 * finding.failed`, `<scanId>:scan.completed`), and WebhookDelivery is unique on (webhookId,
 * eventId), so producing the same event again (a retried job) adds no delivery; the pg-boss job of
 * a delivery has the delivery's id, so it is enqueued once too.
 */
import type { Prisma, PrismaClient, Scan } from '@rootaudit/db';
import type { Logger } from '@rootaudit/log';
import { type PgBoss, QUEUES, type WebhookDeliveryJob } from '@rootaudit/queue';

export const WEBHOOK_EVENTS = ['finding.failed', 'finding.resolved', 'scan.completed'] as const;
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
export async function enqueueWebhookEvents(
  prisma: PrismaClient,
  boss: PgBoss,
  events: readonly WebhookEvent[],
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
