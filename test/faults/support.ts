/**
 * The fault suite's harness: a scan of a 200-account simulated organization through the
 * scheduler (in the test process) and worker processes that a test kills, freezes or cuts off, on
 * the pipeline of apps/scheduler/src/testing.ts. Each worker process names itself to PostgreSQL
 * (`application_name`), so a test can see what its sessions hold.
 */
import type { Simulator } from '@rootaudit/aws-sim';
import type { PrismaClient } from '@rootaudit/db';
import { accountJobId, QUEUE_SCHEMA } from '@rootaudit/queue';
import type { Test } from 'tap';
import {
  activeAccounts,
  assertRecordedOnce,
  type Pipeline,
  type PipelineOptions,
  spawnWorkerProcess,
  startPipeline,
  type WorkerProcess,
} from '../../apps/scheduler/src/testing.ts';

/** Accounts of the generated organization: 203 of them ACTIVE with this seed. */
export const ORGANIZATION_ACCOUNTS = 210;
export const SEED = 16;
/** Accounts each worker process scans at once (the pipeline's default). */
export const ACCOUNT_CONCURRENCY = 8;
/**
 * Small, so the scan takes seconds of CPU, yet an account's AWS calls take long enough that every
 * worker always has accounts in hand when a fault strikes.
 */
export const LATENCY = { fixedMs: 5, jitterMs: 5 };
/** Production's queue timings: heart-beats and supervision of 30 s, account retries after 15 s, polling 2 s. */
export const PRODUCTION_QUEUE = {};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Teardown {
  teardown(fn: () => unknown): void;
  comment(...message: unknown[]): unknown;
}

export interface FaultWorker extends WorkerProcess {
  /** Its PostgreSQL sessions' application_name. */
  name: string;
}

export interface FaultPipeline {
  pipeline: Pipeline;
  workers: FaultWorker[];
}

export interface FaultPipelineOptions extends Pick<PipelineOptions, 'database' | 'queue' | 'knobs'> {
  workers: number;
  /** Where the worker processes send AWS calls, given the simulator [the simulator itself]. */
  awsEndpoint?: (sim: Simulator) => Promise<string>;
}

function withApplicationName(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', name);
  return url.toString();
}

/**
 * The pipeline without an in-process worker, and `workers` worker processes, each started (its
 * "worker started" line seen) before this returns.
 */
export async function startFaultPipeline(t: Teardown, options: FaultPipelineOptions): Promise<FaultPipeline> {
  const pipeline = await startPipeline(t, {
    accounts: ORGANIZATION_ACCOUNTS,
    seed: SEED,
    worker: false,
    accountConcurrency: ACCOUNT_CONCURRENCY,
    knobs: options.knobs ?? { latency: LATENCY },
    ...(options.database ? { database: options.database } : {}),
    ...(options.queue ? { queue: options.queue } : {}),
  });
  const active = activeAccounts(pipeline).length;
  if (active < 200) throw new Error(`the organization has ${active} ACTIVE accounts; the suite needs 200`);
  const awsEndpoint = options.awsEndpoint ? await options.awsEndpoint(pipeline.sim) : null;
  const workers = Array.from({ length: options.workers }, (_, i) => {
    const name = `fault-worker-${i + 1}`;
    const worker = spawnWorkerProcess(t, pipeline, {
      DATABASE_URL: withApplicationName(pipeline.url, name),
      ...(awsEndpoint ? { AWS_ENDPOINT_URL: awsEndpoint } : {}),
    });
    return { ...worker, name };
  });
  await Promise.all(workers.map((worker) => untilLogged(worker, 'worker started', 180_000)));
  return { pipeline, workers };
}

/** Waits for a pino line whose msg is `message` in the worker's output. */
export async function untilLogged(worker: FaultWorker, message: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!worker.output.join('').includes(`"msg":"${message}"`)) {
    if (!worker.alive() || Date.now() > deadline) {
      throw new Error(
        `${worker.name} did not log "${message}" (${worker.alive() ? 'timed out' : 'exited'}):\n${tail(worker)}`,
      );
    }
    await sleep(100);
  }
}

/** The last lines a worker wrote, for a failure's message. */
export function tail(worker: FaultWorker, chars = 3000): string {
  return worker.output.join('').slice(-chars);
}

/** Lines of one message a worker logged, parsed. */
export function logged(worker: FaultWorker, message: string): Record<string, unknown>[] {
  return worker.output
    .join('')
    .split('\n')
    .filter((line) => line.includes(`"msg":"${message}"`))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

export async function accountsDone(prisma: PrismaClient, scanId: string): Promise<number> {
  return (await prisma.scan.findUniqueOrThrow({ where: { id: scanId } })).accountsDone;
}

/** Starts a scan and waits until `count` of its accounts are recorded; every worker must stay up. */
export async function scanUntil(
  fault: FaultPipeline,
  count: number,
  timeoutMs = 4 * 60_000,
): Promise<{ scanId: string; done: number }> {
  const outcome = await fault.pipeline.scheduler.triggerScan({ requestedBy: 'fault-suite' });
  if (!outcome.started) throw new Error(`scan ${outcome.scan.id} is already running`);
  const scanId = outcome.scan.id;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await accountsDone(fault.pipeline.prisma, scanId);
    if (done >= count) return { scanId, done };
    const dead = fault.workers.find((worker) => !worker.alive());
    if (dead) throw new Error(`${dead.name} exited before the fault:\n${tail(dead)}`);
    if (Date.now() > deadline) throw new Error(`only ${done} of ${count} accounts recorded in time`);
    await sleep(100);
  }
}

/** Whether a session of the worker holds an open transaction (its client sent no COMMIT yet). */
export async function inTransaction(prisma: PrismaClient, worker: FaultWorker): Promise<boolean> {
  const rows = await prisma.$queryRawUnsafe<{ open: bigint }[]>(
    `SELECT count(*) AS open FROM pg_stat_activity
      WHERE application_name = $1 AND state IN ('idle in transaction', 'idle in transaction (aborted)')`,
    worker.name,
  );
  return Number(rows[0]?.open ?? 0) > 0;
}

/**
 * What an unfinished scan is waiting for: its accounts not yet recorded, with their AccountScan
 * and pg-boss job, for a failure's message.
 */
export async function unfinishedAccounts(prisma: PrismaClient, scanId: string): Promise<string> {
  const rows = await prisma.accountScan.findMany({
    where: { scanId, status: { in: ['PENDING', 'RUNNING'] } },
  });
  const lines: string[] = [];
  for (const row of rows) {
    const jobs = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT state, retry_count, started_on, heartbeat_on, start_after, completed_on, output
         FROM ${QUEUE_SCHEMA}.job WHERE id = $1::uuid`,
      accountJobId(scanId, row.accountId),
    );
    lines.push(
      `${row.accountId} ${row.status} attempts=${row.attempts} started=${row.startedAt?.toISOString()} job=${JSON.stringify(jobs)}`,
    );
  }
  return lines.join('\n');
}

/**
 * SIGSTOPs the worker, if it can, while one of its sessions is inside a transaction (the case
 * that used to stall every worker on the scan row's lock): stops it, looks, and lets it run a few
 * milliseconds more while it is not, for up to `timeoutMs`; then leaves it stopped wherever it is.
 * Says whether a transaction was open.
 */
export async function freezeInsideTransaction(
  prisma: PrismaClient,
  worker: FaultWorker,
  timeoutMs = 20_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    worker.child.kill('SIGSTOP');
    // A statement already sent completes on the server; then the session shows what it holds.
    await sleep(150);
    if (await inTransaction(prisma, worker)) return true;
    if (Date.now() > deadline) return false;
    worker.child.kill('SIGCONT');
    await sleep(20 + Math.random() * 200);
  }
}

/**
 * assertRecordedOnce for a fault case (up to 6 minutes), with, when it fails, the workers' last
 * lines and what the scan still waits for. `context` heads that list (when the fault struck).
 */
export async function assertFaultScanRecordedOnce(
  t: Test,
  fault: FaultPipeline,
  scanId: string,
  options: Parameters<typeof assertRecordedOnce>[3] & { context?: string } = {},
) {
  const { context, ...recorded } = options;
  return assertRecordedOnce(t, fault.pipeline, scanId, { timeoutMs: 6 * 60_000, ...recorded }).catch(
    async (error: unknown) => {
      for (const worker of fault.workers) t.comment(`${worker.name}:\n${tail(worker)}`);
      const waiting = await unfinishedAccounts(fault.pipeline.prisma, scanId);
      t.comment(`${context ? `${context}; ` : ''}waiting for:\n${waiting}`);
      throw error;
    },
  );
}
