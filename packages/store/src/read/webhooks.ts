/** Registered webhooks, oldest first. */
import type { PrismaClient, Webhook } from '@rootaudit/db';
import { type IdPosition, idPageOf, type Page, type PageRequest } from './paging.ts';

export async function listWebhooks(
  db: PrismaClient,
  page: PageRequest<IdPosition>,
): Promise<Page<Webhook, IdPosition>> {
  const rows = await db.webhook.findMany({
    where: page.after ? { id: { gt: page.after.id } } : {},
    orderBy: { id: 'asc' },
    take: page.limit + 1,
  });
  return idPageOf(rows, page.limit);
}
