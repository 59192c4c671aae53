/**
 * The worker: consumes scan-account jobs, `config.accountConcurrency` at once. For each account it
 * assumes the audit role (ExternalId, session `rootaudit-<scanId>`), runs the checks through the
 * scanner, and records results, the finding lifecycle and the AWS calls the account took (by
 * service, for /metrics) in one transaction; the last account ends the scan. An account that
 * cannot be read (AccessDenied, missing role) ends ERROR with the reason and the scan goes on.
 * AWS unavailable (unreachable, timeouts, 5xx or throttling past the SDK's retries) is no answer:
 * the attempt stops at the first such call, records nothing, and fails the job, which pg-boss
 * retries with backoff (see @rootaudit/queue); only the last attempt records what it could read,
 * ERROR where nothing could, naming the action and cause. Anything else that throws (the
 * database) fails the job too; a retry writes nothing twice.
 *
 * After an account's transaction commits, its finding transitions (failed, resolved) become
 * webhook deliveries, and so does the end of the scan (scan.completed); the worker also consumes
 * the webhook-delivery queue (see @rootaudit/webhooks).
 *
 * With ROOTAUDIT_EVENTS_QUEUE_URL set, the worker also consumes live root events from that SQS
 * queue (`EventQueueConsumer` of @rootaudit/aws), each handed to `rootEvents.ingest`.
 *
 * Stopping (SIGTERM): no new job is fetched; jobs in hand get `shutdownGraceMs` to finish. Those
 * still running then are handed back: failed in pg-boss, so another worker retries them after the
 * queue's retry delay, and never recorded here (the scan checks the stop before writing). Root
 * events in hand get the same grace; unfinished ones stay in SQS and come back after its
 * visibility timeout.
 */
import {
  AwsUnavailableError,
  CallCounter,
  type ClientFactory,
  type ClientFactoryOptions,
  countCallsWithin,
  type EventQueueConsumer,
  type EventQueueOptions,
  errorMessage,
  startEventQueueConsumer,
} from '@rootaudit/aws';
import { type Check, checks as catalog, selectChecks } from '@rootaudit/checks';
import type { Config } from '@rootaudit/config';
import type { PrismaClient, Scan } from '@rootaudit/db';
import type { Logger } from '@rootaudit/log';
import {
  type JobAttempt,
  type PgBoss,
  QUEUES,
  type ScanAccountJob,
  type WebhookDeliveryJob,
} from '@rootaudit/queue';
import type { RootEventHandler } from '@rootaudit/root-events';
import {
  type AccountScan,
  decodeOrganizationEvidence,
  lazyAuditIssuer,
  type OrganizationEvidence,
  scanAccount,
  scanClients,
  scanSettings,
  unjudgedAccount,
} from '@rootaudit/scanner';
import { type RunningService, rootEventIngest } from '@rootaudit/service';
import {
  completeScanIfDone,
  keepUnrecordedAwsCalls,
  markAccountScanRunning,
  recordAccountResults,
  scanOrganizationEvidence,
} from '@rootaudit/store';
import {
  announceWebhookEvents,
  deliverWebhook,
  findingEvents,
  type Resolver,
  scanCompletedEvent,
  type WebhookEvent,
} from '@rootaudit/webhooks';

export interface WorkerOptions {
  config: Config;
  logger: Logger;
  database: { prisma: PrismaClient };
  boss: PgBoss;
  /** AWS client settings beyond the config (tests: base credentials, endpoint, retries). */
  clients?: Omit<Partial<ClientFactoryOptions>, 'scanId'>;
  /** The checks to run [the catalog of @rootaudit/checks]; a scan may select a subset. */
  checks?: readonly Check[];
  /** AWS calls in flight at once per account [8]. */
  callsPerAccount?: number;
  /** How often an idle worker polls for jobs [2 s]. */
  pollingIntervalSeconds?: number;
  /** Webhook deliveries: DNS resolution (tests), request timeout [10 s], deliveries at once [4]. */
  webhooks?: { resolve?: Resolver; timeoutMs?: number; concurrency?: number };
  /**
   * On close, how long jobs in hand may take to finish before they are handed back [10 s]. Keep it
   * below the orchestrator's kill delay (docker stop: 10 s unless stop_grace_period says more).
   */
  shutdownGraceMs?: number;
  /**
   * Live root activity from ROOTAUDIT_EVENTS_QUEUE_URL: `ingest` processes one event (stores it,
   * updates its finding) and says what became of it [ingestRootEvent of @rootaudit/service, as
   * POST /v1/events/aws]. `queue`: consumer settings beyond the config (tests: credentials,
   * long-poll wait).
   */
  rootEvents?: {
    ingest?: RootEventHandler;
    queue?: Partial<Omit<EventQueueOptions, 'queueUrl' | 'handler' | 'logger'>>;
  };
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** How often an idle webhook slot looks for deliveries, in seconds (pg-boss's shortest). */
const WEBHOOK_POLLING_SECONDS = 0.5;

/** What a job handed back at shutdown carries as its pg-boss output. */
const HANDED_BACK = {
  message: 'the worker stopped before this job finished; another worker retries it',
};

/** How much of the errors of an account goes into AccountScan.error. */
const MAX_ERROR_LENGTH = 2000;

/**
 * Why an account ends ERROR, or null when it was fully scanned: the runner's reason when the
 * account could not be reached, else the messages of the checks that could not be evaluated
 * (they name the action, e.g. AccessDenied on iam:GetAccountSummary).
 */
export function accountError(scan: AccountScan): string | null {
  if (scan.status === 'FAILED') return scan.reason ?? 'the account could not be scanned';
  const errors = scan.results.filter((result) => result.status === 'ERROR');
  if (errors.length === 0) return null;
  const messages = [...new Set(errors.map((result) => result.message))];
  const text = `${errors.length} check(s) could not be evaluated in ${scan.accountId}: ${messages.join('; ')}`;
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/** A scan's organization evidence as its discovery stored it, or why an account cannot use any. */
type StoredEvidence = { evidence: OrganizationEvidence } | { missing: string };

/**
 * Per-scan state shared by the jobs of one scan in this process: its clients and its stored
 * organization evidence, loaded from the database once (a failed load is tried again by the next job).
 */
class ScanContexts {
  readonly #entries = new Map<string, { clients: ClientFactory; evidence: Promise<StoredEvidence> | null }>();
  constructor(
    readonly createClients: (scanId: string) => ClientFactory,
    readonly loadEvidence: (scanId: string) => Promise<StoredEvidence>,
    readonly keep = 4,
  ) {}

  #entry(scanId: string) {
    let entry = this.#entries.get(scanId);
    if (!entry) {
      entry = { clients: this.createClients(scanId), evidence: null };
      this.#entries.set(scanId, entry);
      // Scans finish one after another: keep the few most recent.
      while (this.#entries.size > this.keep) {
        const [oldest, old] = this.#entries.entries().next().value as [string, { clients: ClientFactory }];
        old.clients.destroy();
        this.#entries.delete(oldest);
      }
    }
    return entry;
  }

  clients(scanId: string): ClientFactory {
    return this.#entry(scanId).clients;
  }

  evidence(scanId: string): Promise<StoredEvidence> {
    const entry = this.#entry(scanId);
    if (!entry.evidence) {
      const loading = this.loadEvidence(scanId);
      entry.evidence = loading;
      loading.catch(() => {
        if (entry.evidence === loading) entry.evidence = null;
      });
    }
    return entry.evidence;
  }

  forget(scanId: string) {
    this.#entries.get(scanId)?.clients.destroy();
    this.#entries.delete(scanId);
  }

  clear() {
    for (const entry of this.#entries.values()) entry.clients.destroy();
    this.#entries.clear();
  }
}

export async function startWorker(options: WorkerOptions): Promise<RunningService> {
  const { config, logger, boss } = options;
  const prisma = options.database.prisma;
  const allChecks = options.checks ?? catalog;
  const log = logger.child({ component: 'worker' });

  // Workers read no organization from AWS: the scan's discovery stored what its accounts need.
  const loadEvidence = async (scanId: string): Promise<StoredEvidence> => {
    const stored = await scanOrganizationEvidence(prisma, scanId);
    if (stored === null)
      return {
        missing: `scan ${scanId} has no stored organization evidence (its discovery stored none, as scans started before this version do), so no account of it can be judged; start a new scan`,
      };
    try {
      return { evidence: decodeOrganizationEvidence(stored) };
    } catch (error) {
      return {
        missing: `the stored organization evidence of scan ${scanId} cannot be read (${errorMessage(error)}); start a new scan`,
      };
    }
  };
  const contexts = new ScanContexts((scanId) => scanClients(config, scanId, options.clients), loadEvidence);

  const shutdownGraceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  /** Aborts when close() stops waiting for the jobs in hand. */
  const stopped = new AbortController();

  /**
   * One account job. Every AWS call it makes is counted for AccountScan.awsCalls, whichever
   * client makes it, the audit role's AssumeRole included. It makes no organizations:* call: the
   * organization evidence is the one its scan's discovery stored.
   */
  function scanOneAccount(job: ScanAccountJob, lastAttempt: boolean): Promise<void> {
    const awsCalls = new CallCounter();
    return countCallsWithin(awsCalls, () => scanAndRecordAccount(job, lastAttempt, awsCalls));
  }

  /**
   * `lastAttempt`: pg-boss will not retry this job, so AWS being unavailable is recorded (ERROR
   * where nothing could be read) rather than thrown for a later attempt.
   */
  async function scanAndRecordAccount(
    job: ScanAccountJob,
    lastAttempt: boolean,
    awsCalls: CallCounter,
  ): Promise<void> {
    const { scanId, accountId } = job;
    const scan = await prisma.scan.findUnique({ where: { id: scanId } });
    if (scan?.active !== true) {
      log.info({ scanId, accountId }, 'account job dropped: the scan has ended');
      return;
    }
    const started = await markAccountScanRunning(prisma, { scanId, accountId });
    if (!started) {
      log.info({ scanId, accountId }, 'account job dropped: already recorded');
      // The attempt that recorded it may have stopped before ending the scan.
      await finishIfDone(scanId);
      return;
    }
    // Earlier attempts that met AWS unavailable recorded nothing; their calls are counted here.
    awsCalls.add(started.awsCalls);
    try {
      await scanAndRecordOpenAccount(scan, job, lastAttempt, awsCalls);
    } catch (error) {
      if (error instanceof AwsUnavailableError && !stopped.signal.aborted)
        await keepUnrecordedAwsCalls(prisma, { scanId, accountId, awsCalls: awsCalls.snapshot() });
      throw error;
    }
  }

  async function scanAndRecordOpenAccount(
    scan: Scan,
    job: ScanAccountJob,
    lastAttempt: boolean,
    awsCalls: CallCounter,
  ): Promise<void> {
    const { scanId, accountId } = job;
    const account = await prisma.account.findUnique({ where: { id: accountId } });
    const clients = contexts.clients(scanId);
    const stored = await contexts.evidence(scanId);
    const checks = selectChecks(allChecks, scan.checkIds);
    const status = account?.status;
    const outcome =
      'missing' in stored
        ? unjudgedAccount(accountId, checks, stored.missing, clients.partition)
        : await scanAccount({
            account: { id: accountId, ...(status ? { status } : {}) },
            checks,
            organizationEvidence: stored.evidence,
            readMissingOrganizationEvidence: false,
            // One judging instant per scan: the scheduler judged the organization at createdAt too.
            settings: scanSettings(config, scan.createdAt),
            clients,
            ...(options.callsPerAccount ? { concurrency: options.callsPerAccount } : {}),
            onAwsUnavailable: lastAttempt ? 'record' : 'throw',
          });
    if (stopped.signal.aborted) {
      // Handed back at shutdown: the retry records it, with a complete set of results.
      log.info({ scanId, accountId }, 'account not recorded: handed back at shutdown');
      return;
    }
    const error = outcome.status === 'SKIPPED' ? null : accountError(outcome);
    const recorded = await recordAccountResults(prisma, {
      scanId,
      accountId,
      results: outcome.results,
      durationMs: outcome.durationMs,
      awsCalls: awsCalls.snapshot(),
      error,
    });
    log.info(
      {
        scanId,
        accountId,
        status: error ? 'ERROR' : 'SUCCEEDED',
        durationMs: outcome.durationMs,
        results: outcome.results.length,
        applied: recorded.applied,
        ...(error ? { error } : {}),
      },
      'account scanned',
    );
    await announce(scanId, findingEvents(scanId, recorded.transitions));
    await finishIfDone(scanId);
  }

  const announce = (scanId: string, events: WebhookEvent[]) =>
    announceWebhookEvents({ prisma, boss, logger: log }, scanId, events);

  async function finishIfDone(scanId: string): Promise<void> {
    const finished = await completeScanIfDone(prisma, scanId);
    if (finished) {
      contexts.forget(scanId);
      await announce(scanId, [scanCompletedEvent(finished)]);
      log.info(
        {
          scanId,
          status: finished.status,
          accountsDone: finished.accountsDone,
          accountsFailed: finished.accountsFailed,
          accountsSkipped: finished.accountsSkipped,
          durationMs: (finished.finishedAt?.getTime() ?? 0) - (finished.startedAt?.getTime() ?? 0),
        },
        'scan finished',
      );
    }
  }

  /** An account whose job failed on every attempt: recorded ERROR so the scan still ends. */
  async function recordDeadAccount(job: ScanAccountJob): Promise<void> {
    const recorded = await recordAccountResults(prisma, {
      scanId: job.scanId,
      accountId: job.accountId,
      results: [],
      durationMs: 0,
      error: `the account could not be scanned: its job failed on every attempt (the worker crashed or the database was unreachable; see the worker logs for ${job.accountId})`,
    });
    log.error(
      { scanId: job.scanId, accountId: job.accountId, applied: recorded.applied },
      'account job dead-lettered',
    );
    await finishIfDone(job.scanId);
  }

  /**
   * Runs an account job's body; when it throws, says so at warn with the account, the scan and the
   * cause before pg-boss fails the job (and retries it, or dead-letters it after the last attempt).
   */
  async function logFailure(
    job: { id: string; data: ScanAccountJob; retryCount: number; retryLimit: number },
    queue: string,
    body: () => Promise<void>,
  ): Promise<void> {
    try {
      await body();
    } catch (error) {
      if (!stopped.signal.aborted) {
        const last = job.retryCount >= job.retryLimit;
        log.warn(
          {
            scanId: job.data.scanId,
            accountId: job.data.accountId,
            queue,
            jobId: job.id,
            attempt: job.retryCount + 1,
            attempts: job.retryLimit + 1,
            cause: errorMessage(error),
            err: error,
          },
          queue === QUEUES.scanAccountFailed
            ? `could not record dead-lettered account ${job.data.accountId} of scan ${job.data.scanId} ERROR: ${errorMessage(error)}`
            : last
              ? `account ${job.data.accountId} of scan ${job.data.scanId} failed on its last attempt (${errorMessage(error)}); it is recorded ERROR`
              : `account ${job.data.accountId} of scan ${job.data.scanId} failed (${errorMessage(error)}); pg-boss retries it`,
        );
      }
      throw error;
    }
  }

  // Jobs in hand (close() has offWork only stop fetching), so close() can wait for them or hand
  // them back.
  const stopWaiting = new Promise<void>((resolve) =>
    stopped.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  const inFlight = new Set<Promise<void>>();
  const handlers = new Set<Promise<void>>();

  /**
   * One job. Its body's rejection fails the job (pg-boss retries it). When close() stops waiting
   * for an unfinished body, the job is failed here, awaited, before the handler returns: pg-boss
   * then retries it elsewhere, and its own completion of the handler is a no-op (the job is no
   * longer active). The body may go on until the process exits but records nothing.
   */
  async function handleJob(queue: string, job: JobAttempt, about: object, body: () => Promise<void>) {
    if (!stopped.signal.aborted) {
      let finished = false;
      const done = body();
      void done.then(
        () => {
          finished = true;
        },
        (error: unknown) => {
          finished = true;
          if (stopped.signal.aborted) log.debug({ ...about, err: error }, 'handed-back job ended');
        },
      );
      inFlight.add(done);
      try {
        await Promise.race([done, stopWaiting]);
      } finally {
        inFlight.delete(done);
      }
      if (finished) return;
    }
    try {
      // Fenced to this attempt: a retry another worker took meanwhile is left alone.
      await boss.fail(queue, job, HANDED_BACK);
    } catch (error) {
      log.warn(
        { ...about, queue, err: error },
        'could not hand back a job at shutdown; it is retried once it expires',
      );
      return;
    }
    log.warn({ ...about, queue, shutdownGraceMs }, 'job handed back at shutdown; another worker retries it');
  }

  function runJob(queue: string, job: JobAttempt, about: object, body: () => Promise<void>): Promise<void> {
    const handler = handleJob(queue, job, about, body);
    handlers.add(handler);
    return handler.finally(() => handlers.delete(handler));
  }

  /** Waits until no job is in hand or the deadline passes. */
  async function drain(deadline: number): Promise<void> {
    while (inFlight.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadline - Date.now());
      });
      await Promise.race([Promise.allSettled([...inFlight]), timeUp]);
      clearTimeout(timer);
    }
  }

  const work = { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 };
  // Account jobs carry their attempt (retryCount, retryLimit): a failure says whether it is the last.
  const accountWork = { ...work, includeMetadata: true } as const;
  // One polling loop per concurrent account: each job succeeds or fails (and is retried) alone.
  for (let slot = 0; slot < config.accountConcurrency; slot++) {
    let slotId: string | undefined;
    slotId = await boss.work<ScanAccountJob, void, typeof accountWork>(
      QUEUES.scanAccount,
      accountWork,
      async ([job]) => {
        if (job)
          await runJob(QUEUES.scanAccount, job, job.data, () =>
            logFailure(job, QUEUES.scanAccount, () =>
              scanOneAccount(job.data, job.retryCount >= job.retryLimit),
            ),
          );
        // A slot that finished a job fetches the next at once. pg-boss would otherwise wait out the
        // rest of its polling interval after every job: with accounts shorter than the interval, 16
        // slots polling every 2 s could not start more than 8 accounts a second (bench/pipeline.ts).
        if (slotId) boss.notifyWorker(slotId);
      },
    );
  }
  await boss.work<ScanAccountJob, void, typeof accountWork>(
    QUEUES.scanAccountFailed,
    accountWork,
    async ([job]) => {
      if (job)
        await runJob(QUEUES.scanAccountFailed, job, job.data, () =>
          logFailure(job, QUEUES.scanAccountFailed, () => recordDeadAccount(job.data)),
        );
    },
  );
  const webhookOptions = {
    prisma,
    allowPrivate: config.allowPrivateWebhookUrls,
    ...(options.webhooks?.resolve ? { resolve: options.webhooks.resolve } : {}),
    ...(options.webhooks?.timeoutMs ? { timeoutMs: options.webhooks.timeoutMs } : {}),
  };
  // retryCount and retryLimit come with the job's metadata. Alerts (root.activity above all) are
  // looked for every half second, pg-boss's shortest interval: 4 slots make 8 small queries a second
  // when idle (BENCHMARKS.md §10).
  const webhookWork = {
    ...work,
    pollingIntervalSeconds: Math.min(work.pollingIntervalSeconds, WEBHOOK_POLLING_SECONDS),
    includeMetadata: true,
  } as const;
  for (let slot = 0; slot < (options.webhooks?.concurrency ?? 4); slot++) {
    let slotId: string | undefined;
    slotId = await boss.work<WebhookDeliveryJob, unknown, typeof webhookWork>(
      QUEUES.webhookDelivery,
      webhookWork,
      async ([job]) => {
        if (!job) return;
        await runJob(QUEUES.webhookDelivery, job, job.data, () =>
          (async () => {
            const attempt = {
              deliveryId: job.data.deliveryId,
              retryCount: job.retryCount,
              retryLimit: job.retryLimit,
            };
            try {
              const result = await deliverWebhook(webhookOptions, attempt);
              log.info({ ...attempt, ...result }, 'webhook delivery');
            } catch (error) {
              log.warn({ ...attempt, err: error }, 'webhook delivery failed; pg-boss retries it');
              throw error;
            }
          })(),
        );
        // As for accounts: a slot that delivered fetches the next at once, not after the rest of its
        // interval (a backlog went out at 2 deliveries a second: BENCHMARKS.md §10).
        if (slotId) boss.notifyWorker(slotId);
      },
    );
  }
  const eventQueue = startRootEventQueue(options, log);
  log.info({ accountConcurrency: config.accountConcurrency, checks: allChecks.length }, 'worker started');

  return {
    name: 'worker',
    async close() {
      const eventQueueStopped = eventQueue?.stop(shutdownGraceMs);
      // Stop fetching only: waiting for the jobs in hand here (pg-boss's default) would outlast the
      // grace period, since their handlers return only once drained or handed back below.
      await boss.offWork(QUEUES.scanAccount, { wait: false });
      await boss.offWork(QUEUES.scanAccountFailed, { wait: false });
      await boss.offWork(QUEUES.webhookDelivery, { wait: false });
      await drain(Date.now() + shutdownGraceMs);
      stopped.abort();
      // Each unfinished job is failed (handed back) by its own handler.
      await Promise.allSettled([...handlers]);
      await eventQueueStopped;
      contexts.clear();
    },
  };
}

/** The consumer of ROOTAUDIT_EVENTS_QUEUE_URL, or null when it is unset. */
function startRootEventQueue(options: WorkerOptions, log: Logger): EventQueueConsumer | null {
  const { config } = options;
  if (!config.eventsQueueUrl) return null;
  const { clients } = options;
  // The same processing as POST /v1/events/aws (tests may give their own).
  const ingest =
    options.rootEvents?.ingest ??
    rootEventIngest({
      prisma: options.database.prisma,
      boss: options.boss,
      logger: log.child({ component: 'root-events' }),
      auditIssuer: lazyAuditIssuer(config, clients),
      rootUsageWindowDays: config.rootUsageWindowDays,
    });
  return startEventQueueConsumer({
    queueUrl: config.eventsQueueUrl,
    handler: ingest,
    logger: log.child({ component: 'root-event-queue' }),
    concurrency: config.eventsQueueConcurrency,
    region: config.regions[0] ?? 'us-east-1',
    ...(config.awsEndpointUrl ? { endpoint: config.awsEndpointUrl } : {}),
    ...(clients?.endpoint ? { endpoint: clients.endpoint } : {}),
    ...(clients?.credentials ? { credentials: clients.credentials } : {}),
    ...options.rootEvents?.queue,
  });
}
