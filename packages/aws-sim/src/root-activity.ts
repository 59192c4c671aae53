/**
 * Root activity as it happens in the simulated organization: root sign-ins (with and without MFA,
 * failed), calls signed with a root access key (succeeded, or denied by an SCP), and calls in
 * privileged root sessions (an administrator's, and rootaudit's own audit), each as a model event
 * (what LookupEvents serves) and as the EventBridge envelope AWS delivers for it (to an SQS queue, or
 * to an API destination). The envelope's detail is the record LookupEvents serves for the same
 * event (`cloudTrailRecord`), so the live and the nightly path see one event with one eventID.
 *
 * Deterministic for a seed and a clock. Accounts are chosen by what their root user can do: a
 * sign-in needs a password (its MFA as the model says), a key call an active root key, a privileged
 * session a member account in an organization with centralized root access.
 */
import type { AccountModel, CloudTrailEventModel, OrganizationModel } from './model.ts';
import { cloudTrailRecord, recordedRegion } from './services/cloudtrail.ts';

export type RootActivityScenario =
  | 'sign-in-with-mfa'
  | 'sign-in-without-mfa'
  | 'sign-in-failed'
  | 'access-key-call'
  | 'access-key-call-denied'
  | 'privileged-session-admin'
  | 'privileged-session-rootaudit';

export const ROOT_ACTIVITY_SCENARIOS: readonly RootActivityScenario[] = [
  'sign-in-with-mfa',
  'sign-in-without-mfa',
  'sign-in-failed',
  'access-key-call',
  'access-key-call-denied',
  'privileged-session-admin',
  'privileged-session-rootaudit',
];

/** An EventBridge event carrying a CloudTrail record, as EventBridge delivers it. */
export interface EventBridgeEnvelope {
  version: '0';
  id: string;
  'detail-type': 'AWS API Call via CloudTrail' | 'AWS Console Sign In via CloudTrail';
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface SimulatedRootEvent {
  scenario: RootActivityScenario;
  accountId: string;
  /** The event as the model holds it (what LookupEvents answers from). */
  event: CloudTrailEventModel;
  envelope: EventBridgeEnvelope;
}

export interface RootActivityOptions {
  seed: number;
  /** The clock events are stamped with. Default Date.now; give a fixed one for repeatable output. */
  clock?: () => number;
  /** Scenarios to draw from (default all), each only where some account can act it out. */
  scenarios?: readonly RootActivityScenario[];
  /**
   * Whom rootaudit's own AssumeRoot sessions are issued to (what sts:GetCallerIdentity answers for
   * its organization credentials). Default: the simulator's base-credentials user of the
   * management account, arn:aws:iam::<management>:user/rootaudit.
   */
  auditIssuer?: string;
  /** Someone else's privileged session. Default: an SSO administrator of the management account. */
  adminIssuer?: string;
}

/** mulberry32, as the generator uses. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = '0123456789abcdef';

/** A version-4 UUID drawn from the seeded generator, as CloudTrail's eventIDs are. */
function uuid(rand: () => number): string {
  let out = '';
  for (let i = 0; i < 32; i++) {
    let digit = Math.floor(rand() * 16);
    if (i === 12) digit = 4;
    if (i === 16) digit = 8 + (digit & 3);
    out += HEX[digit];
    if (i === 7 || i === 11 || i === 15 || i === 19) out += '-';
  }
  return out;
}

function oneOf<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:132.0) Gecko/20100101 Firefox/132.0',
];
const CLIS = [
  'aws-cli/2.22.0 md/awscrt#0.22.0 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe command/',
  'aws-cli/2.21.3 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source command/',
  'Boto3/1.35.60 md/Botocore#1.35.60 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.60',
  'aws-sdk-go-v2/1.32.4 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/s3#1.66.3',
];
const ROOTAUDIT_AGENT = 'aws-sdk-js/3.1173.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#24.22.3 api/iam#3.1169.0';

/** Documentation address ranges: realistic-looking, never anyone's. */
const NETWORKS = ['192.0.2', '198.51.100', '203.0.113'];

interface KeyCall {
  source: string;
  name: string;
  readOnly: boolean;
  requestParameters: Record<string, unknown> | null;
}

const KEY_CALLS: readonly KeyCall[] = [
  { source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true, requestParameters: null },
  { source: 'ec2.amazonaws.com', name: 'DescribeInstances', readOnly: true, requestParameters: null },
  {
    source: 'iam.amazonaws.com',
    name: 'CreateUser',
    readOnly: false,
    requestParameters: { userName: 'ops-break-glass' },
  },
  { source: 'iam.amazonaws.com', name: 'CreateAccessKey', readOnly: false, requestParameters: null },
  { source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true, requestParameters: null },
];

/** Calls an SCP that denies the root user refuses. */
const DENIED_CALLS: readonly KeyCall[] = [
  {
    source: 'cloudtrail.amazonaws.com',
    name: 'StopLogging',
    readOnly: false,
    requestParameters: { name: 'organization-trail' },
  },
  {
    source: 'cloudtrail.amazonaws.com',
    name: 'DeleteTrail',
    readOnly: false,
    requestParameters: { name: 'organization-trail' },
  },
  {
    source: 'iam.amazonaws.com',
    name: 'DeleteRolePolicy',
    readOnly: false,
    requestParameters: { roleName: 'RootAuditRole', policyName: 'rootaudit-read-only' },
  },
  {
    source: 's3.amazonaws.com',
    name: 'PutBucketPolicy',
    readOnly: false,
    requestParameters: { bucketName: 'org-cloudtrail-logs' },
  },
];

/** What an administrator's privileged session does: the root-only tasks AssumeRoot is for. */
const ADMIN_TASKS: readonly KeyCall[] = [
  {
    source: 's3.amazonaws.com',
    name: 'DeleteBucketPolicy',
    readOnly: false,
    requestParameters: { bucketName: 'amzn-s3-demo-bucket' },
  },
  {
    source: 'sqs.amazonaws.com',
    name: 'SetQueueAttributes',
    readOnly: false,
    requestParameters: { attributes: { Policy: '' } },
  },
  { source: 'iam.amazonaws.com', name: 'DeleteLoginProfile', readOnly: false, requestParameters: null },
];

/** rootaudit's root-credentials audit: the reads the IAMAuditRootUserCredentials session makes. */
const AUDIT_READS = ['GetLoginProfile', 'ListAccessKeys', 'ListMFADevices', 'ListSigningCertificates'];

const SIGN_IN_DETAIL_TYPE = 'AWS Console Sign In via CloudTrail';
const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The EventBridge envelope of a model event in an account. */
export function eventBridgeEnvelope(
  account: AccountModel,
  event: CloudTrailEventModel,
  id: string,
): EventBridgeEnvelope {
  const record = cloudTrailRecord(account, event);
  return {
    version: '0',
    id,
    'detail-type': event.name === 'ConsoleLogin' ? SIGN_IN_DETAIL_TYPE : API_CALL_DETAIL_TYPE,
    source: `aws.${event.source.split('.')[0]}`,
    account: account.id,
    time: String(record.eventTime),
    // EventBridge delivers the event in the Region CloudTrail recorded it in.
    region: recordedRegion(event),
    resources: [],
    detail: record,
  };
}

function isActive(account: AccountModel): boolean {
  return account.status === 'ACTIVE';
}

/** The accounts able to act out each scenario. */
function candidates(model: OrganizationModel): Record<RootActivityScenario, AccountModel[]> {
  const active = model.accounts.filter(isActive);
  const management = model.organization.managementAccountId;
  const members = active.filter((account) => account.id !== management);
  const features = model.organization.features;
  return {
    'sign-in-with-mfa': active.filter((a) => a.root.password && a.root.mfa !== 'none'),
    'sign-in-without-mfa': active.filter((a) => a.root.password && a.root.mfa === 'none'),
    // Anyone can mistype a root password, with or without one set.
    'sign-in-failed': active,
    'access-key-call': active.filter((a) => a.root.accessKeys.some((key) => key.active)),
    'access-key-call-denied': active.filter((a) => a.root.accessKeys.some((key) => key.active)),
    'privileged-session-admin': features.includes('RootSessions') ? members : [],
    'privileged-session-rootaudit': features.includes('RootCredentialsManagement') ? members : [],
  };
}

/**
 * An endless, seeded stream of root events in the organization's accounts; call it for the next.
 * Throws when no scenario asked for can happen in this organization.
 */
export function rootActivity(
  model: OrganizationModel,
  options: RootActivityOptions,
): () => SimulatedRootEvent {
  const rand = prng(options.seed);
  const clock = options.clock ?? Date.now;
  const management = model.organization.managementAccountId;
  const auditIssuer = options.auditIssuer ?? `arn:aws:iam::${management}:user/rootaudit`;
  const adminIssuer =
    options.adminIssuer ??
    `arn:aws:sts::${management}:assumed-role/AWSReservedSSO_AdministratorAccess_4f2c9e1a7b3d5e60/admin@example.com`;
  const able = candidates(model);
  const scenarios = (options.scenarios ?? ROOT_ACTIVITY_SCENARIOS).filter((s) => able[s].length > 0);
  if (scenarios.length === 0) {
    throw new Error(
      `no root activity can happen in ${model.organization.id}: none of ${(options.scenarios ?? ROOT_ACTIVITY_SCENARIOS).join(', ')} fits an active account`,
    );
  }
  // Each account signs in from a home address most of the time.
  const homes = new Map<string, string>();
  const address = (accountId: string) => {
    let home = homes.get(accountId);
    if (!home) {
      home = `${oneOf(rand, NETWORKS)}.${1 + Math.floor(rand() * 254)}`;
      homes.set(accountId, home);
    }
    return rand() < 0.8 ? home : `${oneOf(rand, NETWORKS)}.${1 + Math.floor(rand() * 254)}`;
  };
  const sessionKey = () => {
    let key = 'ASIA';
    for (let i = 0; i < 16; i++) key += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[Math.floor(rand() * 32)];
    return key;
  };

  return () => {
    const scenario = oneOf(rand, scenarios);
    const account = oneOf(rand, able[scenario]);
    const time = iso(clock());
    const region = () => oneOf(rand, model.regions.length > 0 ? model.regions : ['us-east-1']);
    const base = { id: uuid(rand), time, identityType: 'Root' as const, username: 'root' };
    let event: CloudTrailEventModel;
    switch (scenario) {
      case 'sign-in-with-mfa':
      case 'sign-in-without-mfa':
      case 'sign-in-failed':
        event = {
          ...base,
          // Root sign-ins are recorded in us-east-1.
          region: 'us-east-1',
          name: 'ConsoleLogin',
          source: 'signin.amazonaws.com',
          sourceIp: address(account.id),
          userAgent: oneOf(rand, BROWSERS),
          readOnly: false,
          mfaUsed: scenario === 'sign-in-with-mfa',
          outcome: scenario === 'sign-in-failed' ? 'Failure' : 'Success',
        };
        break;
      case 'access-key-call':
      case 'access-key-call-denied': {
        const denied = scenario === 'access-key-call-denied';
        const call = oneOf(rand, denied ? DENIED_CALLS : KEY_CALLS);
        const key = oneOf(
          rand,
          account.root.accessKeys.filter((k) => k.active),
        );
        const service = call.source.split('.')[0];
        event = {
          ...base,
          region: region(),
          name: call.name,
          source: call.source,
          sourceIp: address(account.id),
          userAgent: oneOf(rand, CLIS),
          readOnly: call.readOnly,
          accessKeyId: key.id,
          requestId: uuid(rand),
          ...(call.requestParameters ? { requestParameters: call.requestParameters } : {}),
          ...(denied
            ? {
                errorCode: 'AccessDenied',
                errorMessage: `User: arn:aws:iam::${account.id}:root is not authorized to perform: ${service}:${call.name} with an explicit deny in a service control policy`,
              }
            : {}),
        };
        break;
      }
      case 'privileged-session-admin': {
        const task = oneOf(rand, ADMIN_TASKS);
        event = {
          ...base,
          region: region(),
          name: task.name,
          source: task.source,
          sourceIp: address(management),
          userAgent: oneOf(rand, CLIS),
          readOnly: false,
          accessKeyId: sessionKey(),
          requestId: uuid(rand),
          ...(task.requestParameters ? { requestParameters: task.requestParameters } : {}),
          assumedRootIssuer: adminIssuer,
        };
        break;
      }
      case 'privileged-session-rootaudit':
        event = {
          ...base,
          region: region(),
          name: oneOf(rand, AUDIT_READS),
          source: 'iam.amazonaws.com',
          sourceIp: address(management),
          userAgent: ROOTAUDIT_AGENT,
          readOnly: true,
          accessKeyId: sessionKey(),
          requestId: uuid(rand),
          assumedRootIssuer: auditIssuer,
        };
        break;
    }
    return {
      scenario,
      accountId: account.id,
      event,
      envelope: eventBridgeEnvelope(account, event, uuid(rand)),
    };
  };
}

/** `count` events of the stream. */
export function simulateRootActivity(
  model: OrganizationModel,
  options: RootActivityOptions & { count: number },
): SimulatedRootEvent[] {
  const next = rootActivity(model, options);
  return Array.from({ length: options.count }, next);
}

/**
 * Puts the event in its account's event history, so that LookupEvents (the nightly scan) finds the
 * event that was delivered live, with the same eventID. Edit a served model only this way or
 * between requests: the simulator reads `sim.model` as it stands.
 */
export function recordInEventHistory(model: OrganizationModel, simulated: SimulatedRootEvent): void {
  const account = model.accounts.find((a) => a.id === simulated.accountId);
  if (!account) throw new Error(`account ${simulated.accountId} is not in the model`);
  if (!account.events.some((event) => event.id === simulated.event.id)) account.events.push(simulated.event);
}
