/** What a collector is, what it receives, and the helpers every collector uses for AWS calls. */
import type { EvidenceKey, EvidenceMap, organizationEvidenceKeys, Regional } from '@rootaudit/checks';
import type { AccountClients, OrganizationClients } from './clients.ts';
import { AwsCallError, collected, isAwsUnavailable, toCollectionError } from './errors.ts';
import type { PacerClock } from './pacer.ts';

export type OrganizationEvidenceKey = (typeof organizationEvidenceKeys)[number];
export type AccountEvidenceKey = Exclude<EvidenceKey, OrganizationEvidenceKey>;

/** Evidence gathered per region (`Regional<T>`); the rest is one answer per account. */
export const regionalEvidenceKeys = [
  'metricFilters',
  'metricAlarms',
  'eventRules',
  'guardDutyDetectors',
  'rootEvents',
] as const satisfies readonly AccountEvidenceKey[];

export function isRegionalEvidenceKey(key: EvidenceKey): key is (typeof regionalEvidenceKeys)[number] {
  return (regionalEvidenceKeys as readonly EvidenceKey[]).includes(key);
}

export interface CredentialReportPolling {
  /** First wait between polls [500 ms]; doubles up to maxDelayMs [5 s]. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Give up after this long [120 s]. */
  timeLimitMs: number;
}

export interface AccountCollectorContext {
  account: { id: string; partition: string; isManagementAccount: boolean };
  /** Regions the regional collectors cover. */
  regions: string[];
  now: Date;
  rootUsageWindowDays: number;
  clients: AccountClients;
  /** Organization-signed clients, for sts:AssumeRoot and contacts read from the management account. */
  organizationClients: OrganizationClients | null;
  /** Other evidence of the same account (and the organization's), memoised by the runner. */
  evidence<K extends EvidenceKey>(key: K): Promise<EvidenceMap[K]>;
  /** Clock and sleep for polling (the credential report); injectable for tests. */
  clock?: PacerClock;
  credentialReportPolling?: Partial<CredentialReportPolling>;
}

export interface OrganizationCollectorContext {
  clients: OrganizationClients;
  /** A bound on concurrent organization calls. */
  limit<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Read only what these accounts' checks need (a scan limited with `--accounts`): the accounts
   * themselves, the OUs above them and the SCPs on that path; the evidence then says so (`scope`).
   * Absent or empty: the whole organization.
   */
  accountIds?: readonly string[];
  /**
   * Answers shared by the collectors of one organization read (ListRoots, an account's parents), so
   * each call is made once; absent: each collector makes its own.
   */
  shared?: Map<string, Promise<unknown>>;
}

/** `read()` once per key within one organization read (see OrganizationCollectorContext.shared). */
export function readOnce<T>(
  context: OrganizationCollectorContext,
  key: string,
  read: () => Promise<T>,
): Promise<T> {
  if (!context.shared) return read();
  let entry = context.shared.get(key) as Promise<T> | undefined;
  if (!entry) {
    entry = read();
    context.shared.set(key, entry);
  }
  return entry;
}

/** The accounts a scoped read is limited to; null for the whole organization. */
export function scopedAccountIds(context: OrganizationCollectorContext): string[] | null {
  return context.accountIds && context.accountIds.length > 0 ? [...new Set(context.accountIds)].sort() : null;
}

export interface AccountCollector<K extends AccountEvidenceKey = AccountEvidenceKey> {
  key: K;
  /** Every IAM action this collector may call, for the audit-role template. */
  actions: readonly string[];
  /** Whose credentials sign: the audit role, the organization role, or both (see each collector). */
  principals: readonly ('audit-role' | 'organization' | 'root-session')[];
  /** Evidence this collector reads through `context.evidence` before its own calls. */
  needs: readonly EvidenceKey[];
  collect(context: AccountCollectorContext): Promise<EvidenceMap[K]>;
}

export interface OrganizationCollector<K extends OrganizationEvidenceKey = OrganizationEvidenceKey> {
  key: K;
  actions: readonly string[];
  collect(context: OrganizationCollectorContext): Promise<EvidenceMap[K]>;
}

/**
 * One AWS call: within the account's concurrency bound, its failure turned into an AwsCallError
 * that names the action and region and says whether AWS was unavailable (the SDK has already
 * retried what is retryable). The error is made inside the bound, so a watched bound (OutageWatch)
 * sees which action found AWS unavailable.
 */
export async function awsCall<T>(
  limit: <R>(fn: () => Promise<R>) => Promise<R>,
  action: string,
  region: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  return limit(async () => {
    try {
      return await fn();
    } catch (error) {
      throw new AwsCallError(toCollectionError(error, action, region), isAwsUnavailable(error));
    }
  });
}

/** Follows a list API's token until it ends (a repeated token ends it too, rather than loop). */
export async function paginate<T>(
  fetchPage: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...(page.items ?? []));
    token = page.next || undefined;
    if (token !== undefined) {
      if (seen.has(token)) break;
      seen.add(token);
    }
  } while (token !== undefined);
  return items;
}

/** Runs `body` in every region at once; each region succeeds or fails on its own. */
export async function perRegion<T>(
  regions: readonly string[],
  action: string,
  body: (region: string) => Promise<T>,
): Promise<Regional<T>> {
  const entries = await Promise.all(
    [...new Set(regions)].map(
      async (region) => [region, await collected(action, () => body(region), region)] as const,
    ),
  );
  return Object.fromEntries(entries);
}

export function iso(date: Date | undefined | null): string | null {
  return date ? date.toISOString() : null;
}
