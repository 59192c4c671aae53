/**
 * The summary: current unmuted findings counted by check, severity and OU, and the results of
 * the last finished scans for the trend. Results of findings muted now are left out of past scans
 * too, so the trend and the totals measure the same population.
 */
import { getCheck } from '@rootaudit/checks';
import { type CheckStatus, type PrismaClient, type Scan, Severity } from '@rootaudit/db';
import { addStatusCounts, emptyStatusCounts, type StatusCounts, tallyByKey } from './counts.ts';
import { FINISHED_SCAN_STATUSES } from './scans.ts';

export interface Summary {
  totals: StatusCounts;
  /** Findings muted by a suppression, whatever their status. */
  muted: number;
  /** By check id, ascending. */
  byCheck: { checkId: string; title: string | null; counts: StatusCounts }[];
  /** Most severe first; severities with no finding left out. */
  bySeverity: { severity: Severity; counts: StatusCounts }[];
  /** Accounts outside any OU last (ouId null). */
  byOu: { ouId: string | null; ouName: string | null; counts: StatusCounts }[];
  /** The last `trend` finished scans, oldest first. */
  trend: { scan: Scan; counts: StatusCounts }[];
}

export async function readSummary(db: PrismaClient, options: { trend: number }): Promise<Summary> {
  const unmuted = { muted: false };
  const [byCheckRows, bySeverityRows, byOuRows, muted, scans] = await Promise.all([
    db.finding.groupBy({
      by: ['checkId', 'status'],
      where: unmuted,
      _count: { _all: true },
      orderBy: [{ checkId: 'asc' }],
    }),
    db.finding.groupBy({ by: ['severity', 'status'], where: unmuted, _count: { _all: true } }),
    db.$queryRaw<{ ouId: string | null; ouName: string | null; status: CheckStatus; count: number }[]>`
      SELECT a.ou_id AS "ouId", ou.name AS "ouName", f.status::text AS status, count(*)::int AS count
      FROM findings f
      JOIN accounts a ON a.id = f.account_id
      LEFT JOIN organizational_units ou ON ou.id = a.ou_id
      WHERE NOT f.muted
      GROUP BY a.ou_id, ou.name, f.status
      ORDER BY a.ou_id NULLS LAST`,
    db.finding.count({ where: { muted: true } }),
    db.scan.findMany({
      where: { status: { in: [...FINISHED_SCAN_STATUSES] } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: options.trend,
    }),
  ]);

  const byCheck = tallyByKey(
    byCheckRows.map((row) => ({ key: row.checkId, status: row.status, count: row._count._all })),
  );
  const bySeverity = tallyByKey(
    bySeverityRows.map((row) => ({ key: row.severity, status: row.status, count: row._count._all })),
  );
  const ouNames = new Map(byOuRows.map((row) => [row.ouId, row.ouName]));
  const byOu = tallyByKey(byOuRows.map((row) => ({ key: row.ouId, status: row.status, count: row.count })));
  const totals = emptyStatusCounts();
  for (const counts of byCheck.values()) addStatusCounts(totals, counts);

  // A finished scan's result counters are its results counted by status (set when it finishes),
  // so the trend needs only what to take off them: the results of findings muted now, few, found
  // through the (scan, account, check, resource) index. Counting every result of every trend scan
  // instead read millions of rows at 200,000 findings (BENCHMARKS.md §9).
  const scanIds = scans.map((scan) => scan.id);
  const mutedRows =
    scanIds.length === 0 || muted === 0
      ? []
      : await db.$queryRaw<{ scanId: string; status: CheckStatus; count: number }[]>`
          SELECT r.scan_id AS "scanId", r.status::text AS status, count(*)::int AS count
          FROM findings f
          JOIN check_results r
            ON r.account_id = f.account_id AND r.check_id = f.check_id AND r.resource = f.resource
          WHERE f.muted AND r.scan_id = ANY(${scanIds}::text[])
          GROUP BY r.scan_id, r.status`;
  const mutedByScan = tallyByKey(
    mutedRows.map((row) => ({ key: row.scanId, status: row.status, count: row.count })),
  );
  const trendCounts = (scan: Scan): StatusCounts => {
    const off = mutedByScan.get(scan.id) ?? emptyStatusCounts();
    return {
      PASS: scan.resultsPass - off.PASS,
      FAIL: scan.resultsFail - off.FAIL,
      ERROR: scan.resultsError - off.ERROR,
      NOT_APPLICABLE: scan.resultsNotApplicable - off.NOT_APPLICABLE,
    };
  };

  return {
    totals,
    muted,
    byCheck: [...byCheck].map(([checkId, counts]) => ({
      checkId,
      title: getCheck(checkId)?.metadata.title ?? null,
      counts,
    })),
    bySeverity: Object.values(Severity).flatMap((severity) => {
      const counts = bySeverity.get(severity);
      return counts ? [{ severity, counts }] : [];
    }),
    byOu: [...byOu].map(([ouId, counts]) => ({ ouId, ouName: ouNames.get(ouId) ?? null, counts })),
    trend: scans.reverse().map((scan) => ({ scan, counts: trendCounts(scan) })),
  };
}
