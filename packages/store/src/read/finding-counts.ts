/**
 * Counts of current findings for reports (the compliance report), made by the database: one
 * grouped statement whatever the number of findings, read through the findings' (check, status)
 * index.
 */
import type { PrismaClient } from '@rootaudit/db';
import { emptyStatusCounts, type StatusCounts } from './counts.ts';

export interface CheckFindingCounts {
  /** Unmuted findings by status, as the summary and the accounts' posture count them. */
  counts: StatusCounts;
  /** Findings muted by a suppression in force, whatever their status. */
  muted: number;
}

export function emptyFindingCounts(): CheckFindingCounts {
  return { counts: emptyStatusCounts(), muted: 0 };
}

/** The current findings of each check, counted; a check with none is absent from the map. */
export async function countFindingsByCheck(
  db: PrismaClient,
  checkIds: readonly string[],
): Promise<Map<string, CheckFindingCounts>> {
  const rows = await db.finding.groupBy({
    by: ['checkId', 'status', 'muted'],
    where: { checkId: { in: [...checkIds] } },
    _count: { _all: true },
  });
  const byCheck = new Map<string, CheckFindingCounts>();
  for (const row of rows) {
    const counted = byCheck.get(row.checkId) ?? emptyFindingCounts();
    if (row.muted) counted.muted += row._count._all;
    else counted.counts[row.status] += row._count._all;
    byCheck.set(row.checkId, counted);
  }
  return byCheck;
}
