/**
 * Scans and account scans. A scan is created QUEUED (so an on-demand request gets its id at once),
 * gets its accounts when discovery is done (RUNNING), and ends SUCCEEDED, PARTIAL or FAILED.
 *
 * Idempotency (a re-delivered job writes nothing twice): account results are written in one
 * transaction that first moves the AccountScan out of PENDING/RUNNING with a guarded update; when
 * that update changes no row, the account was already recorded and nothing else is written.
 *
 * No shared row in an account's transaction: it locks only rows of its own account, so a worker
 * frozen inside it (before COMMIT) delays nobody else. What every account adds to (the scan's
 * counters and progress, the AWS call totals) is written after the commit by one statement guarded
 * on AccountScan.countedAt (countAccountScan): a lock it takes lasts that statement only, and a
 * re-delivered job runs it again, so a crash between the two still counts the account once.
 */

import { accountSkipReason } from '@rootaudit/checks';
import {
  type AccountStatus,
  type CheckStatus,
  Prisma,
  type PrismaClient,
  type Scan,
  type ScanTrigger,
} from '@rootaudit/db';
import {
  applyFindings,
  type FindingChanges,
  type FindingTransition,
  type StoredResult,
  uniqueResults,
} from './findings.ts';
import { recordScannedRootEvents } from './root-events.ts';
import { refreshMutedFindings } from './suppressions.ts';

const OPEN = ['PENDING', 'RUNNING'] as const;
const TRANSACTION = { timeout: 120_000, maxWait: 30_000 };
/** How stale Scan.lastProgressAt may be when an account starts (the watchdog counts in minutes). */
const PROGRESS_GRANULARITY_MS = 10_000;

/** Another scan is QUEUED or RUNNING (the API answers 409 with it). */
export class ScanAlreadyActiveError extends Error {
  override readonly name = 'ScanAlreadyActiveError';
  constructor(readonly scan: Scan) {
    super(`scan ${scan.id} is already ${scan.status}: one scan runs at a time`);
  }
}

/** The scan that is QUEUED or RUNNING, if any. */
export function findActiveScan(prisma: PrismaClient): Promise<Scan | null> {
  return prisma.scan.findFirst({ where: { active: true } });
}

export interface ScanAccount {
  id: string;
  status: AccountStatus;
}

export interface CreateScanInput {
  trigger: ScanTrigger;
  /** When given, the scan starts at once with these accounts (see addAccountScans). */
  accounts?: readonly ScanAccount[];
  requestedBy?: string | null;
  checkIds?: string[];
  accountFilter?: string[];
  now?: Date;
}

/**
 * Creates a scan: QUEUED, or RUNNING with its AccountScans when `accounts` is given.
 * Throws ScanAlreadyActiveError while another scan is QUEUED or RUNNING (a unique index on
 * Scan.active makes that hold across processes).
 */
export async function createScan(prisma: PrismaClient, input: CreateScanInput): Promise<Scan> {
  const now = input.now ?? new Date();
  for (let attempt = 0; ; attempt++) {
    try {
      const scan = await prisma.scan.create({
        data: {
          trigger: input.trigger,
          status: 'QUEUED',
          requestedBy: input.requestedBy ?? null,
          checkIds: input.checkIds ?? [],
          accountFilter: input.accountFilter ?? [],
          createdAt: now,
          lastProgressAt: now,
        },
      });
      if (!input.accounts) return scan;
      await addAccountScans(prisma, scan.id, input.accounts, { now });
      return await prisma.scan.findUniqueOrThrow({ where: { id: scan.id } });
    } catch (error) {
      if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') throw error;
      const active = await findActiveScan(prisma);
      if (active) throw new ScanAlreadyActiveError(active);
      // The active scan ended between our insert and our read: try once more.
      if (attempt >= 2) throw error;
    }
  }
}

/**
 * Gives a QUEUED scan its accounts and starts it: ACTIVE accounts PENDING, others SKIPPED with the
 * reason. Idempotent (a re-delivered discovery job adds nothing twice). Returns the accounts still
 * to scan (PENDING or RUNNING), which is what to enqueue.
 */
export async function addAccountScans(
  prisma: PrismaClient,
  scanId: string,
  accounts: readonly ScanAccount[],
  options: { now?: Date } = {},
): Promise<{ scan: Scan; pendingAccountIds: string[] }> {
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    await tx.accountScan.createMany({
      data: accounts.map((account) => {
        const reason = accountSkipReason(account.status);
        return reason
          ? { scanId, accountId: account.id, status: 'SKIPPED' as const, error: reason, finishedAt: now }
          : { scanId, accountId: account.id, status: 'PENDING' as const };
      }),
      skipDuplicates: true,
    });
    const counts = await countAccountScans(tx, scanId);
    await tx.scan.updateMany({
      where: { id: scanId, status: { in: ['QUEUED', 'RUNNING'] } },
      data: {
        status: 'RUNNING',
        accountsTotal: counts.total - counts.SKIPPED,
        accountsSkipped: counts.SKIPPED,
        lastProgressAt: now,
      },
    });
    await tx.scan.updateMany({ where: { id: scanId, startedAt: null }, data: { startedAt: now } });
    const pending = await tx.accountScan.findMany({
      where: { scanId, status: { in: [...OPEN] } },
      select: { accountId: true },
      orderBy: { accountId: 'asc' },
    });
    return {
      scan: await tx.scan.findUniqueOrThrow({ where: { id: scanId } }),
      pendingAccountIds: pending.map((row) => row.accountId),
    };
  }, TRANSACTION);
}

async function countAccountScans(tx: Prisma.TransactionClient, scanId: string) {
  const groups = await tx.accountScan.groupBy({ by: ['status'], where: { scanId }, _count: { _all: true } });
  const counts = { PENDING: 0, RUNNING: 0, SUCCEEDED: 0, ERROR: 0, SKIPPED: 0, total: 0 };
  for (const group of groups) {
    counts[group.status] = group._count._all;
    counts.total += group._count._all;
  }
  return counts;
}

/**
 * A worker starts on an account: RUNNING, attempts + 1. Returns the AWS calls earlier attempts left
 * on it (see keepUnrecordedAwsCalls), or false when the account no longer needs scanning (already
 * recorded, or the scan ended): the job is then acknowledged and dropped.
 * A recorded account is counted first, if the attempt that recorded it died (or lost the database)
 * between its commit and its counting: otherwise its scan would never see every account done.
 */
export async function markAccountScanRunning(
  prisma: PrismaClient,
  input: { scanId: string; accountId: string; now?: Date },
): Promise<false | { awsCalls: AwsCallCounts }> {
  const now = input.now ?? new Date();
  const [started] = await prisma.accountScan.updateManyAndReturn({
    where: { scanId: input.scanId, accountId: input.accountId, status: { in: [...OPEN] } },
    data: { status: 'RUNNING', attempts: { increment: 1 }, startedAt: now },
    select: { awsCalls: true },
  });
  if (!started) {
    await countAccountScan(prisma, { scanId: input.scanId, accountId: input.accountId, now });
    return false;
  }
  // Progress for the stalled-scan watchdog (minutes), written at most every few seconds: every
  // worker slot starting an account would otherwise queue on the scan row's lock. A row whose
  // progress is recent does not match and is neither locked nor waited for. A statement of its
  // own, not a transaction with the update above: the scan row's lock ends with the statement.
  await prisma.scan.updateMany({
    where: {
      id: input.scanId,
      active: true,
      OR: [
        { lastProgressAt: null },
        { lastProgressAt: { lt: new Date(now.getTime() - PROGRESS_GRANULARITY_MS) } },
      ],
    },
    data: { lastProgressAt: now },
  });
  return { awsCalls: (started.awsCalls ?? {}) as AwsCallCounts };
}

/**
 * AWS requests by service (IAM prefix), as @rootaudit/aws's CallCounter.snapshot() gives them:
 * every HTTP attempt is a call, SDK retries included; errors and throttles are attempts answered
 * with an error or a throttling error code.
 */
export type AwsCallCounts = Record<string, { calls: number; errors: number; throttles: number }>;

export interface RecordAccountResultsInput {
  scanId: string;
  accountId: string;
  results: readonly StoredResult[];
  durationMs: number;
  /** The AWS requests this account's scan made (AccountScan.awsCalls, and the /metrics totals). */
  awsCalls?: AwsCallCounts;
  /** Set when the account could not be (fully) scanned: the AccountScan ends ERROR with it. */
  error?: string | null;
  now?: Date;
}

export interface RecordedAccount {
  /** false: this account was already recorded (a re-delivered job); nothing was written. */
  applied: boolean;
  findings: FindingChanges | null;
  /** Findings that started failing or were resolved (empty when nothing was applied). */
  transitions: FindingTransition[];
}

/**
 * Writes one account's outcome in ONE transaction: the AccountScan's final status and AWS call
 * counts, its CheckResults, the finding lifecycle (new findings muted when a suppression matches),
 * the account's lastScannedAt, the root events its root-signin-activity result lists (stored once
 * with the live ones, recordScannedRootEvents). Writes nothing when the AccountScan had already left
 * PENDING/RUNNING. Then, after the commit and also for a re-delivery, adds the account to the
 * scan's counters and progress and to the AWS call totals, once (countAccountScan).
 */
export async function recordAccountResults(
  prisma: PrismaClient,
  input: RecordAccountResultsInput,
): Promise<RecordedAccount> {
  const now = input.now ?? new Date();
  const results = uniqueResults(input.results);
  const failed = input.error !== undefined && input.error !== null;
  const awsCalls = input.awsCalls ?? {};
  const recorded = await prisma.$transaction(async (tx): Promise<RecordedAccount> => {
    // First, so a concurrent duplicate waits on this row and then finds it no longer open.
    const { count } = await tx.accountScan.updateMany({
      where: { scanId: input.scanId, accountId: input.accountId, status: { in: [...OPEN] } },
      data: {
        status: failed ? 'ERROR' : 'SUCCEEDED',
        error: failed ? input.error : null,
        finishedAt: now,
        durationMs: Math.round(input.durationMs),
        awsCalls: awsCalls as Prisma.InputJsonValue,
      },
    });
    if (count === 0) return { applied: false, findings: null, transitions: [] };
    await tx.checkResult.createMany({
      data: checkResultRows(
        { scanId: input.scanId, accountId: input.accountId, scope: 'account', now },
        results,
      ),
      skipDuplicates: true,
    });
    const { changes: findings, transitions } = await applyFindings(tx, {
      scanId: input.scanId,
      accountId: input.accountId,
      scope: 'account',
      results,
      now,
    });
    await refreshMutedFindings(tx, { accountId: input.accountId, now });
    await recordScannedRootEvents(tx, input.accountId, results);
    await tx.account.updateMany({ where: { id: input.accountId }, data: { lastScannedAt: now } });
    return { applied: true, findings, transitions };
  }, TRANSACTION);
  await countAccountScan(prisma, { scanId: input.scanId, accountId: input.accountId, now });
  return recorded;
}

/**
 * The AWS calls of an attempt that recorded nothing (AWS was unavailable, so the job is tried
 * again): kept on the open AccountScan, so the attempt that records the account adds its own to
 * them (markAccountScanRunning returns them; awsCalls of recordAccountResults) and every call is
 * counted once.
 */
export async function keepUnrecordedAwsCalls(
  prisma: PrismaClient,
  input: { scanId: string; accountId: string; awsCalls: AwsCallCounts },
): Promise<void> {
  await prisma.accountScan.updateMany({
    where: { scanId: input.scanId, accountId: input.accountId, status: { in: [...OPEN] } },
    data: { awsCalls: input.awsCalls as Prisma.InputJsonValue },
  });
}

/**
 * Adds a finished account scan to its scan's counters (accountsDone, accountsFailed, results by
 * status) and progress, and its AWS calls to the totals, unless it was counted already: ONE
 * statement, so the scan row is locked for that statement only, whoever runs it and however
 * slowly. Guarded on countedAt (a concurrent duplicate waits on the account scan's row, then finds
 * it counted). A scan no longer RUNNING is left as its end recounted it. Locks the account scan's
 * row, then the scan's, then the totals rows in service order: the same order for every caller.
 */
async function countAccountScan(
  prisma: PrismaClient,
  input: { scanId: string; accountId: string; now: Date },
): Promise<void> {
  const { scanId, accountId, now } = input;
  // Each CTE reads the one before it, so they run (and lock) in this order.
  await prisma.$executeRaw`
    WITH counted AS (
      UPDATE account_scans SET counted_at = ${now}::timestamp(3)
      WHERE scan_id = ${scanId} AND account_id = ${accountId} AND counted_at IS NULL
        AND status IN ('SUCCEEDED', 'ERROR')
      RETURNING status, aws_calls
    ), results AS (
      SELECT
        count(*) FILTER (WHERE r.status = 'PASS')::int AS pass,
        count(*) FILTER (WHERE r.status = 'FAIL')::int AS fail,
        count(*) FILTER (WHERE r.status = 'ERROR')::int AS error,
        count(*) FILTER (WHERE r.status = 'NOT_APPLICABLE')::int AS not_applicable
      FROM check_results r
      WHERE r.scan_id = ${scanId} AND r.account_id = ${accountId} AND r.scope = 'account'
        AND EXISTS (SELECT 1 FROM counted)
    ), scan AS (
      UPDATE scans AS s SET
        accounts_done = s.accounts_done + 1,
        accounts_failed = s.accounts_failed + CASE WHEN c.status = 'ERROR' THEN 1 ELSE 0 END,
        results_pass = s.results_pass + r.pass,
        results_fail = s.results_fail + r.fail,
        results_error = s.results_error + r.error,
        results_not_applicable = s.results_not_applicable + r.not_applicable,
        last_progress_at = ${now}::timestamp(3)
      FROM counted AS c, results AS r
      WHERE s.id = ${scanId} AND s.status = 'RUNNING'
      RETURNING s.id
    ), calls AS (
      SELECT service.key AS service,
        COALESCE((service.value->>'calls')::bigint, 0) AS calls,
        COALESCE((service.value->>'errors')::bigint, 0) AS errors,
        COALESCE((service.value->>'throttles')::bigint, 0) AS throttles
      FROM counted AS c, jsonb_each(c.aws_calls) AS service
      WHERE (SELECT count(*) FROM scan) >= 0
    ), totals AS (
      INSERT INTO aws_call_totals (service, calls, errors, throttles)
      SELECT service, calls, errors, throttles FROM calls
      WHERE calls + errors + throttles > 0
      ORDER BY service
      ON CONFLICT (service) DO UPDATE SET
        calls = aws_call_totals.calls + EXCLUDED.calls,
        errors = aws_call_totals.errors + EXCLUDED.errors,
        throttles = aws_call_totals.throttles + EXCLUDED.throttles
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM totals)`;
}

/** The CheckResult rows of one account's (or, scope organization, the organization's) results. */
function checkResultRows(
  row: { scanId: string; accountId: string; scope: 'account' | 'organization'; now: Date },
  results: readonly StoredResult[],
): Prisma.CheckResultCreateManyInput[] {
  return results.map((result) => ({
    scanId: row.scanId,
    accountId: row.accountId,
    scope: row.scope,
    checkId: result.checkId,
    resource: result.resource,
    status: result.status,
    severity: result.severity,
    message: result.message,
    evidence: result.evidence as Prisma.InputJsonValue,
    createdAt: row.now,
  }));
}

/** The Scan's result counters (resultsPass…), incremented by how many results have each status. */
function resultCounterIncrements(results: readonly StoredResult[]) {
  const increment = (status: CheckStatus) => ({
    increment: results.filter((result) => result.status === status).length,
  });
  return {
    resultsPass: increment('PASS'),
    resultsFail: increment('FAIL'),
    resultsError: increment('ERROR'),
    resultsNotApplicable: increment('NOT_APPLICABLE'),
  };
}

/**
 * Organization-level results, once per scan: stored under the management account with scope
 * organization (see prisma/schema.prisma). A second call for the same scan writes nothing.
 */
export async function recordOrganizationResults(
  prisma: PrismaClient,
  input: { scanId: string; managementAccountId: string; results: readonly StoredResult[]; now?: Date },
): Promise<RecordedAccount> {
  const now = input.now ?? new Date();
  const results = uniqueResults(input.results);
  if (results.length === 0) return { applied: false, findings: null, transitions: [] };
  const recorded = await prisma.$transaction(async (tx): Promise<RecordedAccount> => {
    const { count } = await tx.checkResult.createMany({
      data: checkResultRows(
        { scanId: input.scanId, accountId: input.managementAccountId, scope: 'organization', now },
        results,
      ),
      skipDuplicates: true,
    });
    // A concurrent duplicate blocks on the unique index until this commits, then inserts nothing.
    if (count === 0) return { applied: false, findings: null, transitions: [] };
    const { changes: findings, transitions } = await applyFindings(tx, {
      scanId: input.scanId,
      accountId: input.managementAccountId,
      scope: 'organization',
      results,
      now,
    });
    await refreshMutedFindings(tx, { accountId: input.managementAccountId, now });
    return { applied: true, findings, transitions };
  }, TRANSACTION);
  // After the commit, as for accounts: the scan row is locked by this statement only. Lost if the
  // process dies in between; completeScanIfDone recounts the results from the CheckResults.
  if (recorded.applied) {
    await prisma.scan.updateMany({
      where: { id: input.scanId, status: 'RUNNING' },
      data: { ...resultCounterIncrements(results), lastProgressAt: now },
    });
  }
  return recorded;
}

/**
 * Ends a RUNNING scan whose accounts are all recorded: SUCCEEDED, PARTIAL (some accounts ERROR)
 * or FAILED (every scanned account ERROR), counts recomputed from the AccountScans. Returns the
 * finished scan when this call finished it, null otherwise (not done yet, or already finished).
 */
export async function completeScanIfDone(
  prisma: PrismaClient,
  scanId: string,
  options: { now?: Date } = {},
): Promise<Scan | null> {
  const now = options.now ?? new Date();
  // The scan row first: every account's end increments accountsDone once (countAccountScan, after
  // the account's transaction commits and before its caller gets here), so while accountsDone <
  // accountsTotal some account is still open or uncounted. Counting AccountScans after each of N
  // accounts read N² rows per scan (10,000 accounts: 10⁸; bench/worker.ts).
  const progress = await prisma.scan.findUnique({
    where: { id: scanId },
    select: { status: true, accountsDone: true, accountsTotal: true },
  });
  if (progress?.status !== 'RUNNING' || progress.accountsDone < progress.accountsTotal) return null;
  return prisma.$transaction(async (tx) => {
    const counts = await countAccountScans(tx, scanId);
    if (counts.PENDING + counts.RUNNING > 0) return null;
    const scanned = counts.SUCCEEDED + counts.ERROR;
    const status = counts.ERROR === 0 ? 'SUCCEEDED' : counts.SUCCEEDED === 0 ? 'FAILED' : 'PARTIAL';
    // Once per scan, the results counted from the rows themselves: what the running counters
    // could have missed (organization results whose process died before counting) is back.
    const byStatus = await tx.checkResult.groupBy({
      by: ['status'],
      where: { scanId },
      _count: { _all: true },
    });
    const resultCount = (wanted: CheckStatus) =>
      byStatus.find((group) => group.status === wanted)?._count._all ?? 0;
    const { count } = await tx.scan.updateMany({
      where: { id: scanId, status: 'RUNNING' },
      data: {
        status,
        active: null,
        finishedAt: now,
        accountsTotal: scanned,
        accountsDone: scanned,
        accountsFailed: counts.ERROR,
        accountsSkipped: counts.SKIPPED,
        resultsPass: resultCount('PASS'),
        resultsFail: resultCount('FAIL'),
        resultsError: resultCount('ERROR'),
        resultsNotApplicable: resultCount('NOT_APPLICABLE'),
        failureReason:
          status === 'SUCCEEDED' ? null : `${counts.ERROR} of ${scanned} accounts could not be scanned`,
      },
    });
    if (count === 0) return null;
    return tx.scan.findUniqueOrThrow({ where: { id: scanId } });
  }, TRANSACTION);
}

/**
 * Ends FAILED every active scan that made no progress for `stalledAfterMs` (no account started
 * or recorded), with the reason; its unfinished accounts end ERROR. A late worker then finds them
 * closed and writes nothing. Returns the scans it ended.
 */
export async function failStalledScans(
  prisma: PrismaClient,
  options: { stalledAfterMs: number; now?: Date },
): Promise<Scan[]> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.stalledAfterMs);
  const stalled = await prisma.scan.findMany({
    where: {
      active: true,
      OR: [
        { lastProgressAt: { lt: cutoff } },
        { lastProgressAt: null, startedAt: { lt: cutoff } },
        { lastProgressAt: null, startedAt: null, createdAt: { lt: cutoff } },
      ],
    },
  });
  const ended: Scan[] = [];
  const minutes = Math.round(options.stalledAfterMs / 60_000);
  for (const candidate of stalled) {
    const scan = await prisma.$transaction(async (tx) => {
      const open = await tx.accountScan.findMany({
        where: { scanId: candidate.id, status: { in: [...OPEN] } },
        select: { accountId: true },
        orderBy: { accountId: 'asc' },
      });
      const shown = open.slice(0, 10).map((row) => row.accountId);
      const reason =
        candidate.status === 'QUEUED'
          ? `the scan made no progress for ${minutes} min: organization discovery never completed; check the scheduler's logs`
          : `the scan made no progress for ${minutes} min: ${open.length} account(s) were never recorded` +
            (shown.length > 0 ? ` (${shown.join(', ')}${open.length > shown.length ? ', …' : ''})` : '') +
            '; check that workers are running and can reach the database';
      // Guarded on the progress we read: a scan that moved meanwhile is left running.
      return endScanFailed(tx, candidate.id, reason, now, { lastProgressAt: candidate.lastProgressAt });
    }, TRANSACTION);
    if (scan) ended.push(scan);
  }
  return ended;
}

/**
 * Ends an active scan FAILED with the reason (the organization could not be read, its jobs could
 * not be enqueued). Its unfinished accounts end ERROR. Returns the scan when this call ended it.
 */
export async function failScan(
  prisma: PrismaClient,
  scanId: string,
  reason: string,
  options: { now?: Date } = {},
): Promise<Scan | null> {
  const now = options.now ?? new Date();
  return prisma.$transaction((tx) => endScanFailed(tx, scanId, reason, now), TRANSACTION);
}

/**
 * Ends the scan FAILED with the reason if it is still active (and matches `guard`): its unfinished
 * accounts end ERROR and its account counters are recounted. Null when it was not ended here.
 */
async function endScanFailed(
  tx: Prisma.TransactionClient,
  scanId: string,
  reason: string,
  now: Date,
  guard: Prisma.ScanWhereInput = {},
): Promise<Scan | null> {
  const { count } = await tx.scan.updateMany({
    where: { ...guard, id: scanId, active: true },
    data: { status: 'FAILED', active: null, finishedAt: now, failureReason: reason },
  });
  if (count === 0) return null;
  await tx.accountScan.updateMany({
    where: { scanId, status: { in: [...OPEN] } },
    data: { status: 'ERROR', error: `not scanned: ${reason}`, finishedAt: now },
  });
  const counts = await countAccountScans(tx, scanId);
  return tx.scan.update({
    where: { id: scanId },
    data: {
      accountsDone: counts.SUCCEEDED + counts.ERROR,
      accountsFailed: counts.ERROR,
      accountsSkipped: counts.SKIPPED,
    },
  });
}
