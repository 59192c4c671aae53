// The simulated organization. Times are ISO-8601 strings so a model round-trips through JSON;
// fixture files may write them relative to load time ("-3d", "-12h", "-30m"): see resolveModel.

/** Organizations' account `State` (the one field AWS reports since `Status` was retired). */
export type AccountStatus = 'ACTIVE' | 'PENDING_ACTIVATION' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';
export type MfaKind = 'none' | 'virtual' | 'hardware' | 'both';
export type AlternateContactType = 'BILLING' | 'OPERATIONS' | 'SECURITY';
export type OrgFeature = 'RootCredentialsManagement' | 'RootSessions';

export interface RootAccessKey {
  id: string;
  active: boolean;
  created: string;
  lastUsed?: string;
  lastUsedService?: string;
  lastUsedRegion?: string;
}

export interface RootSigningCertificate {
  id: string;
  active: boolean;
  uploaded: string;
}

export interface RootState {
  /** Root has a console password (a login profile). */
  password: boolean;
  passwordLastUsed?: string;
  mfa: MfaKind;
  /** When the MFA device(s) were enabled. */
  mfaEnabled?: string;
  accessKeys: RootAccessKey[];
  signingCertificates: RootSigningCertificate[];
}

export interface AlternateContact {
  name: string;
  title: string;
  email: string;
  phone: string;
}

export interface EventSelector {
  readWriteType: 'ReadOnly' | 'WriteOnly' | 'All';
  includeManagementEvents: boolean;
  excludeManagementEventSources?: string[];
}

export interface AdvancedFieldSelector {
  field: string;
  equals?: string[];
  notEquals?: string[];
  startsWith?: string[];
  notStartsWith?: string[];
}

export interface AdvancedEventSelector {
  name?: string;
  fieldSelectors: AdvancedFieldSelector[];
}

export interface Trail {
  name: string;
  homeRegion: string;
  multiRegion: boolean;
  /** Only meaningful in the management account: the trail shows up in every member account. */
  organizationTrail: boolean;
  logging: boolean;
  s3BucketName: string;
  includeGlobalServiceEvents: boolean;
  logFileValidation: boolean;
  /** Name of a log group in the trail's own account and home region. */
  logGroupName?: string;
  kmsKeyId?: string;
  /** Classic selectors; ignored when advancedEventSelectors is set. Default: all management events. */
  eventSelectors?: EventSelector[];
  advancedEventSelectors?: AdvancedEventSelector[];
  latestDeliveryTime?: string;
  /** Last delivery to the log group; default: 5 minutes ago while logging to one. */
  latestCloudWatchLogsDeliveryTime?: string;
  /** What GetTrailStatus reports as LatestCloudWatchLogsDeliveryError (e.g. a deleted delivery role). */
  cloudWatchLogsDeliveryError?: string;
}

export interface MetricTransformation {
  metricName: string;
  metricNamespace: string;
  metricValue: string;
}

export interface MetricFilter {
  name: string;
  pattern: string;
  transformations: MetricTransformation[];
  created?: string;
}

export interface LogGroup {
  name: string;
  region: string;
  created?: string;
  metricFilters: MetricFilter[];
}

export interface Alarm {
  name: string;
  region: string;
  metricName: string;
  namespace: string;
  statistic: 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount';
  period: number;
  evaluationPeriods: number;
  threshold: number;
  comparisonOperator:
    | 'GreaterThanOrEqualToThreshold'
    | 'GreaterThanThreshold'
    | 'LessThanThreshold'
    | 'LessThanOrEqualToThreshold';
  actionsEnabled: boolean;
  /** ARNs, usually SNS topic ARNs. */
  alarmActions: string[];
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
}

export interface Subscription {
  protocol: 'email' | 'sms' | 'https' | 'http' | 'lambda' | 'sqs' | 'firehose' | 'application';
  endpoint: string;
  /** Unconfirmed subscriptions list as PendingConfirmation. */
  confirmed: boolean;
}

export interface Topic {
  name: string;
  region: string;
  displayName?: string;
  subscriptions: Subscription[];
}

export interface RuleTarget {
  id: string;
  arn: string;
}

export interface EventRule {
  name: string;
  region: string;
  /** Default: "default". */
  eventBusName?: string;
  /** JSON text, as EventBridge stores it. */
  eventPattern?: string;
  scheduleExpression?: string;
  /** ENABLED receives no read-only management events; ENABLED_WITH_ALL_… receives them too. */
  state: 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  description?: string;
  targets: RuleTarget[];
}

export interface Detector {
  id: string;
  region: string;
  status: 'ENABLED' | 'DISABLED';
  created?: string;
}

export interface CloudTrailEventModel {
  id: string;
  time: string;
  region: string;
  name: string;
  source: string;
  /** userIdentity.type: Root, IAMUser, AssumedRole, AWSService... */
  identityType: 'Root' | 'IAMUser' | 'AssumedRole' | 'AWSService';
  /** Username as LookupEvents reports it ("root" for root). */
  username: string;
  sourceIp: string;
  userAgent: string;
  readOnly: boolean;
  accessKeyId?: string;
  /** ConsoleLogin only. */
  mfaUsed?: boolean;
  /** ConsoleLogin only. */
  outcome?: 'Success' | 'Failure';
  errorCode?: string;
  /** With errorCode: the message CloudTrail records beside it (a failed ConsoleLogin has its own). */
  errorMessage?: string;
  /** API calls: the request's parameters, as CloudTrail records them (default null). */
  requestParameters?: Record<string, unknown>;
  /** API calls: the request id the service answered with. */
  requestId?: string;
  /**
   * Root only: the call was made in a privileged root session, with sts:AssumeRoot credentials
   * issued to this principal (an ARN in the management or IAM delegated-administrator account).
   */
  assumedRootIssuer?: string;
}

export interface CredentialReportBehaviour {
  /** Time from GenerateCredentialReport to COMPLETE. Default: knobs.credentialReportDelayMs. */
  generationDelayMs?: number;
  /** The report never completes (GenerateCredentialReport keeps answering INPROGRESS). */
  stuck?: boolean;
}

/** The SummaryMap keys (botocore's summaryKeyType) that describe the root user. */
export type SummaryRootKey =
  | 'AccountMFAEnabled'
  | 'AccountAccessKeysPresent'
  | 'AccountPasswordPresent'
  | 'AccountSigningCertificatesPresent';

export interface AccountModel {
  id: string;
  name: string;
  email: string;
  status: AccountStatus;
  /** Id of the parent: the org root (r-…) or an OU (ou-…). */
  parentId: string;
  joinedMethod: 'INVITED' | 'CREATED';
  joined: string;
  /** The audit role is deployed (default true). */
  auditRole?: boolean;
  root: RootState;
  credentialReport?: CredentialReportBehaviour;
  alternateContacts: Partial<Record<AlternateContactType, AlternateContact>>;
  trails: Trail[];
  logGroups: LogGroup[];
  alarms: Alarm[];
  topics: Topic[];
  rules: EventRule[];
  detectors: Detector[];
  events: CloudTrailEventModel[];
  /** GetAccountSummary leaves these root keys out (seen on some accounts; a missing key is unknown, never 0). */
  summaryOmits?: SummaryRootKey[];
}

export interface OrganizationalUnit {
  id: string;
  name: string;
  parentId: string;
}

export interface Policy {
  id: string;
  name: string;
  description: string;
  awsManaged: boolean;
  /** The policy document, JSON text. */
  content: string;
  /** Ids of the root, OUs and accounts it is attached to. */
  targets: string[];
}

export interface OrganizationModel {
  organization: {
    id: string;
    managementAccountId: string;
    featureSet: 'ALL' | 'CONSOLIDATED_BILLING';
    rootId: string;
    /** iam:ListOrganizationsFeatures. */
    features: OrgFeature[];
    /** Service principals with trusted access, e.g. account.amazonaws.com, iam.amazonaws.com. */
    trustedAccess: string[];
    /** Accounts registered as delegated administrator for IAM (centralized root access). */
    iamDelegatedAdministrators?: string[];
    /**
     * Accounts registered as delegated administrator for Account Management (account.amazonaws.com):
     * with the management account, the only callers that may name another account in AccountId.
     */
    accountDelegatedAdministrators?: string[];
  };
  /** The role rootaudit assumes in each account. */
  auditRole: { name: string; externalId?: string };
  /** Regions where regional services answer. */
  regions: string[];
  ous: OrganizationalUnit[];
  policies: Policy[];
  accounts: AccountModel[];
}

export const ROOT_TASK_POLICY_PREFIX = 'arn:aws:iam::aws:policy/root-task/';
export const AUDIT_ROOT_TASK_POLICY = `${ROOT_TASK_POLICY_PREFIX}IAMAuditRootUserCredentials`;

/** What the IAMAuditRootUserCredentials task policy lets a root session call. */
export const AUDIT_ROOT_ALLOWED_ACTIONS: readonly string[] = [
  'GetAccessKeyLastUsed',
  'GetAccountSummary',
  'GetLoginProfile',
  'GetUser',
  'ListAccessKeys',
  'ListMFADevices',
  'ListSigningCertificates',
  'ListVirtualMFADevices',
];

/** Indexed view of a model, for constant-time lookups while serving. */
export interface ModelIndex {
  model: OrganizationModel;
  accounts: Map<string, AccountModel>;
  ous: Map<string, OrganizationalUnit>;
  policies: Map<string, Policy>;
  /** Children ids (OUs and accounts) per parent id, in model order. */
  childOus: Map<string, OrganizationalUnit[]>;
  childAccounts: Map<string, AccountModel[]>;
  /** Policies attached to each target id (root, OU or account). */
  policiesByTarget: Map<string, Policy[]>;
}

export function indexModel(model: OrganizationModel): ModelIndex {
  const accounts = new Map<string, AccountModel>();
  const childAccounts = new Map<string, AccountModel[]>();
  for (const account of model.accounts) {
    accounts.set(account.id, account);
    const siblings = childAccounts.get(account.parentId);
    if (siblings) siblings.push(account);
    else childAccounts.set(account.parentId, [account]);
  }
  const ous = new Map<string, OrganizationalUnit>();
  const childOus = new Map<string, OrganizationalUnit[]>();
  for (const ou of model.ous) {
    ous.set(ou.id, ou);
    const siblings = childOus.get(ou.parentId);
    if (siblings) siblings.push(ou);
    else childOus.set(ou.parentId, [ou]);
  }
  const policies = new Map(model.policies.map((p) => [p.id, p]));
  const policiesByTarget = new Map<string, Policy[]>();
  for (const policy of model.policies) {
    for (const target of policy.targets) {
      const attached = policiesByTarget.get(target);
      if (attached) attached.push(policy);
      else policiesByTarget.set(target, [policy]);
    }
  }
  return { model, accounts, ous, policies, childOus, childAccounts, policiesByTarget };
}

const RELATIVE = /^-(\d+(?:\.\d+)?)([dhms])$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;

/** Turns a relative time ("-3d") into ISO-8601; leaves absolute times alone. */
export function resolveTime(value: string, now: number): string {
  const match = RELATIVE.exec(value);
  if (!match) return value;
  const unit = match[2] as keyof typeof UNIT_MS;
  return new Date(now - Number(match[1]) * UNIT_MS[unit]).toISOString();
}

const TIME_KEYS = new Set([
  'joined',
  'passwordLastUsed',
  'mfaEnabled',
  'created',
  'lastUsed',
  'uploaded',
  'latestDeliveryTime',
  'latestCloudWatchLogsDeliveryTime',
  'time',
]);

/**
 * Fills defaults and resolves relative times, in place. Accepts a partially written model
 * (fixture files leave out empty lists).
 */
export function resolveModel(raw: unknown, now = Date.now()): OrganizationModel {
  const model = raw as OrganizationModel;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      for (const [key, value] of Object.entries(record)) {
        if (typeof value === 'string' && TIME_KEYS.has(key)) record[key] = resolveTime(value, now);
        else if (typeof value === 'object') walk(value);
      }
    }
  };
  walk(model);
  model.ous ??= [];
  model.policies ??= [];
  model.regions ??= ['us-east-1'];
  model.organization.features ??= [];
  model.organization.trustedAccess ??= [];
  for (const account of model.accounts) {
    account.root ??= { password: false, mfa: 'none', accessKeys: [], signingCertificates: [] };
    account.root.accessKeys ??= [];
    account.root.signingCertificates ??= [];
    account.alternateContacts ??= {};
    account.trails ??= [];
    account.logGroups ??= [];
    for (const group of account.logGroups) group.metricFilters ??= [];
    account.alarms ??= [];
    account.topics ??= [];
    for (const topic of account.topics) topic.subscriptions ??= [];
    account.rules ??= [];
    for (const rule of account.rules) rule.targets ??= [];
    account.detectors ??= [];
    account.events ??= [];
    account.joinedMethod ??= 'CREATED';
    account.joined ??= new Date(now - 400 * 86_400_000).toISOString();
  }
  return model;
}

/**
 * Checks that references in a model resolve (parents, policy targets, the management account,
 * unique ids). Throws one error naming every problem found.
 */
export function validateModel(model: OrganizationModel): void {
  const problems: string[] = [];
  const org = model.organization;
  const accountIds = new Set<string>();
  for (const account of model.accounts) {
    if (!/^\d{12}$/.test(account.id)) problems.push(`account id ${account.id} is not 12 digits`);
    if (accountIds.has(account.id)) problems.push(`account id ${account.id} appears twice`);
    accountIds.add(account.id);
  }
  const ouIds = new Set(model.ous.map((ou) => ou.id));
  const parents = new Set([org.rootId, ...ouIds]);
  if (!accountIds.has(org.managementAccountId)) {
    problems.push(`management account ${org.managementAccountId} is not among the accounts`);
  }
  for (const ou of model.ous) {
    if (!parents.has(ou.parentId)) problems.push(`OU ${ou.id} has unknown parent ${ou.parentId}`);
  }
  for (const account of model.accounts) {
    if (!parents.has(account.parentId))
      problems.push(`account ${account.id} has unknown parent ${account.parentId}`);
  }
  for (const policy of model.policies) {
    for (const target of policy.targets) {
      if (!parents.has(target) && !accountIds.has(target)) {
        problems.push(`policy ${policy.id} targets unknown ${target}`);
      }
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).join('; ');
    throw new Error(
      `invalid organization model: ${shown}${problems.length > 20 ? ` (and ${problems.length - 20} more)` : ''}`,
    );
  }
}
