/**
 * One scan of the whole organization in this process (the CLI path; the worker scans accounts one
 * job at a time with scanAccount): organization evidence once, organization checks once, then
 * every account at bounded concurrency.
 */
import {
  type AccountCollectors,
  AwsUnavailableError,
  type ClientProvider,
  type CredentialReportPolling,
  organizationCollectors as defaultOrganizationCollectors,
  namedAccounts,
  type OrganizationCollectorContext,
  type OrganizationCollectors,
  OutageWatch,
  type PacerClock,
  realClock,
} from '@rootaudit/aws';
import {
  type AccountStatus,
  type Check,
  type Organization,
  organizationEvidenceKeys,
} from '@rootaudit/checks';
import pLimit from 'p-limit';
import {
  collectorFailure,
  isOrganizationEvidenceKey,
  type OrganizationEvidence,
  type PendingOrganizationEvidence,
} from './evidence-cache.ts';
import { judgeOrganization } from './orchestration.ts';
import type { AccountScan, ScanResult } from './results.ts';
import {
  evidenceNeeded,
  type ScanSettings,
  scanAccountWithRetries,
  UNAVAILABLE_RETRY_DELAYS_MS,
} from './scan-account.ts';

export interface ScanOrganizationOptions {
  checks: readonly Check[];
  settings: ScanSettings;
  clients: ClientProvider;
  /**
   * Only these accounts (`--accounts`); others in the organization are left out, and the
   * organization is read only as far as these accounts' checks need (see collectOrganizationEvidence).
   */
  accountIds?: readonly string[];
  /** Accounts scanned at once [16]. */
  accountConcurrency?: number;
  /** AWS calls in flight at once per account [8]. */
  callsPerAccount?: number;
  onAccountScanned?: (scan: AccountScan) => void;
  /**
   * Waits before each new attempt of the organization read and of an account while AWS is
   * unavailable [UNAVAILABLE_RETRY_DELAYS_MS]; the last attempt records what it reads.
   */
  retryDelaysMs?: readonly number[];
  /** Told of each attempt given up because AWS was unavailable (accountId null: the organization read). */
  onRetry?: (retry: {
    accountId: string | null;
    attempt: number;
    delayMs: number;
    error: AwsUnavailableError;
  }) => void;
  collectors?: Partial<AccountCollectors>;
  organizationCollectors?: Partial<OrganizationCollectors>;
  clock?: PacerClock;
  credentialReportPolling?: Partial<CredentialReportPolling>;
}

export type ScanStatus = 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

export interface OrganizationScan {
  status: ScanStatus;
  /** Why the scan is PARTIAL or FAILED. */
  reason: string | null;
  startedAt: string;
  finishedAt: string;
  organization: Organization | null;
  organizationEvidence: OrganizationEvidence;
  /** Results of organization-scope checks (evaluated once). */
  organizationResults: ScanResult[];
  accounts: AccountScan[];
  /** Every result: organization checks first, then accounts in id order. */
  results: ScanResult[];
}

/**
 * Gathers the organization evidence the checks (and their collectors) need, each once. `outage`
 * notes whether AWS was unavailable for any of it (the read is then worth doing again).
 *
 * `accountIds` (a scan limited to some accounts) reads only what those accounts' checks need: the
 * organization, the accounts themselves, the OUs above them and the SCPs on that path; the
 * evidence then carries `scope` so that nothing judges the whole organization from it. Absent or
 * empty: the whole organization.
 */
export async function collectOrganizationEvidence(options: {
  checks: readonly Check[];
  clients: ClientProvider;
  accountIds?: readonly string[];
  collectors?: Partial<OrganizationCollectors>;
  accountCollectors?: AccountCollectors;
  concurrency?: number;
  outage?: OutageWatch;
  /**
   * Given the read's context (its clients, call bound and shared answers) as it starts, so that a
   * caller can ask for part of it early (namedAccounts) without making any call twice.
   */
  onRead?: (context: OrganizationCollectorContext) => void;
}): Promise<OrganizationEvidence> {
  const collectors = { ...defaultOrganizationCollectors, ...options.collectors } as OrganizationCollectors;
  const needed = evidenceNeeded(options.checks, options.accountCollectors);
  needed.add('organization'); // the account list
  const clients = options.clients.forOrganization();
  const limiter = pLimit(options.concurrency ?? 8);
  const bounded = <T>(fn: () => Promise<T>) => limiter(fn);
  const limit = options.outage ? options.outage.watch(bounded) : bounded;
  const keys = [...needed].filter(isOrganizationEvidenceKey);
  // ListRoots and the parents of an account are read once for every collector that needs them.
  const shared = new Map<string, Promise<unknown>>();
  const accountIds =
    options.accountIds && options.accountIds.length > 0 ? { accountIds: options.accountIds } : {};
  const context: OrganizationCollectorContext = { clients, limit, shared, ...accountIds };
  options.onRead?.(context);
  const entries = await Promise.all(
    keys.map(async (key) => {
      try {
        return [key, await collectors[key].collect(context)] as const;
      } catch (error) {
        return [key, collectorFailure(key, error, [])] as const;
      }
    }),
  );
  return Object.fromEntries(entries) as OrganizationEvidence;
}

/**
 * The organization evidence, read again after a wait while AWS is unavailable; the last read is
 * kept whatever it found (an unreadable organization then fails the scan, saying why).
 */
async function readOrganizationWithRetries(
  options: ScanOrganizationOptions,
  retryDelaysMs: readonly number[],
  onRead?: (context: OrganizationCollectorContext) => void,
): Promise<OrganizationEvidence> {
  const read = (outage?: OutageWatch) =>
    collectOrganizationEvidence({
      checks: options.checks,
      clients: options.clients,
      ...(options.accountIds ? { accountIds: options.accountIds } : {}),
      ...(options.organizationCollectors ? { collectors: options.organizationCollectors } : {}),
      ...(outage ? { outage } : {}),
      ...(onRead ? { onRead } : {}),
    });
  for (const [index, delayMs] of retryDelaysMs.entries()) {
    const outage = new OutageWatch(true);
    const evidence = await read(outage);
    if (!outage.first) return evidence;
    options.onRetry?.({
      accountId: null,
      attempt: index + 1,
      delayMs,
      error: new AwsUnavailableError('the organization', outage.first),
    });
    await (options.clock ?? realClock).sleep(delayMs);
  }
  return read();
}

/** `AccessDenied on organizations:DescribeOrganization: User … is not authorized …` */
export async function scanOrganization(options: ScanOrganizationOptions): Promise<OrganizationScan> {
  const startedAt = new Date().toISOString();
  const { settings, clients } = options;
  const retryDelaysMs = options.retryDelaysMs ?? UNAVAILABLE_RETRY_DELAYS_MS;
  // A scan of named accounts starts them as soon as the read's first answers say who manages the
  // organization and what state each account is in (namedAccounts), not after the whole read: the
  // OU path and the SCPs (a chain of calls, one level of OUs after another) are read beside the
  // accounts' own evidence, and each account's checks wait for the organization evidence they
  // judge, which is the last attempt's when AWS was unavailable and the read was tried again.
  const named = options.accountIds && options.accountIds.length > 0 ? options.accountIds : null;
  let readStarted: ((context: OrganizationCollectorContext) => void) | undefined;
  const firstRead = new Promise<OrganizationCollectorContext>((resolve) => {
    readStarted = resolve;
  });
  const reading = readOrganizationWithRetries(options, retryDelaysMs, named ? readStarted : undefined);
  const early = named
    ? await namedAccounts(await firstRead, named).catch(
        // Unreadable now: the accounts wait for the whole read, which says why.
        () => null,
      )
    : null;
  let accountEvidence: OrganizationEvidence | PendingOrganizationEvidence;
  if (early) {
    accountEvidence = Object.fromEntries(
      organizationEvidenceKeys.map((key) => {
        const value = reading.then((evidence) => evidence[key]);
        // A failed read rejects `reading`, awaited below; the keys no account asks for must not
        // also count as unhandled.
        value.catch(() => undefined);
        return [key, value];
      }),
    ) as PendingOrganizationEvidence;
  }
  const limit = pLimit(options.accountConcurrency ?? 16);
  const scanAccounts = (
    accounts: readonly { id: string; status?: AccountStatus }[],
    managementAccountId: string | null,
  ) =>
    Promise.all(
      accounts.map((account) =>
        limit(async () => {
          const scan = await scanAccountWithRetries({
            retryDelaysMs,
            ...(options.onRetry ? { onRetry: options.onRetry } : {}),
            account,
            checks: options.checks,
            organizationEvidence: accountEvidence,
            settings,
            clients,
            managementAccountId,
            ...(options.callsPerAccount ? { concurrency: options.callsPerAccount } : {}),
            ...(options.collectors ? { collectors: options.collectors } : {}),
            ...(options.organizationCollectors
              ? { organizationCollectors: options.organizationCollectors }
              : {}),
            ...(options.clock ? { clock: options.clock } : {}),
            ...(options.credentialReportPolling
              ? { credentialReportPolling: options.credentialReportPolling }
              : {}),
          });
          options.onAccountScanned?.(scan);
          return scan;
        }),
      ),
    );
  let accountScans = early ? await scanAccounts(early.accounts, early.managementAccountId || null) : [];
  const organizationEvidence = await reading;
  accountEvidence = organizationEvidence;
  const judged = await judgeOrganization(options.checks, organizationEvidence, {
    ...settings,
    partition: clients.partition,
  });
  const { organization, results: organizationResults } = judged;
  // Without the organization view, only accounts named on the command line can be scanned.
  const wanted = named ? new Set(named) : null;
  const accounts = organization
    ? organization.accounts.filter((account) => !wanted || wanted.has(account.id))
    : [...(wanted ?? [])].map((id) => ({ id }));
  if (organization) {
    // Started early but not an account of the organization the read ends with (it left meanwhile):
    // dropped, as the read would have left it out.
    const members = new Set(accounts.map((account) => account.id));
    accountScans = accountScans.filter((scan) => members.has(scan.accountId));
  }
  const scanned = new Set(accountScans.map((scan) => scan.accountId));
  accountScans.push(
    ...(await scanAccounts(
      accounts.filter((account) => !scanned.has(account.id)),
      organization?.managementAccountId ?? null,
    )),
  );
  accountScans.sort((a, b) => a.accountId.localeCompare(b.accountId));

  const failed = accountScans.filter((scan) => scan.status === 'FAILED');
  let status: ScanStatus = 'SUCCEEDED';
  let reason: string | null = null;
  if (!organization && accountScans.length === 0) {
    status = 'FAILED';
    reason = `the organization could not be read: ${judged.unreadable}`;
  } else if (failed.length > 0 || !organization) {
    status = 'PARTIAL';
    reason = organization
      ? `${failed.length} of ${accountScans.length} accounts could not be scanned`
      : 'the organization could not be read';
  }
  return {
    status,
    reason,
    startedAt,
    finishedAt: new Date().toISOString(),
    organization,
    organizationEvidence,
    organizationResults,
    accounts: accountScans,
    results: [...organizationResults, ...accountScans.flatMap((scan) => scan.results)],
  };
}
