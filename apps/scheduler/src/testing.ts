/**
 * The scan pipeline for integration tests: a simulated organization (packages/aws-sim), a fresh
 * PostgreSQL database, pg-boss with fast timings, a scheduler and (optionally) an in-process
 * worker, all real. Each piece is torn down with the test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  type AccountModel,
  type GenerateOptions,
  generateOrganization,
  type Knobs,
  type Simulator,
  startSimulator,
} from '@rootaudit/aws-sim';
import { type Check, checks as catalog } from '@rootaudit/checks';
import { type Config, loadConfig } from '@rootaudit/config';
import type { PrismaClient, Scan } from '@rootaudit/db';
import { createLogger, type Logger } from '@rootaudit/log';
import { type PgBoss, type QueueSettingsOverrides, startQueue, stopQueue } from '@rootaudit/queue';
import type { RunningService } from '@rootaudit/service';
import { startWorker } from '@rootaudit/worker';
import { testDatabase } from '../../../test/support/db.ts';
import { type RunningScheduler, startScheduler } from './scheduler.ts';

export const EXTERNAL_ID = 'pipeline-test-external-id';
export const REGIONS = ['us-east-1', 'eu-west-1'];
export const BASE_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** pg-boss timings that make a test take seconds: fast polling, expiry and maintenance. */
export const FAST_QUEUE: QueueSettingsOverrides & { pollingIntervalSeconds: number } = {
  boss: {
    maintenanceIntervalSeconds: 1,
    superviseIntervalSeconds: 1,
    monitorIntervalSeconds: 1,
    cronMonitorIntervalSeconds: 1,
    cronWorkerIntervalSeconds: 1,
  },
  scanAccount: { retryLimit: 3, retryDelay: 1, retryBackoff: false, expireInSeconds: 6 },
  scanOrganization: { retryDelay: 1, retryBackoff: false },
  webhookDelivery: { retryDelay: 1, retryBackoff: false },
  pollingIntervalSeconds: 0.5,
};

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface Pipeline {
  sim: Simulator;
  prisma: PrismaClient;
  url: string;
  config: Config;
  logger: Logger;
  checks: Check[];
  /** AWS client settings pointing at the simulator. */
  clients: { endpoint: string; credentials: typeof BASE_CREDENTIALS; maxAttempts: number };
  boss: PgBoss;
  /** The queue timings every process of the pipeline uses. */
  queue: PipelineQueue;
  scheduler: RunningScheduler;
  worker: RunningService | null;
  /** Environment for a worker child process (tsx apps/worker/src/test-worker-process.ts). */
  childEnv: NodeJS.ProcessEnv;
  /** Starts another pg-boss instance on the same database (a second scheduler, say). */
  startBoss(): Promise<PgBoss>;
}

/** Queue timings for a pipeline: pg-boss settings and the workers' polling interval. */
export type PipelineQueue = QueueSettingsOverrides & { pollingIntervalSeconds?: number };

export interface PipelineOptions extends Partial<Pick<GenerateOptions, 'accounts' | 'seed'>> {
  knobs?: Knobs;
  /**
   * The database [a fresh one from test/support/db.ts]: tests that restart PostgreSQL bring a
   * database on a server of their own.
   */
  database?: { url: string; prisma: PrismaClient };
  /**
   * Queue timings of every process of the pipeline, worker processes included [FAST_QUEUE]; `{}`
   * is production's (heart-beats and supervision of 30 s, account retries after 15 s, polling every 2 s).
   */
  queue?: PipelineQueue;
  /** Start an in-process worker [true]. */
  worker?: boolean;
  /** Register the cron [false]. */
  schedule?: boolean;
  cron?: string;
  accountConcurrency?: number;
  /** The scheduler's stalled-scan threshold [1 hour]. */
  stalledAfterMs?: number;
  /** Queue options over those of `queue`, queue by queue. */
  queueOverrides?: QueueSettingsOverrides;
}

export async function startPipeline(t: Teardown, options: PipelineOptions = {}): Promise<Pipeline> {
  const model = generateOrganization({
    accounts: options.accounts ?? 50,
    seed: options.seed ?? 7,
    regions: REGIONS,
    externalId: EXTERNAL_ID,
  });
  // The generator leaves ~1 % of accounts without the audit role; these tests want a clean org
  // unless they break it on purpose.
  for (const account of model.accounts) account.auditRole = true;
  const sim = await startSimulator({ model, ...(options.knobs ? { knobs: options.knobs } : {}) });
  t.teardown(() => sim.stop());
  const { url, prisma } = options.database ?? (await testDatabase(t));
  const base = options.queue ?? FAST_QUEUE;
  const queue: PipelineQueue = { ...base };
  for (const [name, settings] of Object.entries(options.queueOverrides ?? {}) as [
    keyof QueueSettingsOverrides,
    object,
  ][])
    Object.assign(queue, { [name]: { ...base[name], ...settings } });
  const env = {
    DATABASE_URL: url,
    ROOTAUDIT_EXTERNAL_ID: EXTERNAL_ID,
    ROOTAUDIT_REGIONS: REGIONS.join(','),
    ROOTAUDIT_ACCOUNT_CONCURRENCY: String(options.accountConcurrency ?? 8),
    ROOTAUDIT_SCAN_CRON: options.cron ?? '0 2 * * *',
    // Webhook receivers in tests listen on 127.0.0.1.
    ROOTAUDIT_ALLOW_PRIVATE_WEBHOOK_URLS: 'true',
    LOG_LEVEL: process.env.PIPELINE_LOG_LEVEL ?? 'silent',
  };
  const config = loadConfig(env);
  const logger = createLogger({ level: config.logLevel, name: 'pipeline-test', destination: 2 });
  const checks = [...catalog];
  const clients = { endpoint: sim.endpoint, credentials: BASE_CREDENTIALS, maxAttempts: 3 };
  const startBoss = async () => {
    const boss = await startQueue(url, logger, queue);
    t.teardown(() => stopQueue(boss, { timeoutMs: 5_000 }));
    return boss;
  };
  const boss = await startBoss();
  const scheduler = await startScheduler({
    config,
    logger,
    database: { prisma },
    boss,
    clients,
    checks,
    schedule: options.schedule ?? false,
    ...(options.stalledAfterMs ? { stalledAfterMs: options.stalledAfterMs } : {}),
    ...(queue.pollingIntervalSeconds ? { pollingIntervalSeconds: queue.pollingIntervalSeconds } : {}),
  });
  t.teardown(() => scheduler.close());
  const worker =
    options.worker === false
      ? null
      : await startPipelineWorker(t, { config, logger, prisma, boss, clients, checks, queue });
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: BASE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: BASE_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'info',
    ROOTAUDIT_TEST_QUEUE: JSON.stringify(queue),
  };
  return {
    sim,
    prisma,
    url,
    config,
    logger,
    checks,
    clients,
    boss,
    queue,
    scheduler,
    worker,
    childEnv,
    startBoss,
  };
}

/** Starts an in-process worker on the pipeline's database, queue and simulator, stopped with the test. */
export async function startPipelineWorker(
  t: Teardown,
  pipeline: Pick<Pipeline, 'config' | 'logger' | 'prisma' | 'boss' | 'clients' | 'checks'> & {
    queue?: PipelineQueue;
  },
): Promise<RunningService> {
  const polling = (pipeline.queue ?? FAST_QUEUE).pollingIntervalSeconds;
  const worker = await startWorker({
    config: pipeline.config,
    logger: pipeline.logger,
    database: { prisma: pipeline.prisma },
    boss: pipeline.boss,
    clients: pipeline.clients,
    checks: pipeline.checks,
    ...(polling ? { pollingIntervalSeconds: polling } : {}),
  });
  t.teardown(() => worker.close());
  return worker;
}

const workerEntry = fileURLToPath(new URL('../../worker/src/test-worker-process.ts', import.meta.url));

/** A worker process of the pipeline (apps/worker/src/test-worker-process.ts), killed with the test. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Its stdout and stderr (pino JSON lines), as they came. */
  output: string[];
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  /** Neither exited nor killed. */
  alive(): boolean;
}

/**
 * Starts a worker process on the pipeline's database, queue timings and simulator (`env` adds to
 * or replaces the pipeline's childEnv); it is SIGKILLed at the end of the test if still running.
 */
export function spawnWorkerProcess(
  t: Teardown,
  pipeline: Pick<Pipeline, 'childEnv'>,
  env: NodeJS.ProcessEnv = {},
): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=rootaudit-source', '--import', import.meta.resolve('tsx'), workerEntry],
    {
      env: {
        ...pipeline.childEnv,
        // Without tap's loaders and coverage hooks: they slow each child's start-up.
        NODE_OPTIONS: '',
        NODE_V8_COVERAGE: '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const alive = () => child.exitCode === null && child.signalCode === null;
  t.teardown(async () => {
    if (alive()) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, output, exited, alive };
}

/** Polls until the scan has ended (or the time is up) and returns it. */
export async function waitForScan(prisma: PrismaClient, scanId: string, timeoutMs = 45_000): Promise<Scan> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const scan = await prisma.scan.findUniqueOrThrow({ where: { id: scanId } });
    if (scan.active !== true) return scan;
    if (Date.now() > deadline) {
      throw new Error(
        `scan ${scanId} still ${scan.status} after ${timeoutMs} ms (${scan.accountsDone}/${scan.accountsTotal})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs an on-demand scan through pg-boss and waits for its end. */
export async function scanOnce(pipeline: Pipeline, timeoutMs?: number): Promise<Scan> {
  const outcome = await pipeline.scheduler.triggerScan({ requestedBy: 'test' });
  if (!outcome.started) throw new Error(`scan ${outcome.scan.id} is already running`);
  return waitForScan(pipeline.prisma, outcome.scan.id, timeoutMs);
}

// ── Expectations shared by the pipeline tests ─────────────────────────────────────────────

export const rootArn = (id: string) => `arn:aws:iam::${id}:root`;

export function activeAccounts(pipeline: Pipeline): AccountModel[] {
  return pipeline.sim.model.accounts.filter((account) => account.status === 'ACTIVE');
}

/** What the model says root-no-access-keys must be. */
export const expectedAccessKeys = (account: AccountModel) =>
  account.root.accessKeys.length > 0 ? 'FAIL' : 'PASS';
/** What the model says root-mfa-enabled must be. */
export function expectedMfa(account: AccountModel) {
  if (account.root.mfa !== 'none') return 'PASS';
  const credentials = account.root.password || account.root.accessKeys.length > 0;
  return credentials ? 'FAIL' : 'NOT_APPLICABLE';
}

export async function resultsOf(prisma: PrismaClient, scanId: string, checkId: string) {
  const rows = await prisma.checkResult.findMany({ where: { scanId, checkId } });
  return new Map(rows.map((row) => [row.accountId, row.status]));
}

interface Asserts {
  equal(found: unknown, wanted: unknown, message: string): unknown;
  same(found: unknown, wanted: unknown, message: string): unknown;
  ok(value: unknown, message: string): unknown;
}

/**
 * Waits for the scan's end, then: it ended `scanStatus` [SUCCEEDED], every active account has
 * exactly one AccountScan (SUCCEEDED unless `anyStatus`) and results, and nothing was counted twice
 * (the scan's account and result counters match its rows). Returns the AccountScans.
 */
export async function assertRecordedOnce(
  t: Asserts,
  pipeline: Pipeline,
  scanId: string,
  options: { timeoutMs?: number; anyStatus?: boolean; scanStatus?: Scan['status'] } = {},
) {
  const scan = await waitForScan(pipeline.prisma, scanId, options.timeoutMs ?? 30_000);
  const active = activeAccounts(pipeline).map((account) => account.id);
  const status = options.scanStatus ?? 'SUCCEEDED';
  t.equal(scan.status, status, scan.failureReason ?? `the scan ended ${status}`);
  const rows = await pipeline.prisma.accountScan.findMany({ where: { scanId, status: { not: 'SKIPPED' } } });
  t.same(rows.map((row) => row.accountId).sort(), [...active].sort(), 'one AccountScan per active account');
  if (!options.anyStatus) {
    const failed = rows.filter((row) => row.status !== 'SUCCEEDED');
    t.same(
      failed.map((row) => `${row.accountId} ${row.status}: ${row.error ?? ''}`),
      [],
      'every account succeeded',
    );
  }
  t.equal(scan.accountsDone, active.length, 'each account counted once');
  const perCheck = await pipeline.prisma.checkResult.groupBy({
    by: ['accountId', 'checkId', 'resource'],
    where: { scanId },
    _count: { _all: true },
  });
  t.ok(
    perCheck.every((group) => group._count._all === 1),
    'no result recorded twice',
  );
  t.equal(new Set(perCheck.map((group) => group.accountId)).size, active.length, 'results for every account');
  const results = await pipeline.prisma.checkResult.count({ where: { scanId } });
  t.equal(
    scan.resultsPass + scan.resultsFail + scan.resultsError + scan.resultsNotApplicable,
    results,
    'each result counted once',
  );
  return rows;
}

/** The instant lies within the scan (findings carry the time their account was recorded). */
export function during(
  t: { ok(value: unknown, message: string): unknown },
  at: Date | null,
  scan: Scan,
  what: string,
) {
  t.ok(
    at && scan.finishedAt && at >= scan.createdAt && at <= scan.finishedAt,
    `${what} during scan ${scan.id}`,
  );
}

export const finding = (prisma: PrismaClient, accountId: string, checkId: string) =>
  prisma.finding.findUniqueOrThrow({
    where: { accountId_checkId_resource: { accountId, checkId, resource: rootArn(accountId) } },
  });
