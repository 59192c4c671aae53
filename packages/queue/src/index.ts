/**
 * pg-boss wiring shared by the scheduler, the worker and the API: queue names and their options in
 * one place, start/stop, and the jobs of a scan.
 *
 * A scan is two kinds of job: one `scan-organization` job (from the cron or an on-demand request)
 * that discovers the organization and enqueues one `scan-account` job per ACTIVE account. Account
 * jobs that exhaust their retries land in `scan-account-failed`, whose consumer records the
 * account as ERROR so the scan still ends. pg-boss retries a discovery or account job whose process
 * died once it stops heart-beating (heartbeatSeconds), any other job once it expires
 * (expireInSeconds); the store makes the retry write nothing twice.
 *
 * pg-boss lives in its own schema, `rootaudit_queue`. Installations from before pg-boss 12 have a
 * `pgboss` schema that pg-boss 12 cannot migrate: it is left alone, and startQueue says so once.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@rootaudit/log';
import { type ConstructorOptions, type Db, type JobAttempt, PgBoss, type Queue } from 'pg-boss';

export { type Db, type JobAttempt, PgBoss };

/** The PostgreSQL schema pg-boss keeps its tables in. */
export const QUEUE_SCHEMA = 'rootaudit_queue';

/** Where pg-boss 10 (rootaudit before the pg-boss 12 upgrade) kept its tables. */
export const LEGACY_QUEUE_SCHEMA = 'pgboss';

/**
 * How often a worker's jobs show it is alive. A worker that stops (killed, out of memory, cut off)
 * has its account jobs failed and retried once this has passed without a heartbeat and pg-boss's
 * monitor has looked (SUPERVISE_INTERVAL_SECONDS): within about a minute, plus the retry delay.
 */
export const ACCOUNT_HEARTBEAT_SECONDS = 30;
/**
 * The same for the scheduler's discovery job: a scheduler that dies mid-discovery has its job
 * retried by another scheduler (or itself, restarted) within about a minute plus the retry delay,
 * not after the job's 30-minute expiry.
 */
export const DISCOVERY_HEARTBEAT_SECONDS = 30;
/** How often pg-boss looks for expired jobs and lost heartbeats (its default is 60 s). */
const SUPERVISE_INTERVAL_SECONDS = 30;

/**
 * Retries of an account job. A job fails when its worker died, the database was unreachable, or
 * AWS was unavailable (unreachable, timeouts, 5xx or throttling past the SDK's retries). pg-boss
 * waits retryDelay × 2^n × (1 + a random fraction) before retry n+1: 15–30 s, 30–60 s, then
 * 60–120 s before the fourth and last attempt, so an AWS outage of up to 105 s (210 s at most)
 * costs no result, and a dead account is recorded ERROR within about 4 minutes.
 */
const ACCOUNT_RETRY_LIMIT = 3;
const ACCOUNT_RETRY_DELAY_SECONDS = 15;

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

type QueueOptions = Omit<Queue, 'name'>;

export interface QueueSettings {
  /** Extra pg-boss constructor options (polling, maintenance and cron intervals in tests). */
  boss: Omit<ConstructorOptions, 'connectionString'>;
  scanOrganization: QueueOptions;
  scanAccount: QueueOptions;
  scanAccountFailed: QueueOptions;
  webhookDelivery: QueueOptions;
}

export const defaultQueueSettings: QueueSettings = {
  boss: {
    schema: QUEUE_SCHEMA,
    superviseIntervalSeconds: SUPERVISE_INTERVAL_SECONDS,
    monitorIntervalSeconds: SUPERVISE_INTERVAL_SECONDS,
  },
  // Discovery of 10,000 accounts takes minutes (ListAccounts pages, the OU tree, SCPs); a scheduler
  // that dies mid-discovery has its job retried once it stops heart-beating (30–60 s later, then
  // 60–120 s). Also retried: a discovery that found AWS unavailable.
  scanOrganization: {
    policy: 'standard',
    retryLimit: 2,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 1800,
    heartbeatSeconds: DISCOVERY_HEARTBEAT_SECONDS,
  },
  // One account: a credential report poll and LookupEvents at 2 req/s per region, so up to 15 min;
  // a worker that dies mid-account has its job retried elsewhere once it stops heart-beating.
  // The retry schedule: see ACCOUNT_RETRY_DELAY_SECONDS.
  scanAccount: {
    policy: 'standard',
    retryLimit: ACCOUNT_RETRY_LIMIT,
    retryDelay: ACCOUNT_RETRY_DELAY_SECONDS,
    retryBackoff: true,
    expireInSeconds: 900,
    heartbeatSeconds: ACCOUNT_HEARTBEAT_SECONDS,
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

/**
 * Creates the queue, or brings its options in line with the code when it exists (the policy and
 * partitioning are fixed at creation).
 */
async function ensureQueue(boss: PgBoss, name: string, options: QueueOptions): Promise<void> {
  if (!(await boss.getQueue(name))) {
    try {
      await boss.createQueue(name, options);
      return;
    } catch (error) {
      // Another process created it at the same moment.
      if (!(await boss.getQueue(name))) throw error;
    }
  }
  const { policy: _policy, partition: _partition, ...changeable } = options;
  // Absent means "no heartbeat" here: a setting removed from the code is removed from the queue.
  await boss.updateQueue(name, { ...changeable, heartbeatSeconds: options.heartbeatSeconds ?? null });
}

/**
 * Says once that the schema of pg-boss 10 is no longer used (pg-boss 12 cannot migrate it, so it
 * keeps its own): its jobs are not run, the cron is recreated here, scans it held are ended by
 * the stalled-scan watchdog.
 */
async function warnAboutLegacySchema(boss: PgBoss, schema: string, logger: Logger): Promise<void> {
  if (schema === LEGACY_QUEUE_SCHEMA) return;
  try {
    const { rows } = await boss
      .getDb()
      .executeSql('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [
        LEGACY_QUEUE_SCHEMA,
        'version',
      ]);
    if (rows.length === 0) return;
    logger.warn(
      { schema: LEGACY_QUEUE_SCHEMA, queueSchema: schema },
      `the "${LEGACY_QUEUE_SCHEMA}" schema of an earlier rootaudit (pg-boss 10) is no longer used; once every process runs this version, drop it: DROP SCHEMA ${LEGACY_QUEUE_SCHEMA} CASCADE`,
    );
  } catch (error) {
    logger.debug({ err: error }, 'could not look for the pg-boss 10 schema');
  }
}

/**
 * Starts pg-boss on the database (its own `rootaudit_queue` schema, created or migrated on first
 * start) and makes sure rootaudit's queues exist. Errors pg-boss meets in the background (a lost
 * connection, a database restart) are logged; pg-boss reconnects by itself when it can.
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
    else logger.warn({ err: error }, 'pg-boss error; it retries');
  });
  await boss.start();
  await warnAboutLegacySchema(boss, settings.boss.schema ?? QUEUE_SCHEMA, logger);
  // The dead-letter queue first: scan-account names it.
  await ensureQueue(boss, QUEUES.scanAccountFailed, settings.scanAccountFailed);
  await ensureQueue(boss, QUEUES.scanAccount, settings.scanAccount);
  await ensureQueue(boss, QUEUES.scanOrganization, settings.scanOrganization);
  await ensureQueue(boss, QUEUES.webhookDelivery, settings.webhookDelivery);
  return boss;
}

/** Stops polling, waits for jobs in hand (up to timeoutMs), closes the pool. */
export async function stopQueue(boss: PgBoss, options: { timeoutMs?: number } = {}): Promise<void> {
  await boss.stop({ graceful: true, timeout: options.timeoutMs ?? 30_000 });
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
      QUEUES.scanAccount,
      accountIds.slice(start, start + chunk).map((accountId) => ({
        id: accountJobId(scanId, accountId),
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
