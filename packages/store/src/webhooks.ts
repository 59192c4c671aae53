/** Webhook registrations (deliveries are @rootaudit/webhooks' pg-boss jobs). */
import type { PrismaClient, Webhook } from '@rootaudit/db';

export function createWebhook(
  db: PrismaClient,
  input: { url: string; events: string[]; secret: string },
): Promise<Webhook> {
  return db.webhook.create({ data: input });
}

/** Deletes a webhook and, by cascade, its pending deliveries; false when there was no such webhook. */
export async function deleteWebhook(db: PrismaClient, id: string): Promise<boolean> {
  const { count } = await db.webhook.deleteMany({ where: { id } });
  return count > 0;
}
