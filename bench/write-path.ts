/**
 * The write path (BENCHMARKS.md §5), two measurements:
 *
 * - Landing: the results of a 10,000-account scan written again as the next night's scan, with
 *   recordAccountResults (the worker's one transaction per account: AccountScan, CheckResults,
 *   the finding lifecycle, the scan's counters), 16 accounts at once (one worker at the default
 *   concurrency, Prisma's default pool), into the database the worker scan left (bench/worker.ts):
 *   real results, every finding already there, 2 % of accounts changing status. Nothing else runs,
 *   so this is what the database path can take, not what a scan feeds it.
 * - Share: a whole scan through the scheduler, pg-boss and startWorker with AWS at 50 ms a call (as
 *   in the scan benchmark); the worker's database calls are timed inside each account job
 *   (bench/pipeline.ts), so the share is database time / account-job time.
 */
import type { CheckStatus, Severity } from '@rootaudit/db';
import { createPrismaClient, type PrismaClient } from '@rootaudit/db';
import { completeScanIfDone, createScan, recordAccountResults, type StoredResult } from '@rootaudit/store';
import { startBenchPipeline } from './pipeline.ts';
import type { BenchPostgres } from './postgres.ts';
import { DEFAULT_ACCOUNT_CONCURRENCY, LATENCY } from './scan.ts';
import { startSimulatorProcess } from './simulator.ts';
import { elapsedMs, percentile, round, runPool, sum } from './support.ts';
import type { BenchOptions } from './types.ts';

export interface Landing {
  accounts: number;
  results: number;
  wallMs: number;
  resultsPerSecond: number;
  transactionMs: { p50: number; p95: number; p99: number; max: number };
}

interface AccountOutcome {
  id: string;
  results: StoredResult[];
  error: string | null;
}

/** The next night: one account in 50 changes (a FAIL fixed, or a PASS broken). */
function nextNight(results: StoredResult[], changes: boolean): StoredResult[] {
  if (!changes) return results;
  const index = results.findIndex((result) => result.status === 'PASS' || result.status === 'FAIL');
  if (index < 0) return results;
  return results.map((result, i) =>
    i === index ? { ...result, status: result.status === 'PASS' ? 'FAIL' : 'PASS' } : result,
  );
}

/** What a finished scan recorded, per account, as recordAccountResults takes it. */
async function outcomesOf(prisma: PrismaClient, scanId: string): Promise<AccountOutcome[]> {
  const accountScans = await prisma.accountScan.findMany({
    where: { scanId, status: { in: ['SUCCEEDED', 'ERROR'] } },
    select: { accountId: true, error: true },
    orderBy: { accountId: 'asc' },
  });
  const byAccount = new Map<string, StoredResult[]>(accountScans.map((row) => [row.accountId, []]));
  const rows = await prisma.checkResult.findMany({
    where: { scanId, scope: 'account' },
    select: {
      accountId: true,
      checkId: true,
      status: true,
      severity: true,
      resource: true,
      message: true,
      evidence: true,
    },
  });
  for (const row of rows) {
    byAccount.get(row.accountId)?.push({
      checkId: row.checkId,
      status: row.status as CheckStatus,
      severity: row.severity as Severity,
      resource: row.resource,
      message: row.message,
      evidence: row.evidence as Record<string, unknown>,
    });
  }
  return accountScans.map((row) => ({
    id: row.accountId,
    results: byAccount.get(row.accountId) ?? [],
    error: row.error,
  }));
}

/** Lands the results of `previousScanId` again as a new scan; the landing is timed. */
export async function measureNextScanLanding(databaseUrl: string, previousScanId: string): Promise<Landing> {
  const prisma = createPrismaClient(databaseUrl);
  try {
    const accounts = await outcomesOf(prisma, previousScanId);
    const scan = await createScan(prisma, {
      trigger: 'MANUAL',
      accounts: accounts.map((account) => ({ id: account.id, status: 'ACTIVE' as const })),
    });
    const latencies: number[] = [];
    const started = performance.now();
    await runPool(accounts, DEFAULT_ACCOUNT_CONCURRENCY, async (account, index) => {
      const t = performance.now();
      const recorded = await recordAccountResults(prisma, {
        scanId: scan.id,
        accountId: account.id,
        results: nextNight(account.results, index % 50 === 0),
        durationMs: 1000,
        error: account.error,
      });
      latencies.push(elapsedMs(t));
      if (!recorded.applied) throw new Error(`account ${account.id} was not recorded`);
    });
    const wallMs = elapsedMs(started);
    if (!(await completeScanIfDone(prisma, scan.id))) {
      throw new Error(`scan ${scan.id} did not end after every account was recorded`);
    }
    const results = sum(accounts.map((account) => account.results.length));
    return {
      accounts: accounts.length,
      results,
      wallMs: Math.round(wallMs),
      resultsPerSecond: results / (wallMs / 1000),
      transactionMs: {
        p50: round(percentile(latencies, 50), 1),
        p95: round(percentile(latencies, 95), 1),
        p99: round(percentile(latencies, 99), 1),
        max: round(Math.max(...latencies), 1),
      },
    };
  } finally {
    await prisma.$disconnect();
  }
}

export interface DatabaseShare {
  accounts: number;
  scanStatus: string;
  wallMs: number;
  share: number;
  jobMs: { p50: number; total: number };
  databaseMsPerJob: { p50: number; p99: number };
  databaseCallsPerJob: number;
  statements: { statement: string; calls: number; msPerJob: number; share: number }[];
}

export async function measureDatabaseShare(
  options: BenchOptions,
  postgres: BenchPostgres,
  total: number,
): Promise<DatabaseShare> {
  const sim = await startSimulatorProcess({ accounts: total, seed: 12, knobs: { latency: LATENCY } });
  const database = await postgres.createDatabase();
  const pipeline = await startBenchPipeline({
    database,
    endpoint: sim.endpoint,
    accountConcurrency: DEFAULT_ACCOUNT_CONCURRENCY,
    worker: 'timed',
    log: options.log,
  });
  try {
    options.log(`write path: a ${total}-account scan through scheduler, pg-boss and worker, AWS at 50 ms`);
    const outcome = await pipeline.runScan();
    const jobs = outcome.jobs;
    const jobMs = sum(jobs.map((job) => job.totalMs));
    const databaseMs = sum(jobs.map((job) => job.databaseMs));
    return {
      accounts: outcome.scan.accountsDone,
      scanStatus: outcome.scan.status,
      wallMs: Math.round(outcome.wallMs),
      share: databaseMs / jobMs,
      jobMs: {
        p50: round(
          percentile(
            jobs.map((job) => job.totalMs),
            50,
          ),
        ),
        total: Math.round(jobMs),
      },
      databaseMsPerJob: {
        p50: round(
          percentile(
            jobs.map((job) => job.databaseMs),
            50,
          ),
          1,
        ),
        p99: round(
          percentile(
            jobs.map((job) => job.databaseMs),
            99,
          ),
          1,
        ),
      },
      databaseCallsPerJob: round(sum(jobs.map((job) => job.calls)) / jobs.length, 1),
      // Where the database time goes, busiest first.
      statements: [...outcome.statements]
        .sort(([, a], [, b]) => b.ms - a.ms)
        .slice(0, 15)
        .map(([statement, time]) => ({
          statement,
          calls: time.calls,
          msPerJob: round(time.ms / jobs.length, 2),
          share: round(time.ms / databaseMs, 3),
        })),
    };
  } finally {
    await pipeline.close();
    await database.drop();
    await sim.stop();
  }
}
