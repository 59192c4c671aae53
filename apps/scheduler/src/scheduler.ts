/**
 * The scheduler: a pg-boss cron on ROOTAUDIT_SCAN_CRON / ROOTAUDIT_SCAN_TIMEZONE (pg-boss fires
 * each tick once however many schedulers run), the scan-organization job that discovers the
 * organization and fans a scan out to the workers, and a watchdog that ends stalled scans.
 *
 * One scan-organization job: create the Scan (cron) or take the QUEUED one (on demand) → read the
 * organization evidence once and store it with the scan (the account jobs judge against it; a
 * re-delivered job reuses it) → persist the organization (accounts that left are marked) →
 * evaluate organization checks once, at the scan's createdAt → one AccountScan per account
 * (SKIPPED with the reason when not ACTIVE) → one scan-account job per ACTIVE account. Every step
 * is idempotent, so a re-delivered job repeats nothing.
 *
 * The discovery job heart-beats (DISCOVERY_HEARTBEAT_SECONDS): a scheduler that dies mid-discovery
 * has it retried within about a minute plus the retry delay. A discovery that finds AWS unavailable
 * (unreachable, timeouts, 5xx or throttling past the SDK's retries) fails its job, which pg-boss
 * retries with backoff; only its last attempt fails the scan, saying why.
 */
import { type ClientFactoryOptions, type ClientProvider, OutageWatch } from '@rootaudit/aws';
import { type Check, checks as catalog, selectChecks } from '@rootaudit/checks';
import type { Config } from '@rootaudit/config';
import type { PrismaClient, Scan } from '@rootaudit/db';
import type { Logger } from '@rootaudit/log';
import {
  enqueueAccountScans,
  type PgBoss,
  QUEUES,
  SCAN_SCHEDULE,
  type ScanOrganizationJob,
} from '@rootaudit/queue';
import {
  collectOrganizationEvidence,
  decodeOrganizationEvidence,
  encodeOrganizationEvidence,
  judgeOrganization,
  type OrganizationEvidence,
  scanClients,
  scanSettings,
} from '@rootaudit/scanner';
import {
  type RunningService,
  type TriggerScanOutcome,
  type TriggerScanRequest,
  triggerScan,
} from '@rootaudit/service';
import {
  addAccountScans,
  completeScanIfDone,
  createScan,
  failScan,
  failStalledScans,
  persistOrganization,
  recordOrganizationResults,
  ScanAlreadyActiveError,
  scanOrganizationEvidence,
  storeScanOrganizationEvidence,
} from '@rootaudit/store';
import {
  announceWebhookEvents,
  findingEvents,
  scanCompletedEvent,
  type WebhookEvent,
} from '@rootaudit/webhooks';
import { MUTE_REFRESH_INTERVAL_MS, scheduleMuteRefresh } from './mute-refresh.ts';

export interface SchedulerOptions {
  config: Config;
  logger: Logger;
  database: { prisma: PrismaClient };
  boss: PgBoss;
  /** AWS client settings beyond the config (tests: base credentials, endpoint). */
  clients?: Omit<Partial<ClientFactoryOptions>, 'scanId'>;
  /** The checks [the catalog of @rootaudit/checks]; a scan may select a subset (Scan.checkIds). */
  checks?: readonly Check[];
  /** A scan with no progress for this long is ended FAILED [config.scanStallMinutes]. */
  stalledAfterMs?: number;
  /** How often the watchdog looks for stalled scans [60 s]. */
  stalledCheckIntervalMs?: number;
  /** How often expired suppressions' findings are unmuted [60 s]; 0 = never (mute-refresh.ts). */
  muteRefreshIntervalMs?: number;
  /** Register the cron [true]; false runs jobs and the watchdog only. */
  schedule?: boolean;
  pollingIntervalSeconds?: number;
}

export interface RunningScheduler extends RunningService {
  /** An on-demand scan; refuses (started: false, with the running scan) while one is active. */
  triggerScan(request?: TriggerScanRequest): Promise<TriggerScanOutcome>;
  /**
   * The scan-organization job body (what pg-boss runs on each tick), for tests and tools.
   * `lastAttempt` false: AWS unavailable rejects (AwsUnavailableError) for a retry [true].
   */
  runOrganizationScan(job: ScanOrganizationJob, jobId?: string, lastAttempt?: boolean): Promise<Scan | null>;
  /** One watchdog pass. */
  failStalledScans(): Promise<Scan[]>;
}

export async function startScheduler(options: SchedulerOptions): Promise<RunningScheduler> {
  const { config, logger, boss } = options;
  const prisma = options.database.prisma;
  const allChecks = options.checks ?? catalog;
  const log = logger.child({ component: 'scheduler' });
  const stalledAfterMs = options.stalledAfterMs ?? config.scanStallMinutes * 60_000;
  const announce = (scanId: string, events: WebhookEvent[]) =>
    announceWebhookEvents({ prisma, boss, logger: log }, scanId, events);

  /**
   * The scan's organization evidence: what an earlier delivery of this discovery stored, else read
   * from AWS once and stored with the scan, for every account job of the scan to judge against.
   */
  async function organizationEvidenceOf(
    scanId: string,
    checks: readonly Check[],
    clients: ClientProvider,
    lastAttempt: boolean,
    accountIds: readonly string[],
  ): Promise<OrganizationEvidence> {
    const stored = await scanOrganizationEvidence(prisma, scanId);
    if (stored !== null) {
      log.info({ scanId }, 'organization evidence stored by an earlier delivery reused');
      return decodeOrganizationEvidence(stored);
    }
    const outage = new OutageWatch(!lastAttempt);
    // A scan limited to some accounts reads only their part of the organization (scoped evidence).
    const evidence = await collectOrganizationEvidence({ checks, clients, outage, accountIds });
    // Nothing is written: the retry discovers again, and the scan stays QUEUED meanwhile.
    outage.throwIfStopped('the organization');
    // A discovery racing this one may have stored first: both go on with what is stored.
    const kept = await storeScanOrganizationEvidence(prisma, scanId, encodeOrganizationEvidence(evidence));
    return decodeOrganizationEvidence(kept);
  }

  async function runOrganizationScan(
    job: ScanOrganizationJob,
    jobId?: string,
    lastAttempt = true,
  ): Promise<Scan | null> {
    let scan: Scan | null;
    if (job.scanId) {
      scan = await prisma.scan.findUnique({ where: { id: job.scanId } });
      if (scan?.active !== true) {
        log.info({ scanId: job.scanId }, 'discovery job dropped: the scan has ended');
        return null;
      }
    } else {
      // A cron tick's scan is tagged with its job id, so a retried tick resumes its own scan.
      const requestedBy = jobId ? `cron:${jobId}` : 'cron';
      try {
        scan = await createScan(prisma, { trigger: job.trigger, requestedBy });
      } catch (error) {
        if (!(error instanceof ScanAlreadyActiveError)) throw error;
        if (jobId && error.scan.requestedBy === requestedBy) {
          scan = error.scan;
        } else {
          log.warn({ runningScanId: error.scan.id }, 'scheduled scan skipped: another scan is still running');
          return null;
        }
      }
    }
    const scanId = scan.id;
    log.info({ scanId, trigger: scan.trigger }, 'scan discovery started');
    const clients = scanClients(config, scanId, options.clients);
    try {
      const checks = selectChecks(allChecks, scan.checkIds);
      const evidence = await organizationEvidenceOf(scanId, checks, clients, lastAttempt, scan.accountFilter);
      // One judging instant per scan: its accounts are judged at createdAt too (the worker).
      const now = scan.createdAt;
      const judged = await judgeOrganization(checks, evidence, {
        ...scanSettings(config, now),
        partition: clients.partition,
      });
      const organization = judged.organization;
      if (!organization) {
        const reason = `the organization could not be read (${judged.unreadable}); the scheduler needs organizations:List*/Describe* in the management or delegated-admin account (ROOTAUDIT_ORG_ROLE_ARN)`;
        log.error({ scanId, reason }, 'scan failed');
        return await failScan(prisma, scanId, reason);
      }
      await persistOrganization(prisma, evidence);
      const organizationResults = judged.results;
      const recorded = await recordOrganizationResults(prisma, {
        scanId,
        managementAccountId: organization.managementAccountId,
        results: organizationResults,
      });
      await announce(scanId, findingEvents(scanId, recorded.transitions));
      const wanted = scan.accountFilter.length > 0 ? new Set(scan.accountFilter) : null;
      const accounts = organization.accounts.filter((account) => !wanted || wanted.has(account.id));
      const unknown = scan.accountFilter.filter((id) => !accounts.some((account) => account.id === id));
      if (unknown.length > 0)
        log.warn({ scanId, accountIds: unknown }, 'accounts named for the scan are not in the organization');
      const started = await addAccountScans(prisma, scanId, accounts, { now });
      await enqueueAccountScans(boss, scanId, started.pendingAccountIds);
      log.info(
        {
          scanId,
          accounts: accounts.length,
          enqueued: started.pendingAccountIds.length,
          skipped: started.scan.accountsSkipped,
          organizationResults: organizationResults.length,
        },
        'scan started',
      );
      // A scan with nothing to scan (every account skipped) ends here.
      const finished = await completeScanIfDone(prisma, scanId);
      if (finished) await announce(scanId, [scanCompletedEvent(finished)]);
      return finished ?? started.scan;
    } finally {
      clients.destroy();
    }
  }

  async function watchdog(): Promise<Scan[]> {
    const ended = await failStalledScans(prisma, { stalledAfterMs });
    for (const scan of ended)
      log.error({ scanId: scan.id, reason: scan.failureReason }, 'stalled scan failed');
    return ended;
  }

  const discoveryWork = {
    batchSize: 1,
    pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
    includeMetadata: true,
  } as const;
  await boss.work<ScanOrganizationJob, void, typeof discoveryWork>(
    QUEUES.scanOrganization,
    discoveryWork,
    async ([job]) => {
      if (!job) return;
      const lastAttempt = job.retryCount >= job.retryLimit;
      try {
        await runOrganizationScan(job.data, job.id, lastAttempt);
      } catch (error) {
        log.warn(
          {
            scanId: job.data.scanId,
            jobId: job.id,
            attempt: job.retryCount + 1,
            attempts: job.retryLimit + 1,
            err: error,
          },
          `scan discovery failed (${error instanceof Error ? error.message : String(error)})${lastAttempt ? '' : '; pg-boss retries it'}`,
        );
        throw error;
      }
    },
  );
  if (options.schedule !== false) {
    await boss.schedule(
      SCAN_SCHEDULE,
      config.scanCron,
      { trigger: 'SCHEDULED' } satisfies ScanOrganizationJob,
      {
        tz: config.scanTimezone,
      },
    );
  }
  const timer = setInterval(() => {
    watchdog().catch((error: unknown) => log.error({ err: error }, 'stalled-scan check failed'));
  }, options.stalledCheckIntervalMs ?? 60_000);
  timer.unref();
  // Suppression expiries: applied here, once per deployment, not in every API replica.
  const muteRefreshMs = options.muteRefreshIntervalMs ?? MUTE_REFRESH_INTERVAL_MS;
  const stopMuteRefresh =
    muteRefreshMs > 0
      ? scheduleMuteRefresh(prisma, muteRefreshMs, (error) =>
          log.error({ err: error }, 'refreshing muted findings failed'),
        )
      : async () => undefined;
  log.info(
    { cron: config.scanCron, timezone: config.scanTimezone, checks: allChecks.length },
    'scheduler started',
  );

  return {
    name: 'scheduler',
    triggerScan: (request) => triggerScan({ prisma, boss }, request),
    runOrganizationScan,
    failStalledScans: watchdog,
    async close() {
      clearInterval(timer);
      await stopMuteRefresh();
      // A discovery job in hand is waited for (or failed, so retried) by the queue's own stop.
      await boss.offWork(QUEUES.scanOrganization, { wait: false });
    },
  };
}
