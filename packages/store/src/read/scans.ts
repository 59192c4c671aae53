/**
 * Scans as the API serves them: the list (newest first), one scan, and a scan's diff against the
 * previous finished scan, derived from the CheckResult rows of both.
 */
import {
  type CheckStatus,
  Prisma,
  type PrismaClient,
  type Scan,
  type ScanStatus,
  type Severity,
} from '@rootaudit/db';
import { type IdPosition, idPageOf, type Page, type PageRequest, pageOf } from './paging.ts';

/** Scans whose results are complete enough to compare against and to trend. */
export const FINISHED_SCAN_STATUSES: readonly ScanStatus[] = ['SUCCEEDED', 'PARTIAL'];

/** A page of scans, newest first by id (UUIDv7: creation order); new scans land before the first page. */
export async function listScans(
  db: PrismaClient,
  filter: { status?: readonly ScanStatus[] | undefined },
  page: PageRequest<IdPosition>,
): Promise<Page<Scan, IdPosition>> {
  const where: Prisma.ScanWhereInput = {};
  if (filter.status) where.status = { in: [...filter.status] };
  if (page.after) where.id = { lt: page.after.id };
  const rows = await db.scan.findMany({ where, orderBy: { id: 'desc' }, take: page.limit + 1 });
  return idPageOf(rows, page.limit);
}

export function findScan(db: PrismaClient, id: string): Promise<Scan | null> {
  return db.scan.findUnique({ where: { id } });
}

export type ScanDiffKind = 'new' | 'resolved' | 'reopened';

/** A result of the scan that changed against the previous scan. */
export interface ScanDiffEntry {
  accountId: string;
  checkId: string;
  resource: string;
  status: CheckStatus;
  severity: Severity;
  message: string;
  /** Status in the previous scan; null when the previous scan had no such result. */
  previousStatus: CheckStatus | null;
  /**
   * new: FAIL now, not FAIL in the previous scan, never FAIL before; resolved: FAIL in the
   * previous scan, PASS now; reopened: FAIL now, not FAIL in the previous scan, FAIL earlier.
   */
  kind: ScanDiffKind;
}

/** Where a diff page ends: the unique key of a scan's results, in their order. */
export interface ScanDiffPosition {
  accountId: string;
  checkId: string;
  resource: string;
}

export interface ScanDiff {
  /** The latest SUCCEEDED or PARTIAL scan created before this one; null for the first scan. */
  previousScanId: string | null;
  /** Totals of the whole diff, whatever the page. */
  counts: Record<ScanDiffKind, number>;
  entries: Page<ScanDiffEntry, ScanDiffPosition>;
}

/**
 * The results of `scan` that changed against `previousId`, classified, after `after` when given.
 * Ordered by (account, check, resource), the unique key of a scan's results, so pages never
 * overlap; the results of a finished scan never change, so its pages never move either.
 */
function diffRows(scan: Scan, previousId: string | null, after?: ScanDiffPosition): Prisma.Sql {
  const position = after
    ? Prisma.sql`AND (cur.account_id, cur.check_id, cur.resource) > (${after.accountId}, ${after.checkId}, ${after.resource})`
    : Prisma.empty;
  return Prisma.sql`
    SELECT cur.account_id AS "accountId", cur.check_id AS "checkId", cur.resource,
           cur.status::text AS status, cur.severity::text AS severity, cur.message,
           prev.status::text AS "previousStatus",
           CASE
             WHEN cur.status = 'PASS' THEN 'resolved'
             WHEN EXISTS (
               SELECT 1 FROM check_results old JOIN scans old_scan ON old_scan.id = old.scan_id
               WHERE old.account_id = cur.account_id AND old.check_id = cur.check_id
                 AND old.resource = cur.resource AND old.status = 'FAIL'
                 AND old_scan.created_at < ${scan.createdAt} AND old.scan_id <> ${scan.id}
             ) THEN 'reopened'
             ELSE 'new'
           END AS kind
    FROM check_results cur
    LEFT JOIN check_results prev
      ON prev.scan_id = ${previousId} AND prev.account_id = cur.account_id
     AND prev.check_id = cur.check_id AND prev.resource = cur.resource
    WHERE cur.scan_id = ${scan.id}
      AND ((cur.status = 'FAIL' AND prev.status IS DISTINCT FROM 'FAIL')
        OR (cur.status = 'PASS' AND prev.status = 'FAIL'))
      ${position}`;
}

/** A page of the scan's diff against the previous finished scan, and the totals of all of it. */
export async function scanDiff(
  db: PrismaClient,
  scan: Scan,
  page: PageRequest<ScanDiffPosition>,
): Promise<ScanDiff> {
  const previous = await db.scan.findFirst({
    where: { createdAt: { lt: scan.createdAt }, status: { in: [...FINISHED_SCAN_STATUSES] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  const previousScanId = previous?.id ?? null;
  const [rows, totals] = await Promise.all([
    db.$queryRaw<ScanDiffEntry[]>`
      ${diffRows(scan, previousScanId, page.after)}
      ORDER BY cur.account_id, cur.check_id, cur.resource
      LIMIT ${page.limit + 1}`,
    db.$queryRaw<{ kind: ScanDiffKind; count: number }[]>`
      SELECT kind, count(*)::int AS count FROM (${diffRows(scan, previousScanId)}) diff GROUP BY kind`,
  ]);
  const counts = { new: 0, resolved: 0, reopened: 0 };
  for (const total of totals) counts[total.kind] = total.count;
  const entries = pageOf(rows, page.limit, ({ accountId, checkId, resource }) => ({
    accountId,
    checkId,
    resource,
  }));
  return { previousScanId, counts, entries };
}
