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

/**
 * A finding that started failing (created FAIL, or FAIL after any other status) or was resolved
 * in this scan: what webhooks announce, returned so callers can act after the transaction commits.
 */
export interface FindingTransition {
  kind: 'failed' | 'resolved';
  findingId: string;
  accountId: string;
  checkId: string;
  resource: string;
  status: CheckStatus;
  severity: Severity;
  message: string;
}

export interface AppliedFindings {
  changes: FindingChanges;
  transitions: FindingTransition[];
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
): Promise<AppliedFindings> {
  const { scanId, accountId, scope, now } = input;
  const results = uniqueResults(input.results);
  const changes: FindingChanges = { created: 0, resolved: 0, reopened: 0, changed: 0 };
  const transitions: FindingTransition[] = [];
  if (results.length === 0) return { changes, transitions };
  const transition = (kind: FindingTransition['kind'], findingId: string, result: StoredResult) =>
    transitions.push({
      kind,
      findingId,
      accountId,
      checkId: result.checkId,
      resource: result.resource,
      status: result.status,
      severity: result.severity,
      message: result.message,
    });
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
        transition('resolved', finding.id, result);
      } else if (result.status === 'FAIL' && finding.resolvedAt !== null) {
        data.resolvedAt = null;
        data.reopenedAt = now;
        data.reopenCount = { increment: 1 };
        changes.reopened++;
      }
      if (result.status === 'FAIL') transition('failed', finding.id, result);
    }
    await tx.finding.update({ where: { id: finding.id }, data });
  }
  if (toCreate.length > 0) {
    const created = await tx.finding.createManyAndReturn({
      data: toCreate,
      skipDuplicates: true,
      select: { id: true, checkId: true, resource: true },
    });
    changes.created = created.length;
    const resultsByKey = new Map(
      results.map((result) => [`${result.checkId}\u0000${result.resource}`, result]),
    );
    for (const finding of created) {
      const result = resultsByKey.get(`${finding.checkId}\u0000${finding.resource}`);
      if (result?.status === 'FAIL') transition('failed', finding.id, result);
    }
  }
  return { changes, transitions };
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
