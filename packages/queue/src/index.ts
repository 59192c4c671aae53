/**
 * pg-boss wiring shared by the scheduler, the worker and the API: queue names and their options in
 * one place, start/stop, and the jobs of a scan.
 *
 * A scan is two kinds of job: one `scan-organization` job (from the cron or an on-demand request)
 * that discovers the organization and enqueues one `scan-account` job per ACTIVE account. Account
 * jobs that exhaust their retries land in `scan-account-failed`, whose consumer records the
 * account as ERROR so the scan still ends. pg-boss retries a job whose worker died once it
 * expires (expireInSeconds); the store makes the retry write nothing twice.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@rootaudit/log';
import PgBoss from 'pg-boss';

export { PgBoss };

export const QUEUES = {
  scanOrganization: 'rootaudit-scan-organization',
  scanAccount: 'rootaudit-scan-account',
  scanAccountFailed: 'rootaudit-scan-account-failed',
  /** One job per WebhookDelivery (job id = delivery id); consumed by the worker. */
  webhookDelivery: 'rootaudit-webhook-delivery',
} as const;

/** The pg-boss schedule of the nightly scan (a schedule is named after the queue it feeds). */
export const SCAN_SCHEDULE = QUEUES.scanOrganization;

/** Data of a scan-organization job: a scheduled tick has no scan yet; an on-demand one has. */
export interface ScanOrganizationJob {
  trigger: 'SCHEDULED' | 'MANUAL';
  /** The QUEUED scan created by triggerScan; absent for cron ticks. */
  scanId?: string;
}

export interface ScanAccountJob {
  scanId: string;
  accountId: string;
}

export interface WebhookDeliveryJob {
  deliveryId: string;
}

type QueueOptions = Omit<PgBoss.Queue, 'name'>;

export interface QueueSettings {
  /** Extra pg-boss constructor options (polling, maintenance and cron intervals in tests). */
  boss: Omit<PgBoss.ConstructorOptions, 'connectionString'>;
  scanOrganization: QueueOptions;
  scanAccount: QueueOptions;
  scanAccountFailed: QueueOptions;
  webhookDelivery: QueueOptions;
}

export const defaultQueueSettings: QueueSettings = {
  boss: {},
  // Discovery of 10,000 accounts takes minutes (ListAccounts pages, the OU tree, SCPs).
  scanOrganization: {
    policy: 'standard',
    retryLimit: 2,
    retryDelay: 60,
    retryBackoff: true,
    expireInSeconds: 1800,
  },
  // One account: a credential report poll and LookupEvents at 2 req/s per region; a worker that
  // dies mid-account has its job retried elsewhere once this expires.
  scanAccount: {
    policy: 'standard',
    retryLimit: 3,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 900,
    deadLetter: QUEUES.scanAccountFailed,
  },
  scanAccountFailed: {
    policy: 'standard',
    retryLimit: 5,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 300,
  },
  // A receiver that is down gets retries over about an hour (30 s doubling); each POST times out
  // after 10 s, so a job that takes longer than a minute had its worker die.
  webhookDelivery: {
    policy: 'standard',
    retryLimit: 7,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 60,
  },
};

export type QueueSettingsOverrides = Partial<QueueSettings>;

export function queueSettings(overrides: QueueSettingsOverrides = {}): QueueSettings {
  return {
    boss: { ...defaultQueueSettings.boss, ...overrides.boss },
    scanOrganization: { ...defaultQueueSettings.scanOrganization, ...overrides.scanOrganization },
    scanAccount: { ...defaultQueueSettings.scanAccount, ...overrides.scanAccount },
    scanAccountFailed: { ...defaultQueueSettings.scanAccountFailed, ...overrides.scanAccountFailed },
    webhookDelivery: { ...defaultQueueSettings.webhookDelivery, ...overrides.webhookDelivery },
  };
}

/** Creates the queue, or brings its options in line with the code when it exists. */
async function ensureQueue(boss: PgBoss, name: string, options: QueueOptions): Promise<void> {
  if (!(await boss.getQueue(name))) {
    try {
      await boss.createQueue(name, { name, ...options });
      return;
    } catch (error) {
      // Another process created it at the same moment.
      if (!(await boss.getQueue(name))) throw error;
    }
  }
  await boss.updateQueue(name, { name, ...options });
}

/**
 * Starts pg-boss on the database (its own `pgboss` schema, created or migrated on first start) and
 * makes sure rootaudit's queues exist. Errors pg-boss meets in the background are logged.
 */
export async function startQueue(
  databaseUrl: string,
  logger: Logger,
  overrides: QueueSettingsOverrides = {},
): Promise<PgBoss> {
  const settings = queueSettings(overrides);
  const boss = new PgBoss({ connectionString: databaseUrl, ...settings.boss });
  // pg-boss's pool resolves its end before every connection has closed: when the database stops
  // right after (embedded PostgreSQL), those report "terminating connection", which is no error.
  let stopped = false;
  boss.once('stopped', () => {
    stopped = true;
  });
  boss.on('error', (error) => {
    if (stopped) logger.debug({ err: error }, 'pg-boss connection error after stop');
    else logger.error({ err: error }, 'pg-boss error');
  });
  await boss.start();
  // The dead-letter queue first: scan-account names it.
  await ensureQueue(boss, QUEUES.scanAccountFailed, settings.scanAccountFailed);
  await ensureQueue(boss, QUEUES.scanAccount, settings.scanAccount);
  await ensureQueue(boss, QUEUES.scanOrganization, settings.scanOrganization);
  await ensureQueue(boss, QUEUES.webhookDelivery, settings.webhookDelivery);
  return boss;
}

/** Stops polling, waits for jobs in hand (up to timeoutMs), closes the pool. */
export async function stopQueue(boss: PgBoss, options: { timeoutMs?: number } = {}): Promise<void> {
  await boss.stop({ graceful: true, wait: true, timeout: options.timeoutMs ?? 30_000 });
}

/**
 * The job id of one account of one scan: a UUID derived from both, so enqueueing the same account
 * twice (a re-delivered discovery job) inserts one job (pg-boss ignores a duplicate id).
 */
export function accountJobId(scanId: string, accountId: string): string {
  const hex = createHash('sha256').update(`rootaudit-scan-account:${scanId}:${accountId}`).digest('hex');
  // RFC 9562 layout: version 8 (custom), variant 10.
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** One scan-account job per account; already enqueued accounts are not enqueued again. */
export async function enqueueAccountScans(
  boss: PgBoss,
  scanId: string,
  accountIds: readonly string[],
): Promise<void> {
  const chunk = 1000;
  for (let start = 0; start < accountIds.length; start += chunk) {
    await boss.insert(
      accountIds.slice(start, start + chunk).map((accountId) => ({
        id: accountJobId(scanId, accountId),
        name: QUEUES.scanAccount,
        data: { scanId, accountId } satisfies ScanAccountJob,
      })),
    );
  }
}

/** Asks for organization discovery of a QUEUED scan (on-demand scans). */
export async function enqueueOrganizationScan(
  boss: PgBoss,
  job: ScanOrganizationJob,
): Promise<string | null> {
  return boss.send(QUEUES.scanOrganization, job);
}

export { type TriggerScanOutcome, type TriggerScanRequest, triggerScan } from './trigger.ts';
