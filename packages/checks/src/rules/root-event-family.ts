/**
 * The CloudTrail records both rule engines are judged against: every form root activity takes, and
 * the ordinary activity of IAM users and assumed roles that a root alert must stay quiet on.
 *
 * A pattern is judged by example, so the examples vary every field a pattern can constrain: a
 * pattern that happens to match a handful of samples (one source IP, MFA on, a console session's
 * ASIA key, a write call, a success, one region) must meet the values it did not expect. Root
 * activity here: console sign-ins (success and failure, with and without MFA) and API calls (long-
 * term AKIA keys and ASIA session keys with and without MFA, read and write, success and error,
 * across services), from IPv4 and IPv6 addresses, browsers, CLIs, SDKs and the console. Records are
 * shaped as CloudTrail writes them (the CloudWatch Logs event body and EventBridge's `detail`).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Where the records happen: a filter or rule may legitimately constrain its own account or region. */
export interface FamilyScope {
  accountId: string;
  region: string;
  partition: string;
}

export const DEFAULT_FAMILY_SCOPE: FamilyScope = {
  accountId: '111122223333',
  region: 'us-east-1',
  partition: 'aws',
};

export interface RootActivityFamily {
  /** Root console sign-ins (eventType AwsConsoleSignIn). */
  signIns: JsonObject[];
  /** Root API calls that change something (readOnly false). */
  writeCalls: JsonObject[];
  /** Root API calls that only read (readOnly true). */
  readCalls: JsonObject[];
}

export interface OrdinaryActivity {
  signIns: JsonObject[];
  writeCalls: JsonObject[];
  readCalls: JsonObject[];
}

const SOURCE_IPS = [
  '198.51.100.7',
  '203.0.113.250',
  '192.0.2.44',
  '2001:db8:85a3::8a2e:370:7334',
  'AWS Internal',
];
const BROWSERS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
];
const PROGRAMMATIC_AGENTS = [
  'aws-cli/2.22.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.12.6',
  'Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/macos#23.6.0 lang/python#3.12.4',
  'aws-sdk-js/3.700.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.18.0',
  'AWS Internal',
  'console.amazonaws.com',
];

/** Services root calls land in, with a write and a read action each. */
const SERVICES: { service: string; write: string; read: string }[] = [
  { service: 'iam', write: 'CreateAccessKey', read: 'ListUsers' },
  { service: 'ec2', write: 'RunInstances', read: 'DescribeInstances' },
  { service: 's3', write: 'PutBucketPolicy', read: 'ListBuckets' },
  { service: 'kms', write: 'ScheduleKeyDeletion', read: 'ListKeys' },
  { service: 'cloudtrail', write: 'StopLogging', read: 'DescribeTrails' },
  { service: 'organizations', write: 'LeaveOrganization', read: 'DescribeOrganization' },
  { service: 'sts', write: 'GetSessionToken', read: 'GetCallerIdentity' },
];

type Credential = 'long-term-key' | 'session-with-mfa' | 'session-without-mfa';
const CREDENTIALS: Credential[] = ['long-term-key', 'session-with-mfa', 'session-without-mfa'];

const TIME = '2026-11-01T10:05:00Z';

function rootIdentity(scope: FamilyScope, credential: Credential | 'sign-in', index: number): JsonObject {
  const base: JsonObject = {
    type: 'Root',
    principalId: scope.accountId,
    arn: `arn:${scope.partition}:iam::${scope.accountId}:root`,
    accountId: scope.accountId,
  };
  if (credential === 'sign-in') return { ...base, accessKeyId: '' };
  if (credential === 'long-term-key') return { ...base, accessKeyId: `AKIAROOTEXAMPLE${index}` };
  return {
    ...base,
    accessKeyId: `ASIAROOTEXAMPLE${index}`,
    sessionContext: {
      attributes: {
        creationDate: '2026-11-01T10:00:00Z',
        mfaAuthenticated: credential === 'session-with-mfa' ? 'true' : 'false',
      },
    },
  };
}

function signInRecord(
  scope: FamilyScope,
  identity: JsonObject,
  options: { success: boolean; mfa: boolean; index: number },
): JsonObject {
  const record: JsonObject = {
    eventVersion: '1.08',
    userIdentity: identity,
    eventTime: TIME,
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: scope.region,
    sourceIPAddress: SOURCE_IPS[options.index % (SOURCE_IPS.length - 1)]!,
    userAgent: BROWSERS[options.index % BROWSERS.length]!,
    requestParameters: null,
    responseElements: { ConsoleLogin: options.success ? 'Success' : 'Failure' },
    additionalEventData: {
      LoginTo: 'https://console.aws.amazon.com/console/home',
      MobileVersion: 'No',
      MFAUsed: options.mfa ? 'Yes' : 'No',
    },
    eventID: `signin-${options.index}`,
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: scope.accountId,
    eventCategory: 'Management',
  };
  if (!options.success) record.errorMessage = 'Failed authentication';
  return record;
}

function apiCallRecord(
  scope: FamilyScope,
  identity: JsonObject,
  options: { service: string; eventName: string; readOnly: boolean; error: boolean; index: number },
): JsonObject {
  const record: JsonObject = {
    eventVersion: '1.09',
    userIdentity: identity,
    eventTime: TIME,
    eventSource: `${options.service}.amazonaws.com`,
    eventName: options.eventName,
    awsRegion: scope.region,
    sourceIPAddress: SOURCE_IPS[options.index % SOURCE_IPS.length]!,
    // Shifted so that source IP and user agent do not always travel together.
    userAgent:
      PROGRAMMATIC_AGENTS[
        (options.index + Math.floor(options.index / SOURCE_IPS.length)) % PROGRAMMATIC_AGENTS.length
      ]!,
    requestParameters: {},
    responseElements: null,
    requestID: `request-${options.index}`,
    eventID: `${options.service}-${options.index}`,
    readOnly: options.readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: scope.accountId,
    eventCategory: 'Management',
  };
  if (options.error) {
    record.errorCode = 'AccessDenied';
    record.errorMessage = 'Access Denied';
    record.responseElements = null;
  }
  return record;
}

/** Every API-call variant: each service × credential × success/error, for reads or writes. */
function apiCalls(
  scope: FamilyScope,
  readOnly: boolean,
  identityOf: (credential: Credential, index: number) => JsonObject,
): JsonObject[] {
  const records: JsonObject[] = [];
  let index = readOnly ? 1 : 0;
  for (const { service, write, read } of SERVICES) {
    for (const credential of CREDENTIALS) {
      for (const error of [false, true]) {
        records.push(
          apiCallRecord(scope, identityOf(credential, index), {
            service,
            eventName: readOnly ? read : write,
            readOnly,
            error,
            index,
          }),
        );
        index++;
      }
    }
  }
  return records;
}

/** Every form root activity takes, in one account and region. */
export function rootActivityFamily(scope: FamilyScope = DEFAULT_FAMILY_SCOPE): RootActivityFamily {
  const signIns: JsonObject[] = [];
  let index = 0;
  for (const success of [true, false]) {
    for (const mfa of [true, false]) {
      for (let variant = 0; variant < 2; variant++) {
        signIns.push(signInRecord(scope, rootIdentity(scope, 'sign-in', index), { success, mfa, index }));
        index++;
      }
    }
  }
  const identityOf = (credential: Credential, i: number) => rootIdentity(scope, credential, i);
  return {
    signIns,
    writeCalls: apiCalls(scope, false, identityOf),
    readCalls: apiCalls(scope, true, identityOf),
  };
}

function iamUserIdentity(scope: FamilyScope, index: number): JsonObject {
  return {
    type: 'IAMUser',
    principalId: `AIDAEXAMPLEUSER${index}`,
    arn: `arn:${scope.partition}:iam::${scope.accountId}:user/alice`,
    accountId: scope.accountId,
    accessKeyId: `AKIAUSEREXAMPLE${index}`,
    userName: 'alice',
  };
}

function assumedRoleIdentity(scope: FamilyScope, index: number, mfa: boolean): JsonObject {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEROLE:deploy-${index}`,
    arn: `arn:${scope.partition}:sts::${scope.accountId}:assumed-role/deploy/deploy-${index}`,
    accountId: scope.accountId,
    accessKeyId: `ASIAROLEEXAMPLE${index}`,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEROLE',
        arn: `arn:${scope.partition}:iam::${scope.accountId}:role/deploy`,
        accountId: scope.accountId,
        userName: 'deploy',
      },
      attributes: { creationDate: '2026-11-01T10:00:00Z', mfaAuthenticated: mfa ? 'true' : 'false' },
    },
  };
}

/** Everyday activity of IAM users and assumed roles: a root alert that fires on it fires on everything. */
export function ordinaryActivity(scope: FamilyScope = DEFAULT_FAMILY_SCOPE): OrdinaryActivity {
  const signIns = [
    signInRecord(
      scope,
      { ...iamUserIdentity(scope, 0), accessKeyId: '' },
      { success: true, mfa: true, index: 0 },
    ),
    signInRecord(
      scope,
      { ...iamUserIdentity(scope, 1), accessKeyId: '' },
      { success: false, mfa: false, index: 1 },
    ),
    signInRecord(scope, assumedRoleIdentity(scope, 2, true), { success: true, mfa: true, index: 2 }),
  ];
  const identityOf = (credential: Credential, index: number) =>
    credential === 'long-term-key'
      ? iamUserIdentity(scope, index)
      : assumedRoleIdentity(scope, index, credential === 'session-with-mfa');
  return {
    signIns,
    writeCalls: apiCalls(scope, false, identityOf),
    readCalls: apiCalls(scope, true, identityOf),
  };
}

/** EventBridge's `detail-type` for a CloudTrail record. */
function detailTypeOf(record: JsonObject): string {
  return record.eventType === 'AwsConsoleSignIn'
    ? 'AWS Console Sign In via CloudTrail'
    : 'AWS API Call via CloudTrail';
}

/** A CloudTrail record as EventBridge delivers it on the default bus of the record's region. */
export function asEventBridgeEvent(record: JsonObject, scope: FamilyScope): JsonObject {
  const eventSource = String(record.eventSource);
  return {
    version: '0',
    id: `eb-${String(record.eventID)}`,
    'detail-type': detailTypeOf(record),
    source: `aws.${eventSource.split('.')[0]}`,
    account: scope.accountId,
    time: String(record.eventTime),
    region: scope.region,
    resources: [],
    detail: record,
  };
}

/** One root record in words, to name a form of root activity a pattern or filter misses. */
export function describeRootRecord(record: JsonObject): string {
  const identity = (record.userIdentity ?? {}) as JsonObject;
  const from = `from ${String(record.sourceIPAddress)}`;
  if (record.eventType === 'AwsConsoleSignIn') {
    const response = (record.responseElements ?? {}) as JsonObject;
    const extra = (record.additionalEventData ?? {}) as JsonObject;
    const outcome = response.ConsoleLogin === 'Success' ? 'successful' : 'failed';
    return `a ${outcome} console sign-in ${extra.MFAUsed === 'Yes' ? 'with' : 'without'} MFA ${from}`;
  }
  const session = ((identity.sessionContext ?? {}) as JsonObject).attributes as JsonObject | undefined;
  const key = String(identity.accessKeyId).startsWith('AKIA')
    ? 'a long-term access key'
    : `a session key ${session?.mfaAuthenticated === 'true' ? 'with' : 'without'} MFA`;
  const outcome = record.errorCode ? `failing with ${String(record.errorCode)}` : 'succeeding';
  return `a ${record.readOnly ? 'read-only' : 'write'} call (${String(record.eventName)}) ${outcome}, made with ${key} ${from} by ${String(record.userAgent)}`;
}
