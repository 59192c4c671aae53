/**
 * The finding lifecycle: one row per account × check × resource holding its current state.
 *
 * - first result for a key → created (firstSeenAt = lastSeenAt = statusChangedAt = now);
 * - same status again → lastSeenAt, severity, message and evidence refreshed;
 * - FAIL → PASS or NOT_APPLICABLE → resolved (resolvedAt = now);
 * - resolved → FAIL → reopened (reopenedAt = now, reopenCount + 1, resolvedAt cleared);
 * - any status change sets statusChangedAt;
 * - a finding whose lastScanId is this scan is left alone, so applying a scan twice is a no-op.
 */
import type { CheckStatus, Prisma, Severity } from '@rootaudit/db';

/** One result as stored: the runner's ScanResult without its accountId. */
export interface StoredResult {
  checkId: string;
  status: CheckStatus;
  severity: Severity;
  resource: string;
  message: string;
  evidence: Record<string, unknown>;
}

export type Transaction = Prisma.TransactionClient;

/** One result per check × resource (the first wins): the unique key of results and findings. */
export function uniqueResults<R extends StoredResult>(results: readonly R[]): R[] {
  const byKey = new Map<string, R>();
  for (const result of results) {
    const key = `${result.checkId}\u0000${result.resource}`;
    if (!byKey.has(key)) byKey.set(key, result);
  }
  return [...byKey.values()];
}

const NOT_FAILING = new Set<CheckStatus>(['PASS', 'NOT_APPLICABLE']);

export interface FindingChanges {
  created: number;
  resolved: number;
  reopened: number;
  changed: number;
}

export async function applyFindings(
  tx: Transaction,
  input: {
    scanId: string;
    accountId: string;
    scope: 'account' | 'organization';
    results: readonly StoredResult[];
    now: Date;
  },
): Promise<FindingChanges> {
  const { scanId, accountId, scope, now } = input;
  const results = uniqueResults(input.results);
  const changes: FindingChanges = { created: 0, resolved: 0, reopened: 0, changed: 0 };
  if (results.length === 0) return changes;
  const existing = await tx.finding.findMany({
    where: { accountId, checkId: { in: [...new Set(results.map((result) => result.checkId))] } },
  });
  const byKey = new Map(existing.map((finding) => [`${finding.checkId}\u0000${finding.resource}`, finding]));
  const toCreate: Prisma.FindingCreateManyInput[] = [];
  for (const result of results) {
    const evidence = result.evidence as Prisma.InputJsonValue;
    const finding = byKey.get(`${result.checkId}\u0000${result.resource}`);
    if (!finding) {
      toCreate.push({
        accountId,
        scope,
        checkId: result.checkId,
        resource: result.resource,
        status: result.status,
        severity: result.severity,
        message: result.message,
        evidence,
        firstSeenAt: now,
        lastSeenAt: now,
        statusChangedAt: now,
        lastScanId: scanId,
      });
      continue;
    }
    if (finding.lastScanId === scanId) continue;
    const data: Prisma.FindingUpdateInput = {
      status: result.status,
      severity: result.severity,
      message: result.message,
      evidence,
      scope,
      lastSeenAt: now,
      lastScan: { connect: { id: scanId } },
    };
    if (finding.status !== result.status) {
      data.statusChangedAt = now;
      changes.changed++;
      if (finding.status === 'FAIL' && NOT_FAILING.has(result.status)) {
        data.resolvedAt = now;
        changes.resolved++;
      } else if (result.status === 'FAIL' && finding.resolvedAt !== null) {
        data.resolvedAt = null;
        data.reopenedAt = now;
        data.reopenCount = { increment: 1 };
        changes.reopened++;
      }
    }
    await tx.finding.update({ where: { id: finding.id }, data });
  }
  if (toCreate.length > 0) {
    changes.created = (await tx.finding.createMany({ data: toCreate, skipDuplicates: true })).count;
  }
  return changes;
}

/** How many results of each status, as the Scan counters name them. */
export function resultCounters(results: readonly StoredResult[]) {
  const count = (status: CheckStatus) => results.filter((result) => result.status === status).length;
  return {
    resultsPass: count('PASS'),
    resultsFail: count('FAIL'),
    resultsError: count('ERROR'),
    resultsNotApplicable: count('NOT_APPLICABLE'),
  };
}
