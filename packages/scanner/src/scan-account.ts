/**
 * Scans one account: gathers only the evidence its enabled checks need (each key once), at most
 * `concurrency` AWS calls at a time, and evaluates every check. Nothing an account does in AWS
 * makes this throw: a role that cannot be assumed and failed evidence become ERROR results. AWS
 * itself being unavailable (unreachable, 5xx, throttled past the SDK's retries) is no answer about
 * the account: with `onAwsUnavailable: 'throw'` the attempt stops there and rejects with an
 * AwsUnavailableError, so the caller tries the account again later (see scanAccountWithRetries).
 */
import {
  type AccountCollectors,
  AwsUnavailableError,
  type ClientProvider,
  type CredentialReportPolling,
  accountCollectors as defaultAccountCollectors,
  organizationCollectors as defaultOrganizationCollectors,
  type OrganizationClients,
  type OrganizationCollectors,
  OutageWatch,
  type PacerClock,
  realClock,
  rootArn,
  toCollectionError,
} from '@rootaudit/aws';
import {
  type AccountStatus,
  accountSkipReason,
  type Check,
  type CheckContext,
  type CollectionError,
  type EvidenceKey,
} from '@rootaudit/checks';
import { evaluateCheck } from './evaluate.ts';
import {
  EvidenceCache,
  isOrganizationEvidenceKey,
  type OrganizationEvidence,
  type PendingOrganizationEvidence,
} from './evidence-cache.ts';
import type { AccountScan, ScanResult } from './results.ts';

/** Settings of a scan that are not AWS evidence (SPEC §6 environment). */
export interface ScanSettings {
  regions: string[];
  /** The scan's clock: every account of one scan is judged at the same instant. */
  now: Date;
  rootUsageWindowDays: number;
  allowedEmailDomains: string[];
}

export interface ScanAccountOptions {
  /** An organization account, or just its id (status unknown = scanned). */
  account: { id: string; status?: AccountStatus };
  /** The enabled checks; organization-scope checks are ignored here (see scanOrganization). */
  checks: readonly Check[];
  /**
   * Gathered once per scan and shared (or still being read, with managementAccountId given); missing
   * keys are collected here if organization clients exist.
   */
  organizationEvidence: OrganizationEvidence | PendingOrganizationEvidence;
  /**
   * Read organization evidence missing from organizationEvidence [true]. false: it is ERROR as not
   * read by the scan (the worker: the scan's discovery read all it needs, and workers make no
   * organizations:* call).
   */
  readMissingOrganizationEvidence?: boolean;
  settings: ScanSettings;
  clients: ClientProvider;
  /** Defaults to the management account named by the organization evidence. */
  managementAccountId?: string | null;
  /** AWS calls in flight at once for this account [8]. */
  concurrency?: number;
  /** Use organization credentials (sts:AssumeRoot, contacts via the management account) [true]. */
  useOrganizationClients?: boolean;
  /** Replace collectors (tests). */
  collectors?: Partial<AccountCollectors>;
  organizationCollectors?: Partial<OrganizationCollectors>;
  clock?: PacerClock;
  credentialReportPolling?: Partial<CredentialReportPolling>;
  /**
   * AWS unavailable during the attempt: 'throw' stops the attempt at the first such call and
   * rejects with AwsUnavailableError (nothing is returned, so nothing partial is recorded);
   * 'record' (the last attempt) goes on, and each check answers from what was read [record].
   */
  onAwsUnavailable?: 'throw' | 'record';
}

/** Which evidence the checks need, with what their collectors read first (snsTopics → metricAlarms, …). */
export function evidenceNeeded(
  checks: readonly Check[],
  collectors: AccountCollectors = defaultAccountCollectors,
) {
  const needed = new Set<EvidenceKey>();
  const add = (key: EvidenceKey) => {
    if (needed.has(key)) return;
    needed.add(key);
    if (!isOrganizationEvidenceKey(key)) for (const dependency of collectors[key].needs) add(dependency);
  };
  for (const check of checks) for (const key of check.evidence) add(key);
  return needed;
}

export async function scanAccount(options: ScanAccountOptions): Promise<AccountScan> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const accountId = options.account.id;
  const status = options.account.status;
  const skipped = status ? accountSkipReason(status) : null;
  if (skipped) {
    return {
      accountId,
      status: 'SKIPPED',
      reason: skipped,
      results: [],
      evidenceCollected: [],
      startedAt,
      durationMs: 0,
    };
  }
  const { settings, clients } = options;
  const checks = options.checks.filter((check) => check.metadata.scope === 'account');
  const accountCollectors = { ...defaultAccountCollectors, ...options.collectors } as AccountCollectors;
  const organizationCollectors = {
    ...defaultOrganizationCollectors,
    ...options.organizationCollectors,
  } as OrganizationCollectors;
  const organization = options.organizationEvidence.organization;
  const managementAccountId =
    options.managementAccountId ??
    (organization && !(organization instanceof Promise) && organization.ok
      ? organization.value.managementAccountId
      : null);
  const isManagementAccount = managementAccountId === accountId;
  const partition = clients.partition;
  const outage = new OutageWatch(options.onAwsUnavailable === 'throw');
  const accountClients = clients.forAccount(accountId, {
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    isManagementAccount,
    outage,
  });
  const organizationClients: OrganizationClients | null =
    options.useOrganizationClients === false ? null : clients.forOrganization();

  // The account's SDK clients and role session go when it is done (a worker scans thousands).
  try {
    const needed = evidenceNeeded(checks, accountCollectors);
    // One AssumeRole up front: when the audit role cannot be assumed, every evidence fails with one
    // message that says what to do, instead of a dozen collectors each failing on their own.
    let accessError: CollectionError | null = null;
    if ([...needed].some((key) => !isOrganizationEvidenceKey(key))) {
      try {
        await accountClients.verifyAccess();
      } catch (error) {
        accessError = toCollectionError(error, 'sts:AssumeRole');
        outage.note(error, 'sts:AssumeRole');
      }
    }
    outage.throwIfStopped(accountId);

    const cache = new EvidenceCache({
      account: { id: accountId, partition, isManagementAccount },
      regions: settings.regions,
      now: settings.now,
      rootUsageWindowDays: settings.rootUsageWindowDays,
      clients: accountClients,
      organizationClients,
      organizationEvidence: options.organizationEvidence,
      ...(options.readMissingOrganizationEvidence === false
        ? { readMissingOrganizationEvidence: false }
        : {}),
      accountCollectors,
      organizationCollectors,
      accessError,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.credentialReportPolling
        ? { credentialReportPolling: options.credentialReportPolling }
        : {}),
    });
    // Start every needed collector at once; the account's call bound keeps AWS load in check.
    // Organization evidence that only a collector reads (trails → organizationTrails) is left for
    // that collector to ask for: the scan normally hands it over, and an account whose role
    // cannot be assumed never needs it.
    const declared = new Set(checks.flatMap((check) => check.evidence));
    await Promise.all(
      [...needed]
        .filter((key) => !isOrganizationEvidenceKey(key) || declared.has(key))
        .map((key) => cache.get(key)),
    );
    outage.throwIfStopped(accountId);

    const context: CheckContext = {
      accountId,
      partition,
      isManagementAccount,
      now: settings.now,
      regions: settings.regions,
      rootUsageWindowDays: settings.rootUsageWindowDays,
      allowedEmailDomains: settings.allowedEmailDomains,
    };
    const resource = rootArn(partition, accountId);
    const results: ScanResult[] = (
      await Promise.all(
        checks.map((check) => evaluateCheck(check, (key) => cache.get(key), context, resource)),
      )
    ).flat();
    return {
      accountId,
      status: accessError ? 'FAILED' : 'SCANNED',
      reason: accessError ? accessError.message : null,
      results,
      evidenceCollected: cache.keys,
      startedAt,
      durationMs: Date.now() - started,
    };
  } finally {
    accountClients.release();
  }
}

/**
 * Waits before each new attempt of an account that AWS was unavailable for, in one process (the
 * CLI): 20 s, 40 s, 80 s, so an outage of up to 140 s costs no result; the fourth attempt is the
 * last and records what it reads. The worker's account queue retries on the same scale (see
 * @rootaudit/queue).
 */
export const UNAVAILABLE_RETRY_DELAYS_MS: readonly number[] = [20_000, 40_000, 80_000];

export interface AccountRetryOptions {
  /** Waits before attempts 2, 3, … [UNAVAILABLE_RETRY_DELAYS_MS]; the attempt after the last is the last. */
  retryDelaysMs?: readonly number[];
  /** Told of each attempt given up, before its wait. */
  onRetry?: (retry: {
    accountId: string;
    attempt: number;
    delayMs: number;
    error: AwsUnavailableError;
  }) => void;
}

/**
 * scanAccount, tried again after a wait while AWS is unavailable; the last attempt records what
 * it reads (ERROR results naming the action and cause where nothing could be read).
 */
export async function scanAccountWithRetries(
  options: ScanAccountOptions & AccountRetryOptions,
): Promise<AccountScan> {
  const { retryDelaysMs = UNAVAILABLE_RETRY_DELAYS_MS, onRetry, ...scanOptions } = options;
  const sleep = (options.clock ?? realClock).sleep;
  for (const [index, delayMs] of retryDelaysMs.entries()) {
    try {
      return await scanAccount({ ...scanOptions, onAwsUnavailable: 'throw' });
    } catch (error) {
      if (!(error instanceof AwsUnavailableError)) throw error;
      onRetry?.({ accountId: options.account.id, attempt: index + 1, delayMs, error });
      await sleep(delayMs);
    }
  }
  return scanAccount({ ...scanOptions, onAwsUnavailable: 'record' });
}
