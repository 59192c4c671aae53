/**
 * What GET /metrics reports from the database, read at scrape time in one round of statements, so
 * every API replica reports the same values.
 */
import type {
  AccountStatus,
  AwsCallTotal,
  CheckStatus,
  PrismaClient,
  RootEventIgnoredTotal,
  Scan,
  ScanStatus,
  Severity,
} from '@rootaudit/db';

export interface MetricsSnapshot {
  scansByStatus: { status: ScanStatus; count: number }[];
  /** The last scan that finished (SUCCEEDED, PARTIAL or FAILED); null before any. */
  lastFinishedScan: Scan | null;
  findings: { status: CheckStatus; severity: Severity; muted: boolean; count: number }[];
  accountsByStatus: { status: AccountStatus; count: number }[];
  /** AWS calls of worker account jobs, per service (see recordAccountResults). */
  awsCallTotals: AwsCallTotal[];
  /** Root events accepted and not stored, by reason (see countIgnoredRootEvent). */
  rootEventsIgnored: RootEventIgnoredTotal[];
}

export async function readMetricsSnapshot(db: PrismaClient): Promise<MetricsSnapshot> {
  const [scanRows, lastFinishedScan, findingRows, accountRows, awsCallTotals, rootEventsIgnored] =
    await Promise.all([
      db.scan.groupBy({ by: ['status'], _count: { _all: true } }),
      db.scan.findFirst({
        where: { status: { in: ['SUCCEEDED', 'PARTIAL', 'FAILED'] }, finishedAt: { not: null } },
        orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
      }),
      db.finding.groupBy({ by: ['status', 'severity', 'muted'], _count: { _all: true } }),
      db.account.groupBy({ by: ['status'], _count: { _all: true } }),
      db.awsCallTotal.findMany({ orderBy: { service: 'asc' } }),
      db.rootEventIgnoredTotal.findMany({ orderBy: { reason: 'asc' } }),
    ]);
  return {
    scansByStatus: scanRows.map((row) => ({ status: row.status, count: row._count._all })),
    lastFinishedScan,
    findings: findingRows.map((row) => ({
      status: row.status,
      severity: row.severity,
      muted: row.muted,
      count: row._count._all,
    })),
    accountsByStatus: accountRows.map((row) => ({ status: row.status, count: row._count._all })),
    awsCallTotals,
    rootEventsIgnored,
  };
}
