/**
 * The production scan path for the benchmarks: the scheduler (in this process) discovers the
 * organization and queues one pg-boss job per account; a worker takes them. The worker is either
 * the real worker process (`apps/worker/src/main.ts`, whose memory is sampled from /proc), or
 * `startWorker` in this process over a pg pool that times every database call made inside an account
 * job (AsyncLocalStorage tags the job's calls).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { type Config, loadConfig } from '@rootaudit/config';
import { createPrismaClient, PrismaClient, type Scan } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { type PgBoss, QUEUES, startQueue, stopQueue } from '@rootaudit/queue';
import { startScheduler } from '@rootaudit/scheduler';
import { startWorker } from '@rootaudit/worker';
import pg from 'pg';
import type { BenchDatabase } from './postgres.ts';
import { BENCH_CREDENTIALS, BENCH_EXTERNAL_ID, BENCH_REGIONS } from './simulator.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Time one account job spent, and the part of it spent waiting on PostgreSQL. */
export interface JobTiming {
  startedAt: number;
  totalMs: number;
  databaseMs: number;
  /** Statements sent (plus pool checkouts). */
  calls: number;
}

export interface PipelineOptions {
  database: BenchDatabase;
  endpoint: string;
  accountConcurrency: number;
  /** 'process': the real worker process; 'timed': startWorker here, database calls timed. */
  worker: 'process' | 'timed';
  /** How many worker processes ('process' only) [1]; memory and CPU figures are the first's. */
  workers?: number;
  log: (line: string) => void;
}

export interface ScanOutcome {
  scan: Scan;
  /** From the trigger to the scan's end, as seen here. */
  wallMs: number;
  /** CPU the worker process used over the scan, in cores; null for the in-process worker. */
  workerCpuCores: number | null;
  /** Peak RSS of the worker process (VmHWM), bytes; null for the in-process worker. */
  workerPeakRss: number | null;
  /** RSS of the worker process, started and idle, just before the scan; bytes. */
  workerIdleRss: number | null;
  /** RSS samples of the worker process [ms since trigger, bytes]. */
  workerRssSamples: [number, number][];
  /** Account jobs, for the timed worker. */
  jobs: JobTiming[];
  /** Their database time by statement, for the timed worker. */
  statements: StatementTimes;
}

export interface BenchPipeline {
  /**
   * Triggers a scan and waits for its end. `during` runs once, when `during.atAccounts` of the
   * scan's accounts are recorded (a fault injected mid-scan), and the scan goes on meanwhile.
   */
  runScan(options?: {
    timeoutMs?: number;
    during?: { atAccounts: number; run: (scanId: string) => Promise<void> };
  }): Promise<ScanOutcome>;
  /** The worker processes ('process' only). */
  workers: BenchWorkerProcess[];
  /** The pipeline's database, as the scheduler sees it. */
  prisma: PrismaClient;
  close(): Promise<void>;
}

function benchEnv(options: PipelineOptions): Record<string, string> {
  return {
    DATABASE_URL: options.database.url,
    ROOTAUDIT_EXTERNAL_ID: BENCH_EXTERNAL_ID,
    ROOTAUDIT_REGIONS: BENCH_REGIONS.join(','),
    ROOTAUDIT_ACCOUNT_CONCURRENCY: String(options.accountConcurrency),
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
}

/** /proc/<pid>/status: VmRSS (now) and VmHWM (peak), in bytes. */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number } | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
  } catch {
    return null;
  }
}

/** Database time inside account jobs, by statement (its first words) and pool checkouts. */
export type StatementTimes = Map<string, { calls: number; ms: number }>;

function statementLabel(args: unknown[]): string {
  const first = args[0];
  const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text.replace(/\s+/g, ' ').trim().slice(0, 70) : 'unknown';
}

/** CPU time (user + system) a process has used so far, ms; /proc/<pid>/stat counts in 1/100 s. */
async function cpuMsOf(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** A pg pool whose clients report the time of every statement and checkout made inside a job. */
function timedPool(url: string, jobs: AsyncLocalStorage<JobTiming>, statements: StatementTimes): pg.Pool {
  const track = (timing: JobTiming | undefined, label: string, started: number) => () => {
    if (!timing) return;
    const ms = performance.now() - started;
    timing.databaseMs += ms;
    timing.calls += 1;
    const entry = statements.get(label) ?? { calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += ms;
    statements.set(label, entry);
  };
  /** Wraps a trailing callback, or the returned promise, so the call's end is seen. */
  const timed = <A extends unknown[], R>(label: string, call: (...args: A) => R, args: A): R => {
    const done = track(jobs.getStore(), label, performance.now());
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (...results: unknown[]) => {
        done();
        return (last as (...results: unknown[]) => unknown)(...results);
      };
      return call(...args);
    }
    const result = call(...args);
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      (result as unknown as Promise<unknown>).then(done, done);
    }
    return result;
  };
  class TimedClient extends pg.Client {
    override query(...args: unknown[]): never {
      const query = (...a: unknown[]) => (super.query as (...b: unknown[]) => never)(...a);
      return timed(statementLabel(args), query, args);
    }
  }
  class TimedPool extends pg.Pool {
    override connect(...args: unknown[]): never {
      const connect = (...a: unknown[]) => (super.connect as (...b: unknown[]) => never)(...a);
      return timed('(waiting for a pool connection)', connect, args);
    }
  }
  return new TimedPool({ connectionString: url, Client: TimedClient });
}

/** A worker process (apps/worker/src/main.ts) of the pipeline. */
export interface BenchWorkerProcess {
  child: ChildProcess;
  /** Kills it on purpose (a fault injected), so its exit is no failure of the run. */
  kill(signal: NodeJS.Signals): void;
  close(): Promise<void>;
}

/**
 * Starts the real worker process and waits for its "worker started" line; its output goes to a
 * temp file, kept only when it exits other than by close() or kill().
 */
async function spawnWorkerProcess(
  env: Record<string, string>,
  label: string,
  onUnexpectedExit: (reason: string) => void,
): Promise<BenchWorkerProcess> {
  const logPath = join(tmpdir(), `rootaudit-bench-worker-${process.pid}-${Date.now()}-${label}.log`);
  const logFile = createWriteStream(logPath);
  // BENCH_WORKER_NODE_ARGS: extra node flags for the worker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '--conditions=rootaudit-source',
      '--import',
      import.meta.resolve('tsx'),
      'apps/worker/src/main.ts',
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, LOG_LEVEL: 'info', NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(logFile);
  child.stderr?.pipe(logFile);
  let closing = false;
  let unexpected: string | null = null;
  child.once('exit', (code, signal) => {
    if (closing) return;
    unexpected = `the worker process exited (${code ?? signal}); its output is in ${logPath}`;
    onUnexpectedExit(unexpected);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // Started = its "worker started" line; then the peak RSS is reset, so start-up (migration check,
  // module loading) does not count in the scan's peak.
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (seen.includes('"worker started"')) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', () => reject(new Error(unexpected ?? 'the worker process exited')));
  });
  return {
    child,
    kill(signal) {
      closing = true;
      child.kill(signal);
    },
    async close() {
      const killed = closing;
      closing = true;
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      // The worker's log is kept only when something went wrong.
      if (!unexpected && (killed || child.exitCode === 0)) await rm(logPath, { force: true });
    },
  };
}

export async function startBenchPipeline(options: PipelineOptions): Promise<BenchPipeline> {
  const env = benchEnv(options);
  const config: Config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  const logger = createLogger({ level: 'silent', destination: 2 });
  const prisma = createPrismaClient(options.database.url);
  const clients = { endpoint: options.endpoint, credentials: BENCH_CREDENTIALS };
  // Discovery is quick to pick up; the worker keeps the queue's production settings.
  const boss: PgBoss = await startQueue(options.database.url, logger);
  const scheduler = await startScheduler({
    config,
    logger,
    database: { prisma },
    boss,
    clients,
    schedule: false,
    pollingIntervalSeconds: 0.5,
  });

  const jobs: JobTiming[] = [];
  const statements: StatementTimes = new Map();
  let closeWorker: () => Promise<void>;
  let workerProcess: ChildProcess | null = null;
  const workerProcesses: BenchWorkerProcess[] = [];
  let exitedEarly: string | null = null;
  if (options.worker === 'process') {
    const started = await Promise.all(
      Array.from({ length: options.workers ?? 1 }, (_, i) =>
        spawnWorkerProcess(env, `${i + 1}`, (reason) => {
          exitedEarly ??= reason;
        }),
      ),
    );
    workerProcesses.push(...started);
    workerProcess = started[0]?.child ?? null;
    closeWorker = async () => {
      await Promise.all(workerProcesses.map((worker) => worker.close()));
    };
  } else {
    const store = new AsyncLocalStorage<JobTiming>();
    const pool = timedPool(options.database.url, store, statements);
    const workerPrisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    const workerBoss = await startQueue(options.database.url, logger);
    // Each account job runs inside its own timing context.
    const work = workerBoss.work.bind(workerBoss) as (...args: unknown[]) => Promise<string>;
    (workerBoss as unknown as { work: (...args: unknown[]) => Promise<string> }).work = (...args) => {
      const [name, workOptions, handler] = args as [string, object, (jobs: unknown[]) => Promise<unknown>];
      if (name !== QUEUES.scanAccount) return work(...args);
      return work(name, workOptions, async (batch: unknown[]) => {
        const timing: JobTiming = { startedAt: performance.now(), totalMs: 0, databaseMs: 0, calls: 0 };
        try {
          return await store.run(timing, () => handler(batch));
        } finally {
          timing.totalMs = performance.now() - timing.startedAt;
          jobs.push(timing);
        }
      });
    };
    const worker = await startWorker({
      config,
      logger,
      database: { prisma: workerPrisma },
      boss: workerBoss,
      clients,
    });
    closeWorker = async () => {
      await worker.close();
      await stopQueue(workerBoss, { timeoutMs: 5_000 });
      await workerPrisma.$disconnect();
      await pool.end().catch(() => undefined);
    };
  }

  return {
    async runScan(runOptions = {}) {
      const timeoutMs = runOptions.timeoutMs ?? 30 * 60_000;
      jobs.length = 0;
      statements.clear();
      const samples: [number, number][] = [];
      let idleRss: number | null = null;
      if (workerProcess?.pid) {
        idleRss = (await memoryOf(workerProcess.pid))?.rss ?? null;
        // "5": reset the peak RSS (VmHWM) to the current RSS (Linux ≥ 4.0, proc(5)).
        await writeFile(`/proc/${workerProcess.pid}/clear_refs`, '5').catch(() => undefined);
      }
      const cpuBefore = workerProcess?.pid ? await cpuMsOf(workerProcess.pid) : null;
      const started = performance.now();
      const outcome = await scheduler.triggerScan({ requestedBy: 'bench' });
      if (!outcome.started) throw new Error(`scan ${outcome.scan.id} is already running`);
      const scanId = outcome.scan.id;
      let lastLog = started;
      let during: Promise<void> | null = null;
      for (;;) {
        if (exitedEarly) throw new Error(exitedEarly);
        if (workerProcess?.pid) {
          const memory = await memoryOf(workerProcess.pid);
          if (memory) samples.push([Math.round(performance.now() - started), memory.rss]);
        }
        const scan = await prisma.scan.findUniqueOrThrow({ where: { id: scanId } });
        if (runOptions.during && !during && scan.accountsDone >= runOptions.during.atAccounts) {
          during = runOptions.during.run(scanId);
          await during;
        }
        if (scan.active !== true) {
          const peak = workerProcess?.pid ? ((await memoryOf(workerProcess.pid))?.peak ?? null) : null;
          const cpuAfter = workerProcess?.pid ? await cpuMsOf(workerProcess.pid) : null;
          const wallMs = performance.now() - started;
          return {
            scan,
            wallMs,
            workerCpuCores: cpuBefore !== null && cpuAfter !== null ? (cpuAfter - cpuBefore) / wallMs : null,
            workerPeakRss: peak,
            workerIdleRss: idleRss,
            workerRssSamples: samples,
            jobs: [...jobs],
            statements: new Map(statements),
          };
        }
        if (performance.now() - started > timeoutMs) {
          throw new Error(`scan ${scanId} still ${scan.status} after ${timeoutMs} ms`);
        }
        if (performance.now() - lastLog > 15_000) {
          lastLog = performance.now();
          options.log(`  … ${scan.accountsDone}/${scan.accountsTotal} accounts`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    workers: workerProcesses,
    prisma,
    async close() {
      await closeWorker();
      await scheduler.close();
      await stopQueue(boss, { timeoutMs: 5_000 });
      await prisma.$disconnect();
    },
  };
}
