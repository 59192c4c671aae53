/**
 * Scans one account: gathers only the evidence its enabled checks need (each key once), at most
 * `concurrency` AWS calls at a time, and evaluates every check. Nothing an account does in AWS
 * makes this throw: unreachable accounts and failed evidence become ERROR results.
 */
import {
  type AccountCollectors,
  type ClientProvider,
  type CredentialReportPolling,
  accountCollectors as defaultAccountCollectors,
  organizationCollectors as defaultOrganizationCollectors,
  type OrganizationClients,
  type OrganizationCollectors,
  type PacerClock,
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
import { EvidenceCache, isOrganizationEvidenceKey, type OrganizationEvidence } from './evidence-cache.ts';
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
  /** Gathered once per scan and shared; missing keys are collected here if organization clients exist. */
  organizationEvidence: OrganizationEvidence;
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
    options.managementAccountId ?? (organization?.ok ? organization.value.managementAccountId : null);
  const isManagementAccount = managementAccountId === accountId;
  const partition = clients.partition;
  const accountClients = clients.forAccount(accountId, {
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    isManagementAccount,
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
      }
    }

    const cache = new EvidenceCache({
      account: { id: accountId, partition, isManagementAccount },
      regions: settings.regions,
      now: settings.now,
      rootUsageWindowDays: settings.rootUsageWindowDays,
      clients: accountClients,
      organizationClients,
      organizationEvidence: options.organizationEvidence,
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
