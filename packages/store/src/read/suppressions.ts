/** Suppressions as the API lists them, oldest first, in force or expired. */
import type { PrismaClient, Suppression } from '@rootaudit/db';
import { suppressionExpired, suppressionInForce } from '../suppressions.ts';
import { type IdPosition, idPageOf, type Page, type PageRequest } from './paging.ts';

export async function listSuppressions(
  db: PrismaClient,
  filter: { expired?: boolean | undefined; now: Date },
  page: PageRequest<IdPosition>,
): Promise<Page<Suppression, IdPosition>> {
  const rows = await db.suppression.findMany({
    where: {
      ...(page.after ? { id: { gt: page.after.id } } : {}),
      ...(filter.expired === true ? suppressionExpired(filter.now) : {}),
      ...(filter.expired === false ? suppressionInForce(filter.now) : {}),
    },
    orderBy: { id: 'asc' },
    take: page.limit + 1,
  });
  return idPageOf(rows, page.limit);
}
