/**
 * Builds SDK clients per account and region: credentials (base, audit-role session, organization
 * role), retries, the call counter, and the per-account bound on concurrent AWS calls.
 */
import { AccountClient } from '@aws-sdk/client-account';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import type { CollectionError } from '@rootaudit/checks';
import pLimit from 'p-limit';
import { globalRegionOf, partitionOfRegion, roleArn } from './arn.ts';
import { CallCounter, scopedCallCounter } from './call-counter.ts';
import { classifyStatusOnlyError, ORGANIZATION_ROLE_HINT } from './errors.ts';
import type { OutageWatch } from './outage.ts';
import { Pacer } from './pacer.ts';
import { RoleSession, roleSessionName, type SessionCredentials } from './session.ts';

const SERVICES = {
  iam: IAMClient,
  sts: STSClient,
  organizations: OrganizationsClient,
  cloudtrail: CloudTrailClient,
  logs: CloudWatchLogsClient,
  cloudwatch: CloudWatchClient,
  sns: SNSClient,
  events: EventBridgeClient,
  guardduty: GuardDutyClient,
  account: AccountClient,
} as const;

/** Services by their IAM action prefix. */
export type ServiceName = keyof typeof SERVICES;
export type ClientOf<S extends ServiceName> = InstanceType<(typeof SERVICES)[S]>;

/** Services with one global endpoint: their clients live in the partition's global region. */
const GLOBAL_SERVICES = new Set<ServiceName>(['iam', 'organizations', 'account']);

export type CredentialSource = SessionCredentials | (() => Promise<SessionCredentials>);

export interface ClientFactoryOptions {
  /** Scan id, carried in every role session name (`rootaudit-<scanId>`). */
  scanId: string;
  /** Region for STS and organization calls; it also fixes the partition [us-east-1]. */
  region?: string;
  /** Send every call here (tests, emulators). Unset: the SDK's own resolution, AWS_ENDPOINT_URL included. */
  endpoint?: string;
  /** Base credentials; unset: the SDK default chain (env, profile, container/instance role, IRSA). */
  credentials?: CredentialSource;
  /** Role assumed in each account [RootAuditRole]. */
  auditRoleName?: string;
  externalId?: string | null;
  /** Role for organization reads; unset: base credentials. */
  orgRoleArn?: string | null;
  /**
   * Scan the management account with base credentials rather than the audit role (StackSets never
   * deploy to it). It is known by `managementAccountId`, or by the runner saying so.
   */
  managementAccountWithBaseCredentials?: boolean;
  managementAccountId?: string | null;
  /** SDK attempts per call, retries included [6]; adaptive retry adds client-side rate limiting. */
  maxAttempts?: number;
  retryMode?: 'standard' | 'adaptive';
  /** How long one attempt may wait for a connection [5 s], then for the response [30 s]. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** cloudtrail:LookupEvents starts per second per account and region [2]. */
  lookupEventsPerSecond?: number;
}

/** What every SDK client of rootaudit is built with, whoever signs its calls. */
export type SdkClientSettings = Pick<
  ClientFactoryOptions,
  'endpoint' | 'maxAttempts' | 'retryMode' | 'connectionTimeoutMs' | 'requestTimeoutMs'
>;

/**
 * An SDK client's configuration: retries (6 attempts, adaptive), connection and request timeouts,
 * the endpoint override; credentials unset: the SDK default chain.
 */
export function sdkClientConfig(
  settings: SdkClientSettings,
  region: string,
  credentials?: CredentialSource,
): Record<string, unknown> {
  return {
    region,
    maxAttempts: settings.maxAttempts ?? 6,
    retryMode: settings.retryMode ?? 'adaptive',
    // A request that gets no answer fails (the SDK only warns by default, and waits for ever): a
    // frozen endpoint is then retried like any other unavailable one.
    requestHandler: {
      connectionTimeout: settings.connectionTimeoutMs ?? 5_000,
      requestTimeout: settings.requestTimeoutMs ?? 30_000,
      throwOnRequestTimeout: true,
    },
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

interface Principal {
  key: string;
  credentials: CredentialSource | undefined;
}

/** What collectors of one account use: its clients, its call bound, the LookupEvents pacer. */
export interface AccountClients {
  readonly accountId: string;
  readonly partition: string;
  /** Region for global services and STS. */
  readonly homeRegion: string;
  /** The audit role assumed for this account; null when it is read with base credentials. */
  readonly auditRoleArn: string | null;
  client<S extends ServiceName>(service: S, region?: string): ClientOf<S>;
  /** Assumes the audit role now; rejects with an AssumeRoleError that says what to do. */
  verifyAccess(): Promise<void>;
  /** Runs one AWS call within this account's bound on concurrent calls. */
  limit<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs one cloudtrail:LookupEvents call at the allowed rate for this account and region. */
  paceLookupEvents<T>(region: string, fn: () => Promise<T>): Promise<T>;
  /**
   * The account's scan is over: closes its clients and forgets its role session. A worker scans
   * thousands of accounts with one factory; without this, every account's clients stay in memory.
   */
  release(): void;
}

/** Clients signed for organization reads (management or delegated-admin account). */
export interface OrganizationClients {
  readonly partition: string;
  readonly homeRegion: string;
  client<S extends ServiceName>(service: S, region?: string): ClientOf<S>;
  /** A client signed with short-lived credentials (an sts:AssumeRoot session); destroy it after use. */
  sessionClient<S extends ServiceName>(
    service: S,
    credentials: SessionCredentials,
    region?: string,
  ): ClientOf<S>;
  verifyAccess(): Promise<void>;
  /**
   * Actions refused (AccessDenied) to these credentials during the scan, so a collector with
   * another way to read (contacts inside each account) stops asking. One map per factory (scan).
   */
  readonly denied: Map<string, CollectionError>;
}

/** What the runner needs from a ClientFactory (tests give a fake). */
export interface ClientProvider {
  readonly partition: string;
  forAccount(accountId: string, options?: AccountClientOptions): AccountClients;
  forOrganization(): OrganizationClients;
}

export interface AccountClientOptions {
  /** AWS calls in flight at once for this account [8]. */
  concurrency?: number;
  /** Read with base credentials instead of the audit role when the factory allows it for the management account. */
  isManagementAccount?: boolean;
  /** Watches this account's calls for AWS being unavailable (the scanner's account attempt). */
  outage?: OutageWatch;
}

interface MiddlewareStackLike {
  add(middleware: unknown, options: { step: string; priority?: string; name: string }): void;
}

export class ClientFactory implements ClientProvider {
  /** Every call of this factory's clients (countCallsWithin() counts a piece of work's own). */
  readonly counter = new CallCounter();
  readonly partition: string;
  readonly homeRegion: string;
  readonly #options: ClientFactoryOptions;
  readonly #clients = new Map<string, { destroy(): void }>();
  readonly #sessions = new Map<string, RoleSession>();
  readonly #pacer: Pacer;
  readonly #base: Principal;
  #organizationClients: OrganizationClients | undefined;

  constructor(options: ClientFactoryOptions) {
    this.#options = options;
    this.homeRegion = options.region ?? 'us-east-1';
    this.partition = partitionOfRegion(this.homeRegion);
    this.#pacer = new Pacer(options.lookupEventsPerSecond ?? 2);
    this.#base = { key: 'base', credentials: options.credentials };
  }

  get sessionName(): string {
    return roleSessionName(this.#options.scanId);
  }

  auditRoleArnFor(accountId: string): string {
    return roleArn(this.partition, accountId, this.#options.auditRoleName ?? 'RootAuditRole');
  }

  /** Clients for one account, with at most `concurrency` AWS calls in flight at once [8]. */
  forAccount(accountId: string, options: AccountClientOptions = {}): AccountClients {
    const useBase =
      this.#options.managementAccountWithBaseCredentials === true &&
      (options.isManagementAccount === true || this.#options.managementAccountId === accountId);
    const auditRoleArn = useBase ? null : this.auditRoleArnFor(accountId);
    const session = auditRoleArn ? this.#session(auditRoleArn) : null;
    const principal: Principal = session
      ? { key: session.roleArn, credentials: session.credentials }
      : this.#base;
    const limiter = pLimit(options.concurrency ?? 8);
    const bounded = <T>(fn: () => Promise<T>) => limiter(fn);
    const limit = options.outage ? options.outage.watch(bounded) : bounded;
    // Clients signed by the audit role belong to this account alone and end with it; base
    // credentials' clients are shared with the organization reads and stay with the factory.
    const owned = session ? new Map<string, { destroy(): void }>() : this.#clients;
    return {
      accountId,
      partition: this.partition,
      homeRegion: this.homeRegion,
      auditRoleArn,
      client: (service, region) => this.#client(principal, service, region, owned),
      verifyAccess: async () => {
        if (session) await session.credentials();
      },
      limit,
      paceLookupEvents: (region, fn) => this.#pacer.run(`${accountId}:${region}`, fn),
      release: () => {
        if (!session) return;
        for (const client of owned.values()) client.destroy();
        owned.clear();
        if (this.#sessions.get(session.roleArn) === session) this.#sessions.delete(session.roleArn);
      },
    };
  }

  /** The same clients (and what they were refused) for every caller of this factory. */
  forOrganization(): OrganizationClients {
    this.#organizationClients ??= this.#buildOrganizationClients();
    return this.#organizationClients;
  }

  #buildOrganizationClients(): OrganizationClients {
    const orgRoleArn = this.#options.orgRoleArn;
    const session = orgRoleArn ? this.#session(orgRoleArn, ORGANIZATION_ROLE_HINT) : null;
    const principal: Principal = session
      ? { key: session.roleArn, credentials: session.credentials }
      : this.#base;
    return {
      partition: this.partition,
      homeRegion: this.homeRegion,
      client: (service, region) => this.#client(principal, service, region),
      sessionClient: (service, credentials, region) =>
        this.#build({ key: 'session', credentials }, service, region ?? this.homeRegion),
      verifyAccess: async () => {
        if (session) await session.credentials();
      },
      denied: new Map(),
    };
  }

  /** Closes every client's connections. */
  destroy(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }

  #session(arn: string, deniedHint?: string): RoleSession {
    let session = this.#sessions.get(arn);
    if (!session) {
      session = new RoleSession({
        sts: this.#client(this.#base, 'sts', this.homeRegion),
        roleArn: arn,
        externalId: this.#options.externalId ?? null,
        sessionName: this.sessionName,
        ...(deniedHint ? { deniedHint } : {}),
      });
      this.#sessions.set(arn, session);
    }
    return session;
  }

  #client<S extends ServiceName>(
    principal: Principal,
    service: S,
    region?: string,
    cache: Map<string, { destroy(): void }> = this.#clients,
  ): ClientOf<S> {
    const resolvedRegion = GLOBAL_SERVICES.has(service)
      ? globalRegionOf(this.partition)
      : (region ?? this.homeRegion);
    const key = `${principal.key}|${service}|${resolvedRegion}`;
    let client = cache.get(key) as ClientOf<S> | undefined;
    if (!client) {
      client = this.#build(principal, service, resolvedRegion);
      cache.set(key, client);
    }
    return client;
  }

  #build<S extends ServiceName>(principal: Principal, service: S, region: string): ClientOf<S> {
    const Client = SERVICES[service] as unknown as new (config: Record<string, unknown>) => ClientOf<S>;
    const client = new Client(sdkClientConfig(this.#options, region, principal.credentials));
    const counter = this.counter;
    const stack = client.middlewareStack as unknown as MiddlewareStackLike;
    // Deserialize step, high priority: inside the retry loop (every HTTP attempt counted once) and
    // outside the deserializer (so errors it parses, or fails to parse, are counted as errors).
    stack.add(
      (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
        // This factory's counter, and the counter of the work that made the call (countCallsWithin).
        const scoped = scopedCallCounter();
        const counters = scoped && scoped !== counter ? [counter, scoped] : [counter];
        try {
          const result = await next(args);
          for (const each of counters) each.record(service);
          return result;
        } catch (error) {
          classifyStatusOnlyError(error);
          for (const each of counters) each.recordError(service, error);
          throw error;
        }
      },
      { step: 'deserialize', priority: 'high', name: 'rootauditCallCounter' },
    );
    return client;
  }
}
