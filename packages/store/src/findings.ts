/**
 * The finding lifecycle: one row per account × check × resource holding its current state.
 *
 * - first result for a key → created (firstSeenAt = lastSeenAt = statusChangedAt = now);
 * - same status again → lastSeenAt, severity, message and evidence refreshed;
 * - FAIL → PASS or NOT_APPLICABLE → resolved (resolvedAt = now);
 * - resolved → FAIL → reopened (reopenedAt = now, reopenCount + 1, resolvedAt cleared);
 * - any status change sets statusChangedAt;
 * - ERROR after PASS, FAIL or NOT_APPLICABLE: the check could not answer, which proves neither a fix
 *   nor a regression, so the finding keeps its status, message, evidence and lastSeenAt (no
 *   resolution, no reopening, no transition to announce) and records lastErrorAt and lastError;
 *   the next result that answers clears them and is compared with the status kept;
 * - a finding first seen as ERROR is created ERROR (nothing better is known); its first answer is
 *   then an ordinary status change (ERROR → FAIL announces a failure, ERROR → PASS resolves nothing);
 * - a finding whose lastScanId is this scan is left alone, so applying a scan twice is a no-op;
 * - a result that comes from no scan (scanId null: a root event received live) follows the same
 *   lifecycle and keeps the finding's lastScanId (the next scan compares with what it wrote); its
 *   caller makes it happen once (see ingestRootEvent in @rootaudit/service).
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
    /** The scan the results come from; null for a result received outside a scan. */
    scanId: string | null;
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
  // Only what the lifecycle compares: not the stored message and evidence of every finding.
  const existing = await tx.finding.findMany({
    where: { accountId, checkId: { in: [...new Set(results.map((result) => result.checkId))] } },
    select: { id: true, checkId: true, resource: true, status: true, resolvedAt: true, lastScanId: true },
  });
  const byKey = new Map(existing.map((finding) => [`${finding.checkId}\u0000${finding.resource}`, finding]));
  const toCreate: Prisma.FindingCreateManyInput[] = [];
  const toUpdate: FindingUpdate[] = [];
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
        ...(result.status === 'ERROR' ? { lastErrorAt: now, lastError: result.message } : {}),
      });
      continue;
    }
    if (scanId !== null && finding.lastScanId === scanId) continue;
    if (result.status === 'ERROR' && finding.status !== 'ERROR') {
      toUpdate.push({ id: finding.id, kind: 'error', message: result.message });
      continue;
    }
    const update: FindingUpdate = {
      kind: 'result',
      id: finding.id,
      status: result.status,
      severity: result.severity,
      message: result.message,
      evidence: result.evidence,
      statusChanged: false,
      lifecycle: null,
    };
    if (finding.status !== result.status) {
      update.statusChanged = true;
      changes.changed++;
      if (finding.status === 'FAIL' && NOT_FAILING.has(result.status)) {
        update.lifecycle = 'resolved';
        changes.resolved++;
        transition('resolved', finding.id, result);
      } else if (result.status === 'FAIL' && finding.resolvedAt !== null) {
        update.lifecycle = 'reopened';
        changes.reopened++;
      }
      if (result.status === 'FAIL') transition('failed', finding.id, result);
    }
    toUpdate.push(update);
  }
  await updateFindings(tx, toUpdate, { scanId, scope, now });
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

/**
 * One existing finding's new state; what changes with its status is derived in SQL. `error`: the
 * check could not answer; only lastErrorAt, lastError and lastScanId change.
 */
type FindingUpdate =
  | {
      kind: 'result';
      id: string;
      status: CheckStatus;
      severity: Severity;
      message: string;
      evidence: Record<string, unknown>;
      statusChanged: boolean;
      lifecycle: 'resolved' | 'reopened' | null;
    }
  | { kind: 'error'; id: string; message: string };

/**
 * Every update of one account's findings in one statement: a nightly scan updates every finding
 * it sees, and a statement per finding made the next scans' write path several times slower than
 * the first's (bench/write-path.ts).
 */
async function updateFindings(
  tx: Transaction,
  updates: readonly FindingUpdate[],
  context: { scanId: string | null; scope: 'account' | 'organization'; now: Date },
): Promise<void> {
  if (updates.length === 0) return;
  const { scanId, scope, now } = context;
  // An `error` row (u.status NULL) keeps every column of the finding but the error and the scan.
  await tx.$executeRaw`
    UPDATE findings AS f SET
      status = COALESCE(u.status::check_status, f.status),
      severity = COALESCE(u.severity::severity, f.severity),
      message = CASE WHEN u.status IS NULL THEN f.message ELSE u.message END,
      evidence = COALESCE(u.evidence, f.evidence),
      scope = ${scope}::check_scope,
      last_seen_at = CASE WHEN u.status IS NULL THEN f.last_seen_at ELSE ${now} END,
      last_scan_id = COALESCE(${scanId}::text, f.last_scan_id),
      updated_at = ${new Date()},
      last_error_at = CASE WHEN u.status IS NULL OR u.status = 'ERROR' THEN ${now}::timestamp(3) ELSE NULL END,
      last_error = CASE WHEN u.status IS NULL OR u.status = 'ERROR' THEN u.message ELSE NULL END,
      status_changed_at = CASE WHEN u.status_changed THEN ${now} ELSE f.status_changed_at END,
      resolved_at = CASE u.lifecycle WHEN 'resolved' THEN ${now} WHEN 'reopened' THEN NULL ELSE f.resolved_at END,
      reopened_at = CASE WHEN u.lifecycle = 'reopened' THEN ${now} ELSE f.reopened_at END,
      reopen_count = f.reopen_count + CASE WHEN u.lifecycle = 'reopened' THEN 1 ELSE 0 END
    FROM jsonb_to_recordset(${JSON.stringify(
      updates.map((update) =>
        update.kind === 'error'
          ? { id: update.id, message: update.message, status_changed: false }
          : {
              id: update.id,
              status: update.status,
              severity: update.severity,
              message: update.message,
              evidence: update.evidence,
              status_changed: update.statusChanged,
              lifecycle: update.lifecycle,
            },
      ),
    )}::jsonb) AS u(
      id text, status text, severity text, message text, evidence jsonb, status_changed boolean, lifecycle text
    )
    WHERE f.id = u.id`;
}
