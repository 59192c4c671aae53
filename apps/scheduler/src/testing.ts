/**
 * The scan pipeline for integration tests: a simulated organization (packages/aws-sim), a fresh
 * PostgreSQL database, pg-boss with fast timings, a scheduler and (optionally) an in-process
 * worker, all real. Each piece is torn down with the test.
 */
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
  scheduler: RunningScheduler;
  worker: RunningService | null;
  /** Environment for a worker child process (tsx apps/worker/src/test-worker-process.ts). */
  childEnv: NodeJS.ProcessEnv;
  /** Starts another pg-boss instance on the same database (a second scheduler, say). */
  startBoss(): Promise<PgBoss>;
}

export interface PipelineOptions extends Partial<Pick<GenerateOptions, 'accounts' | 'seed'>> {
  knobs?: Knobs;
  /** Start an in-process worker [true]. */
  worker?: boolean;
  /** Register the cron [false]. */
  schedule?: boolean;
  cron?: string;
  accountConcurrency?: number;
  /** The scheduler's stalled-scan threshold [1 hour]. */
  stalledAfterMs?: number;
  /** Queue options over FAST_QUEUE's, queue by queue. */
  queue?: QueueSettingsOverrides;
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
  const { url, prisma } = await testDatabase(t);
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
  const queue: QueueSettingsOverrides = { ...FAST_QUEUE };
  for (const [name, settings] of Object.entries(options.queue ?? {}) as [
    keyof QueueSettingsOverrides,
    object,
  ][])
    Object.assign(queue, { [name]: { ...FAST_QUEUE[name], ...settings } });
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
    pollingIntervalSeconds: FAST_QUEUE.pollingIntervalSeconds,
  });
  t.teardown(() => scheduler.close());
  const worker =
    options.worker === false
      ? null
      : await startPipelineWorker(t, { config, logger, prisma, boss, clients, checks });
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
  return { sim, prisma, url, config, logger, checks, clients, boss, scheduler, worker, childEnv, startBoss };
}

/** Starts an in-process worker on the pipeline's database, queue and simulator, stopped with the test. */
export async function startPipelineWorker(
  t: Teardown,
  pipeline: Pick<Pipeline, 'config' | 'logger' | 'prisma' | 'boss' | 'clients' | 'checks'>,
): Promise<RunningService> {
  const worker = await startWorker({
    config: pipeline.config,
    logger: pipeline.logger,
    database: { prisma: pipeline.prisma },
    boss: pipeline.boss,
    clients: pipeline.clients,
    checks: pipeline.checks,
    pollingIntervalSeconds: FAST_QUEUE.pollingIntervalSeconds,
  });
  t.teardown(() => worker.close());
  return worker;
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
