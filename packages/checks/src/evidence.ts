/**
 * Typed evidence: what collectors (packages/aws) gather from AWS and checks evaluate.
 * Collectors are the only code that calls AWS; every shape here is plain data, JSON-safe, so it
 * can be stored beside a result and replayed in tests. Times are ISO-8601 strings.
 */
import type { AccountStatus } from './account-state.ts';

/** Why a piece of evidence could not be gathered: the AWS action and the error AWS returned. */
export interface CollectionError {
  /** IAM action form, e.g. `iam:GetAccountSummary`. */
  action: string;
  /** AWS error code, e.g. `AccessDenied`, `ThrottlingException`, `RoleNotAssumable`. */
  code: string;
  message: string;
  region?: string;
}

/** A collector's answer: the evidence, or the error that kept it from being gathered. */
export type Collected<T> = { ok: true; value: T } | { ok: false; error: CollectionError };

/** Evidence gathered per region: region name → that region's answer. */
export type Regional<T> = Record<string, Collected<T>>;

// ── IAM ──────────────────────────────────────────────────────────────────────────────────────

/**
 * iam:GetAccountSummary, the root-relevant keys. Each is null when its key is missing from the
 * SummaryMap: unknown, never "absent" (AWS leaves keys out on some accounts).
 */
export interface AccountSummary {
  accountMfaEnabled: boolean | null;
  accountAccessKeysPresent: boolean | null;
  accountPasswordPresent: boolean | null;
  accountSigningCertificatesPresent: boolean | null;
  /** The whole SummaryMap as AWS returned it. */
  summaryMap: Record<string, number>;
}

export interface CredentialReportAccessKey {
  slot: 1 | 2;
  active: boolean;
  /** null for `N/A`. */
  lastRotated: string | null;
  /** null for `N/A` / `no_information`. */
  lastUsedDate: string | null;
  lastUsedRegion: string | null;
  lastUsedService: string | null;
}

export interface CredentialReportSigningCertificate {
  slot: 1 | 2;
  active: boolean;
  lastRotated: string | null;
}

/** The `<root_account>` row. Dates that are `N/A`, `no_information` or `not_supported` are null. */
export interface CredentialReportRootRow {
  arn: string;
  /** `true`/`false`, or null for `not_supported`. Never gate a root check on it (SPEC §2). */
  passwordEnabled: boolean | null;
  passwordLastUsed: string | null;
  passwordLastChanged: string | null;
  mfaActive: boolean;
  accessKeys: CredentialReportAccessKey[];
  signingCertificates: CredentialReportSigningCertificate[];
}

/** iam:GenerateCredentialReport + iam:GetCredentialReport. */
export interface CredentialReport {
  /** When AWS generated the report (reports are regenerated at most every 4 hours). */
  generatedTime: string;
  /** null when the report has no `<root_account>` row. */
  root: CredentialReportRootRow | null;
}

/** iam:ListVirtualMFADevices (AssignmentStatus Assigned). */
export interface VirtualMfaDevice {
  serialNumber: string;
  /** ARN of the user the device is assigned to; `arn:<partition>:iam::<account>:root` for root. */
  userArn: string | null;
  enableDate: string | null;
}

export interface VirtualMfaDevices {
  devices: VirtualMfaDevice[];
}

/** What an `sts:AssumeRoot` session with IAMAuditRootUserCredentials reveals about the root user. */
export type RootCredentialsAudit =
  | {
      audited: true;
      /** iam:GetLoginProfile answered (true) or NoSuchEntity (false). */
      passwordPresent: boolean;
      accessKeys: { accessKeyId: string; status: 'Active' | 'Inactive' }[];
      signingCertificates: { certificateId: string; status: 'Active' | 'Inactive' }[];
      mfaDevices: { serialNumber: string }[];
    }
  | {
      audited: false;
      /** Why no AssumeRoot audit was attempted, e.g. centralized root access is off. */
      reason: string;
    };

// ── CloudTrail, Logs, CloudWatch, SNS, EventBridge, GuardDuty ─────────────────────────────────

export interface Trail {
  name: string;
  arn: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  /** cloudtrail:GetTrailStatus IsLogging; null when the status could not be read (see statusError). */
  isLogging: boolean | null;
  statusError?: CollectionError;
  /**
   * From cloudtrail:GetEventSelectors: does the trail record management events, and which kind.
   * Classic selectors: IncludeManagementEvents + ReadWriteType; advanced: eventCategory = Management
   * (readOnly field absent = All). null when the selectors could not be read (see selectorsError).
   */
  managementEvents: { included: boolean; readWriteType: 'All' | 'ReadOnly' | 'WriteOnly' } | null;
  selectorsError?: CollectionError;
  /** CloudWatch Logs log group ARN the trail delivers to, if any. */
  cloudWatchLogsLogGroupArn: string | null;
  /**
   * GetTrailStatus LatestCloudWatchLogsDeliveryTime: when CloudTrail last delivered to that log
   * group; null when it never has or the status could not be read.
   */
  latestCloudWatchLogsDeliveryTime: string | null;
  /** GetTrailStatus LatestCloudWatchLogsDeliveryError (e.g. the delivery role is gone); null when none. */
  latestCloudWatchLogsDeliveryError: string | null;
}

/**
 * cloudtrail:DescribeTrails (includeShadowTrails) in every scanned region, deduplicated by ARN. An
 * organization trail owned by another account carries the status and selectors read from the
 * management account (`organizationTrails`): AWS refuses GetEventSelectors to a member.
 */
export interface Trails {
  trails: Trail[];
}

/**
 * The organization's trails as their owner (the management account) reads them: DescribeTrails,
 * GetTrailStatus and GetEventSelectors with the organization credentials, once per scan.
 */
export interface OrganizationTrails {
  trails: Trail[];
}

export interface MetricFilter {
  logGroupName: string;
  filterName: string;
  filterPattern: string;
  metricTransformations: { metricName: string; metricNamespace: string }[];
}

/** logs:DescribeMetricFilters, per region. */
export interface MetricFilters {
  filters: MetricFilter[];
}

export interface MetricAlarm {
  alarmName: string;
  alarmArn: string;
  /** Single-metric alarms; null for metric-math alarms (see metrics). */
  metricName: string | null;
  namespace: string | null;
  /** Metrics referenced by a metric-math alarm. */
  metrics: { metricName: string; namespace: string }[];
  actionsEnabled: boolean;
  alarmActions: string[];
  stateValue: string | null;
}

/** cloudwatch:DescribeAlarms, per region. */
export interface MetricAlarms {
  alarms: MetricAlarm[];
}

export interface SnsSubscription {
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
  /** false while `PendingConfirmation`. */
  confirmed: boolean;
}

export interface SnsTopic {
  topicArn: string;
  /** sns:ListSubscriptionsByTopic; null when it could not be read (see error). */
  subscriptions: SnsSubscription[] | null;
  error?: CollectionError;
}

/** The SNS topics that alarm actions name, with their subscriptions. */
export interface SnsTopics {
  topics: SnsTopic[];
}

export interface EventRule {
  name: string;
  arn: string;
  eventBusName: string;
  /** `ENABLED` (no read-only management events), `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`, `DISABLED`. */
  state: string;
  /** The rule's event pattern as JSON text; null for scheduled rules. */
  eventPattern: string | null;
  targets: { id: string; arn: string }[];
}

/** events:ListRules + events:ListTargetsByRule, per region (default bus). */
export interface EventRules {
  rules: EventRule[];
}

/** guardduty:ListDetectors + guardduty:GetDetector, per region. */
export interface GuardDutyDetectors {
  detectors: { detectorId: string; status: string }[];
}

/**
 * A call made with short-term root credentials from sts:AssumeRoot (a privileged root session):
 * CloudTrail records it in the member account as userIdentity.type Root with
 * `sessionContext.assumedRoot` "true" and an `inScopeOf` element naming who the credentials were
 * issued to.
 */
export interface PrivilegedRootSession {
  /** inScopeOf.credentialsIssuedTo, else inScopeOf.sourceArn: the principal that called AssumeRoot; null when not recorded. */
  issuer: string | null;
  /** inScopeOf.issuerType, as recorded. */
  issuerType: string | null;
  /** inScopeOf.sourceAccount; null when not recorded. */
  issuerAccount: string | null;
}

/** The CloudTrail userIdentity elements a privileged root session is recognised by. */
export interface RootSessionIdentity {
  sessionContext?: { assumedRoot?: string | boolean | null | undefined } | null | undefined;
  inScopeOf?: {
    issuerType?: string | null | undefined;
    credentialsIssuedTo?: string | null | undefined;
    sourceArn?: string | null | undefined;
    sourceAccount?: string | null | undefined;
  } | null;
}

/**
 * The privileged root session a root identity was in, or null: one rule for the nightly
 * LookupEvents reader and the live EventBridge parser, so both recognise the same sessions.
 */
export function privilegedRootSessionOf(identity: RootSessionIdentity): PrivilegedRootSession | null {
  const scope = identity.inScopeOf;
  const assumedRoot = String(identity.sessionContext?.assumedRoot ?? '') === 'true';
  if (!assumedRoot && !scope) return null;
  return {
    issuer: scope?.credentialsIssuedTo || scope?.sourceArn || null,
    issuerType: scope?.issuerType || null,
    issuerAccount: scope?.sourceAccount || null,
  };
}

export interface RootEvent {
  eventId: string;
  eventTime: string;
  eventName: string;
  eventSource: string;
  region: string;
  sourceIpAddress: string | null;
  userAgent: string | null;
  /** additionalEventData.MFAUsed; null when not recorded. */
  mfaUsed: boolean | null;
  /** responseElements.ConsoleLogin for sign-ins, `Success`/`Failure`; errorCode present → Failure. */
  outcome: 'Success' | 'Failure' | null;
  /** The call's errorCode (AccessDenied…); null when none was recorded. */
  errorCode: string | null;
  /** Set when the call was made in a privileged root session (sts:AssumeRoot); null otherwise. */
  privilegedSession: PrivilegedRootSession | null;
}

/**
 * cloudtrail:LookupEvents filtered client-side to userIdentity.type = Root, per region.
 * LookupEvents answers for the last 90 days only: a longer window is looked up for 90 days, and
 * `lookedUpDays` < `windowDays` says the rest of the window was not read.
 */
export interface RootEvents {
  /** Start of the period looked up (the window's start, or 90 days back when the window is longer). */
  windowStart: string;
  windowEnd: string;
  /** Days looked up: the window, at most 90. */
  lookedUpDays: number;
  /** The configured window (ROOTAUDIT_ROOT_USAGE_WINDOW_DAYS). */
  windowDays: number;
  /**
   * The principal rootaudit calls sts:AssumeRoot with (its organization credentials, as
   * sts:GetCallerIdentity names them), asked only when a privileged root session was found; null
   * when not asked or unknown.
   */
  auditIssuer: string | null;
  events: RootEvent[];
}

// ── Account ───────────────────────────────────────────────────────────────────────────────────

export interface AlternateContact {
  name: string | null;
  title: string | null;
  emailAddress: string | null;
  phoneNumber: string | null;
}

/** account:GetAlternateContact for each type; null when not set (ResourceNotFoundException). */
export interface AlternateContacts {
  billing: AlternateContact | null;
  operations: AlternateContact | null;
  security: AlternateContact | null;
  /**
   * `management-account`: read with AccountId by the organization role (the management account or
   * an Account Management delegated administrator, with trusted access for account.amazonaws.com);
   * `member-account`: read inside the account with its audit role.
   */
  readVia: 'management-account' | 'member-account';
  /** The AccountId read was refused (AccessDenied), so the contacts were read inside the account. */
  organizationReadDenied?: CollectionError;
}

// ── Organization (gathered once per scan, shared by every account) ───────────────────────────

export interface OrganizationAccount {
  id: string;
  arn: string;
  name: string;
  email: string;
  /** Organizations' `State`. */
  status: AccountStatus;
  joinedAt: string | null;
  /** The root (`r-…`) or OU (`ou-…`) the account sits in. */
  parentId: string;
}

export interface OrganizationalUnit {
  id: string;
  arn: string;
  name: string;
  /** The parent OU or the root id. */
  parentId: string;
}

/**
 * Set on evidence read for some accounts only (a scan limited with `--accounts`): the organization
 * as those accounts see it. Absent: the whole organization was read.
 */
export interface OrganizationScope {
  /**
   * The accounts asked for. One of them missing from `accounts` is proven not to be in the
   * organization (AccountNotFoundException); an account not named here was not read at all.
   */
  accountIds: string[];
}

/**
 * organizations:DescribeOrganization, ListRoots, ListAccounts, the OU tree, ListAWSServiceAccessForOrganization.
 * A scoped read (`scope`) holds only the named accounts (DescribeAccount) and the OUs on their way
 * to the root (ListParents, DescribeOrganizationalUnit): never judge the whole organization from it.
 */
export interface Organization {
  id: string;
  arn: string;
  partition: string;
  featureSet: 'ALL' | 'CONSOLIDATED_BILLING';
  managementAccountId: string;
  rootId: string;
  accounts: OrganizationAccount[];
  organizationalUnits: OrganizationalUnit[];
  /** Service principals with trusted access, e.g. `account.amazonaws.com`. */
  trustedServices: string[];
  scope?: OrganizationScope;
}

export interface ServiceControlPolicy {
  id: string;
  arn: string;
  name: string;
  awsManaged: boolean;
  /** The policy document as JSON text. */
  content: string;
  /** Root, OU and account ids the policy is attached to. */
  targetIds: string[];
}

/**
 * organizations:ListPolicies (SERVICE_CONTROL_POLICY), DescribePolicy, ListTargetsForPolicy. A scoped
 * read (`scope`) holds the policies attached to the named accounts, the OUs above them and the root
 * (ListPoliciesForTarget), each with only those targets.
 */
export interface ServiceControlPolicies {
  /** Whether the SCP policy type is enabled on the root; SCPs have no effect when it is not. */
  enabledOnRoot: boolean;
  policies: ServiceControlPolicy[];
  scope?: OrganizationScope;
}

/** iam:ListOrganizationsFeatures. */
export interface OrganizationFeatures {
  rootCredentialsManagement: boolean;
  rootSessions: boolean;
  /**
   * Set when iam:ListOrganizationsFeatures refused because the features cannot be on: IAM has no
   * trusted access in the organization (ServiceAccessNotEnabled) or the organization lacks all
   * features (OrganizationNotInAllFeaturesMode). Both features are then off, and this says why.
   */
  offBecause?: { code: string; reason: string };
}

// ── The bag a check receives ─────────────────────────────────────────────────────────────────

/** Every kind of evidence, by the key checks use to ask for it. */
export interface EvidenceMap {
  // per account
  accountSummary: Collected<AccountSummary>;
  credentialReport: Collected<CredentialReport>;
  virtualMfaDevices: Collected<VirtualMfaDevices>;
  rootCredentialsAudit: Collected<RootCredentialsAudit>;
  trails: Collected<Trails>;
  alternateContacts: Collected<AlternateContacts>;
  snsTopics: Collected<SnsTopics>;
  // per account and region
  metricFilters: Regional<MetricFilters>;
  metricAlarms: Regional<MetricAlarms>;
  eventRules: Regional<EventRules>;
  guardDutyDetectors: Regional<GuardDutyDetectors>;
  rootEvents: Regional<RootEvents>;
  // per organization
  organization: Collected<Organization>;
  serviceControlPolicies: Collected<ServiceControlPolicies>;
  organizationFeatures: Collected<OrganizationFeatures>;
  organizationTrails: Collected<OrganizationTrails>;
}

export type EvidenceKey = keyof EvidenceMap;

/** Evidence keys gathered once per scan from the organization view, not per account. */
export const organizationEvidenceKeys = [
  'organization',
  'serviceControlPolicies',
  'organizationFeatures',
  'organizationTrails',
] as const satisfies readonly EvidenceKey[];

/** The subset of evidence a check declared it needs. */
export type EvidenceFor<K extends EvidenceKey> = Pick<EvidenceMap, K>;
