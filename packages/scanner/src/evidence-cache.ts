/**
 * One account's evidence, each key collected at most once however many checks and collectors ask
 * for it. Organization evidence comes from the scan (gathered once) or, when absent, is collected
 * here with the organization clients.
 */
import {
  type AccountClients,
  type AccountCollectorContext,
  type AccountCollectors,
  type AccountEvidenceKey,
  type CredentialReportPolling,
  collectorActions,
  isRegionalEvidenceKey,
  type OrganizationClients,
  type OrganizationCollectors,
  type OrganizationEvidenceKey,
  type PacerClock,
  toCollectionError,
} from '@rootaudit/aws';
import {
  type CollectionError,
  type EvidenceKey,
  type EvidenceMap,
  organizationEvidenceKeys,
} from '@rootaudit/checks';

export type OrganizationEvidence = Partial<Pick<EvidenceMap, OrganizationEvidenceKey>>;

/**
 * Organization evidence still being read: each key's value, or the promise of it (undefined when
 * the read leaves the key out). A scan of named accounts hands this to its accounts so that they
 * start before the whole organization read is done (see scanOrganization).
 */
export type PendingOrganizationEvidence = {
  [K in OrganizationEvidenceKey]?: EvidenceMap[K] | Promise<EvidenceMap[K] | undefined>;
};

export function isOrganizationEvidenceKey(key: EvidenceKey): key is OrganizationEvidenceKey {
  return (organizationEvidenceKeys as readonly EvidenceKey[]).includes(key);
}

/** The evidence value that says "this could not be gathered", in the shape the key expects. */
export function failedEvidence<K extends EvidenceKey>(
  key: K,
  error: CollectionError,
  regions: readonly string[],
): EvidenceMap[K] {
  if (isRegionalEvidenceKey(key)) {
    return Object.fromEntries(
      regions.map((region) => [region, { ok: false, error: { ...error, region } }]),
    ) as EvidenceMap[K];
  }
  return { ok: false, error } as EvidenceMap[K];
}

/** What a collector threw (a bug: collectors map AWS errors themselves), kept as failed evidence. */
export function collectorFailure<K extends EvidenceKey>(
  key: K,
  error: unknown,
  regions: readonly string[],
): EvidenceMap[K] {
  const collectionError = toCollectionError(error, collectorActions[key][0] ?? key);
  return failedEvidence(
    key,
    { ...collectionError, code: `CollectorFailed:${collectionError.code}` },
    regions,
  );
}

export interface EvidenceCacheOptions {
  account: AccountCollectorContext['account'];
  regions: string[];
  now: Date;
  rootUsageWindowDays: number;
  clients: AccountClients;
  organizationClients: OrganizationClients | null;
  organizationEvidence: OrganizationEvidence | PendingOrganizationEvidence;
  /** Organization evidence missing from organizationEvidence is read with the organization clients [true]. */
  readMissingOrganizationEvidence?: boolean;
  accountCollectors: AccountCollectors;
  organizationCollectors: OrganizationCollectors;
  /** When set, every account evidence fails with it (the audit role could not be assumed). */
  accessError: CollectionError | null;
  clock?: PacerClock;
  credentialReportPolling?: Partial<CredentialReportPolling>;
}

export class EvidenceCache {
  readonly #entries = new Map<EvidenceKey, Promise<unknown>>();
  readonly #options: EvidenceCacheOptions;
  readonly #context: AccountCollectorContext;

  constructor(options: EvidenceCacheOptions) {
    this.#options = options;
    this.#context = {
      account: options.account,
      regions: options.regions,
      now: options.now,
      rootUsageWindowDays: options.rootUsageWindowDays,
      clients: options.clients,
      organizationClients: options.organizationClients,
      evidence: (key) => this.get(key),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.credentialReportPolling
        ? { credentialReportPolling: options.credentialReportPolling }
        : {}),
    };
  }

  /** The keys collected (or being collected) so far. */
  get keys(): EvidenceKey[] {
    return [...this.#entries.keys()];
  }

  get<K extends EvidenceKey>(key: K): Promise<EvidenceMap[K]> {
    let entry = this.#entries.get(key) as Promise<EvidenceMap[K]> | undefined;
    if (!entry) {
      entry = this.#collect(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  async #collect<K extends EvidenceKey>(key: K): Promise<EvidenceMap[K]> {
    const { regions } = this.#options;
    if (isOrganizationEvidenceKey(key)) {
      const given = await this.#options.organizationEvidence[key];
      if (given) return given as EvidenceMap[K];
      const clients = this.#options.organizationClients;
      if (this.#options.readMissingOrganizationEvidence === false || !clients) {
        return failedEvidence(
          key,
          {
            action: collectorActions[key][0] ?? key,
            code: 'NotCollected',
            message: clients
              ? `no ${key} evidence was read by this scan's organization discovery`
              : `no ${key} evidence was gathered for this scan and no organization credentials are configured`,
          },
          regions,
        );
      }
      const collector = this.#options.organizationCollectors[key];
      return this.#guard(key, () => collector.collect({ clients, limit: this.#options.clients.limit }));
    }
    if (this.#options.accessError) return failedEvidence(key, this.#options.accessError, regions);
    const collector = this.#options.accountCollectors[key as AccountEvidenceKey];
    return this.#guard(key, () => collector.collect(this.#context) as Promise<EvidenceMap[K]>);
  }

  async #guard<K extends EvidenceKey>(key: K, collect: () => Promise<unknown>): Promise<EvidenceMap[K]> {
    try {
      return (await collect()) as EvidenceMap[K];
    } catch (error) {
      return collectorFailure(key, error, this.#options.regions);
    }
  }
}
