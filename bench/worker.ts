/**
 * The worker at scale (BENCHMARKS.md §3 and §5). The real worker process (`apps/worker/src/main.ts`)
 * scans an organization of 1,000 accounts, then one of 10,000, each in a fresh database; the
 * scheduler runs in this process and queues the account jobs through pg-boss; the simulator runs
 * in its own process without latency, so the worker goes as fast as it can (the case that stresses
 * memory). Then:
 *
 * - Memory: the worker's peak RSS (the kernel's VmHWM, reset once the worker has started) for
 *   10,000 accounts over that for 1,000.
 * - Write path: the 10,000 accounts' results landed again as the next scan (bench/write-path.ts),
 *   and the share of account-job time spent in the database in a scan at 50 ms per AWS call.
 */
import pg from 'pg';
import { startBenchPipeline } from './pipeline.ts';
import type { BenchPostgres } from './postgres.ts';
import { DEFAULT_ACCOUNT_CONCURRENCY } from './scan.ts';
import { startSimulatorProcess } from './simulator.ts';
import { round } from './support.ts';
import type { BenchOptions, BenchSection } from './types.ts';
import { type Landing, measureDatabaseShare, measureNextScanLanding } from './write-path.ts';

const MB = 1024 * 1024;

interface WorkerRun {
  accounts: number;
  accountsDone: number;
  scanStatus: string;
  results: number;
  wallMs: number;
  workerCpuCores: number | null;
  idleRssMb: number | null;
  peakRssMb: number;
  /** RSS every few seconds: [s since the trigger, MB]. */
  rssMb: [number, number][];
  /** PostgreSQL's own account of the run (pg_stat_database): executing, and idle inside transactions. */
  serverMs: { active: number; idleInTransaction: number } | null;
}

async function serverTimes(url: string): Promise<WorkerRun['serverMs']> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ active: number; idle: number }>(
      'SELECT active_time AS active, idle_in_transaction_time AS idle FROM pg_stat_database WHERE datname = current_database()',
    );
    const row = rows[0];
    return row ? { active: Math.round(row.active), idleInTransaction: Math.round(row.idle) } : null;
  } catch {
    return null; // PostgreSQL before 14 has no active_time
  } finally {
    await client.end();
  }
}

async function scanWithWorkerProcess<T>(
  options: BenchOptions,
  postgres: BenchPostgres,
  accounts: number,
  after: (databaseUrl: string, scanId: string) => Promise<T>,
): Promise<{ run: WorkerRun; after: T }> {
  const sim = await startSimulatorProcess({ accounts, seed: 13 });
  const database = await postgres.createDatabase();
  try {
    const pipeline = await startBenchPipeline({
      database,
      endpoint: sim.endpoint,
      accountConcurrency: DEFAULT_ACCOUNT_CONCURRENCY,
      worker: 'process',
      log: options.log,
    });
    let run: WorkerRun;
    let scanId: string;
    try {
      options.log(`worker: the worker process scans ${accounts} accounts`);
      const outcome = await pipeline.runScan();
      if (outcome.workerPeakRss === null) throw new Error('the worker process peak RSS could not be read');
      const { scan } = outcome;
      scanId = scan.id;
      const step = Math.max(1, Math.floor(outcome.workerRssSamples.length / 40));
      run = {
        accounts,
        accountsDone: scan.accountsDone,
        scanStatus: scan.status,
        results: scan.resultsPass + scan.resultsFail + scan.resultsError + scan.resultsNotApplicable,
        wallMs: Math.round(outcome.wallMs),
        workerCpuCores: outcome.workerCpuCores === null ? null : round(outcome.workerCpuCores),
        idleRssMb: outcome.workerIdleRss === null ? null : round(outcome.workerIdleRss / MB, 1),
        peakRssMb: round(outcome.workerPeakRss / MB, 1),
        rssMb: outcome.workerRssSamples
          .filter((_, i) => i % step === 0)
          .map(([at, rss]) => [Math.round(at / 1000), round(rss / MB)]),
        serverMs: await serverTimes(database.url),
      };
    } finally {
      await pipeline.close();
    }
    options.log(
      `worker: ${run.accountsDone} accounts in ${round(run.wallMs / 1000, 1)} s, peak RSS ${run.peakRssMb} MB`,
    );
    return { run, after: await after(database.url, scanId) };
  } finally {
    await database.drop();
    await sim.stop();
  }
}

export async function runWorkerBenchmark(
  options: BenchOptions,
  postgres: BenchPostgres,
): Promise<BenchSection[]> {
  const [small, large] = options.quick ? [200, 2_000] : [1_000, 10_000];
  const shareAccounts = options.quick ? 100 : 500;
  const smallRun = (await scanWithWorkerProcess(options, postgres, small, async () => null)).run;
  const { run: largeRun, after: landing } = await scanWithWorkerProcess(
    options,
    postgres,
    large,
    async (url, scanId): Promise<Landing> => {
      options.log(`write path: the ${large} accounts' results land again as the next scan`);
      const landed = await measureNextScanLanding(url, scanId);
      options.log(`write path: ${Math.round(landed.resultsPerSecond)} results/s`);
      return landed;
    },
  );
  const share = await measureDatabaseShare(options, postgres, shareAccounts);

  const ratio = largeRun.peakRssMb / smallRun.peakRssMb;
  const perSecond = (run: WorkerRun) => run.accountsDone / (run.wallMs / 1000);
  const memory: BenchSection = {
    id: 'memory',
    title: `Memory (the worker process, ${DEFAULT_ACCOUNT_CONCURRENCY} accounts at once)`,
    rows: [
      {
        name: `worker peak RSS, ${large} accounts / ${small} accounts`,
        value: round(ratio),
        unit: '×',
        target: '≤ 1.5',
        met: ratio <= 1.5,
        note: `${largeRun.peakRssMb} MB vs ${smallRun.peakRssMb} MB (after start-up, idle: ${largeRun.idleRssMb} / ${smallRun.idleRssMb} MB)`,
      },
      {
        name: `worker throughput, ${large} accounts, AWS without latency`,
        value: round(perSecond(largeRun), 1),
        unit: 'accounts/s',
        note: `${largeRun.accountsDone} accounts in ${round(largeRun.wallMs / 1000)} s; worker CPU ${largeRun.workerCpuCores === null ? '?' : round(largeRun.workerCpuCores * 100)} % of a core`,
      },
    ],
    details: { small: smallRun, large: largeRun },
  };
  const writePath: BenchSection = {
    id: 'write-path',
    title: 'Write path (real PostgreSQL)',
    rows: [
      {
        name: `results written per second, ${landing.accounts} accounts' results landing`,
        value: Math.round(landing.resultsPerSecond),
        unit: 'results/s',
        note: `the next night's scan of the ${large}-account organization: ${landing.results} results in ${round(landing.wallMs / 1000, 1)} s, ${DEFAULT_ACCOUNT_CONCURRENCY} accounts at once, nothing else running; transaction p50 ${landing.transactionMs.p50} ms, p99 ${landing.transactionMs.p99} ms`,
      },
      {
        name: `results landed per second by the worker, first ${large}-account scan`,
        value: Math.round(largeRun.results / (largeRun.wallMs / 1000)),
        unit: 'results/s',
        note: 'through the whole worker (scan included), AWS without latency: the scan sets the pace',
      },
      {
        name: `share of account-job time in the database, AWS at 50 ms`,
        value: round(share.share * 100, 1),
        unit: '%',
        note: `${share.accounts}-account scan through scheduler, pg-boss and worker: ${share.databaseMsPerJob.p50} ms of a ${share.jobMs.p50} ms job (p50), ${share.databaseCallsPerJob} database calls per job`,
      },
    ],
    details: { database: postgres.description, landing, share, worker: largeRun.serverMs },
  };
  return [memory, writePath];
}
