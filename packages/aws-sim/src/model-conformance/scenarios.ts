/**
 * The calls the model-conformance test makes through boto3 against the sample organization
 * (fixtures/sample-org.json): for every simulated operation at least one that succeeds, and the
 * errors the operation can answer there. `expect` is the error code AWS answers (null: success);
 * that the answer's shape, code and status agree with AWS's model is checked by the script.
 */
import type { Knobs } from '../knobs.ts';

export type Principal = 'base' | { role: string } | { root: string };

export interface Call {
  id: string;
  /** botocore's name of the service (`cloudwatch`, not the signing name `monitoring`). */
  service: string;
  operation: string;
  params?: Record<string, unknown>;
  principal?: Principal;
  region?: string;
  waitMs?: number;
  /** A protocol the model lists other than the one boto3 picks (CloudWatch: awsQuery). */
  protocol?: string;
  expect: string | null;
  /** Findings AWS itself shows (it departs from its model there), each with the reason. */
  deviations?: RegExp[];
}

export interface Phase {
  name: string;
  knobs: Knobs;
  calls: Call[];
}

const MANAGEMENT = '111111111111';
/** Its credential report stays in progress (a knob), so "not ready" answers do not race a clock. */
const STUCK_REPORT = '333333333333';
const role = (account: string) => ({ role: account });
const root = (account: string) => ({ root: account });
const ORG_TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/organization-trail`;
const CIS_TOPIC = `arn:aws:sns:us-east-1:${MANAGEMENT}:cis-alarms`;
const NINETY_DAYS_AGO = () => new Date(Date.now() - 90 * 86_400_000).toISOString();

type Scenario = Omit<Call, 'service' | 'operation' | 'id'> & { name: string };

/**
 * IAM names no root user: answers about root carry no UserName or Path (a root GetUser is UserId,
 * Arn, CreateDate and PasswordLastUsed), though the model marks them required.
 */
const ROOT_IS_UNNAMED =
  /\.(UserName|Path): required by (User|MFADevice|SigningCertificate|LoginProfile) but missing$/;

/** `service:Operation` (botocore service names) → its scenarios, in the order they run. */
export const SCENARIOS: [string, Scenario[]][] = [
  [
    'sts:GetCallerIdentity',
    [
      { name: 'base credentials', expect: null },
      { name: 'audit role session', principal: role('555555555555'), expect: null },
    ],
  ],
  [
    'sts:AssumeRole',
    [
      {
        name: 'audit role',
        params: {
          RoleArn: 'arn:aws:iam::444444444444:role/RootAuditRole',
          RoleSessionName: 'conformance',
          ExternalId: 'rootaudit-sample-external-id',
        },
        expect: null,
      },
      {
        name: 'wrong ExternalId',
        params: {
          RoleArn: 'arn:aws:iam::444444444444:role/RootAuditRole',
          RoleSessionName: 'conformance',
          ExternalId: 'wrong',
        },
        expect: 'AccessDenied',
      },
      {
        name: 'role not deployed',
        params: {
          RoleArn: 'arn:aws:iam::101010101010:role/RootAuditRole',
          RoleSessionName: 'conformance',
          ExternalId: 'rootaudit-sample-external-id',
        },
        expect: 'AccessDenied',
      },
    ],
  ],
  [
    'sts:AssumeRoot',
    [
      {
        name: 'audit task policy',
        params: {
          TargetPrincipal: '666666666666',
          TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials' },
          DurationSeconds: 900,
        },
        expect: null,
      },
      {
        name: 'from a member account',
        principal: role('555555555555'),
        params: {
          TargetPrincipal: '666666666666',
          TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials' },
        },
        expect: 'AccessDenied',
      },
      {
        name: 'into the management account',
        params: {
          TargetPrincipal: MANAGEMENT,
          TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials' },
        },
        expect: 'AccessDenied',
      },
    ],
  ],

  [
    'iam:GetAccountSummary',
    [
      { name: 'access key and no MFA', principal: role('555555555555'), expect: null },
      { name: 'summary without AccountPasswordPresent', principal: role('888888888888'), expect: null },
      { name: 'root session', principal: root('555555555555'), expect: null },
    ],
  ],
  [
    'iam:GetCredentialReport',
    [{ name: 'never generated', principal: role('444444444444'), expect: 'ReportNotPresent' }],
  ],
  [
    'iam:GenerateCredentialReport',
    [
      { name: 'first request', principal: role('444444444444'), expect: null },
      { name: 'stuck: first request', principal: role(STUCK_REPORT), expect: null },
      { name: 'stuck: while generating', principal: role(STUCK_REPORT), expect: null },
      { name: 'generated', principal: role('444444444444'), waitMs: 200, expect: null },
    ],
  ],
  [
    'iam:GetCredentialReport',
    [
      { name: 'while generating', principal: role(STUCK_REPORT), expect: 'ReportInProgress' },
      { name: 'ready', principal: role('444444444444'), expect: null },
      { name: 'from a root session', principal: root('555555555555'), expect: 'AccessDenied' },
    ],
  ],
  [
    'iam:ListVirtualMFADevices',
    [
      {
        name: 'root has a virtual device',
        principal: role('444444444444'),
        expect: null,
        deviations: [ROOT_IS_UNNAMED],
      },
      {
        name: 'none',
        principal: role('555555555555'),
        params: { AssignmentStatus: 'Assigned' },
        expect: null,
      },
    ],
  ],
  [
    'iam:ListOrganizationsFeatures',
    [
      { name: 'management account', expect: null },
      {
        name: 'member account',
        principal: role('555555555555'),
        expect: 'AccountNotManagementOrDelegatedAdministratorException',
      },
    ],
  ],
  [
    'iam:GetLoginProfile',
    [
      {
        name: 'root with a password',
        principal: root('555555555555'),
        expect: null,
        deviations: [ROOT_IS_UNNAMED],
      },
      { name: 'root without a password', principal: root('222222222222'), expect: 'NoSuchEntity' },
      { name: 'role session without UserName', principal: role('555555555555'), expect: 'ValidationError' },
    ],
  ],
  [
    'iam:GetUser',
    [
      { name: 'root session', principal: root('555555555555'), expect: null, deviations: [ROOT_IS_UNNAMED] },
      { name: 'base credentials', expect: null },
    ],
  ],
  [
    'iam:ListAccessKeys',
    [
      { name: 'root with keys', principal: root('555555555555'), expect: null },
      { name: 'root without keys', principal: root('222222222222'), expect: null },
      { name: 'a truncated page', principal: root('555555555555'), params: { MaxItems: 1 }, expect: null },
    ],
  ],
  [
    'iam:ListMFADevices',
    [
      {
        name: 'root with virtual and hardware',
        principal: root('666666666666'),
        expect: null,
        deviations: [ROOT_IS_UNNAMED],
      },
    ],
  ],
  [
    'iam:ListSigningCertificates',
    [
      {
        name: 'root with a certificate',
        principal: root('888888888888'),
        expect: null,
        deviations: [ROOT_IS_UNNAMED],
      },
    ],
  ],
  [
    'iam:GetAccessKeyLastUsed',
    [
      {
        name: 'used key',
        principal: root('555555555555'),
        params: { AccessKeyId: 'AKIA555555555555ROOT' },
        expect: null,
      },
      {
        name: 'never used key',
        principal: root('555555555555'),
        params: { AccessKeyId: 'AKIA555555555555OLD2' },
        expect: null,
      },
      {
        name: 'key of another account',
        principal: root('555555555555'),
        params: { AccessKeyId: 'AKIA999999999999NONE' },
        expect: 'AccessDenied',
      },
    ],
  ],

  ['organizations:DescribeOrganization', [{ name: 'management account', expect: null }]],
  [
    'organizations:ListAccounts',
    [
      { name: 'management account', expect: null },
      { name: 'a page with a NextToken', params: { MaxResults: 2 }, expect: null },
      { name: 'member account', principal: role('555555555555'), expect: 'AccessDeniedException' },
      {
        name: 'foreign NextToken',
        params: { NextToken: 'bm90LWEtdG9rZW4=' },
        expect: 'InvalidInputException',
      },
    ],
  ],
  [
    'organizations:DescribeAccount',
    [
      { name: 'active', params: { AccountId: '555555555555' }, expect: null },
      { name: 'suspended', params: { AccountId: '121212121212' }, expect: null },
      { name: 'pending closure', params: { AccountId: '131313131313' }, expect: null },
      { name: 'unknown', params: { AccountId: '000000000000' }, expect: 'AccountNotFoundException' },
    ],
  ],
  ['organizations:ListRoots', [{ name: 'management account', expect: null }]],
  [
    'organizations:ListOrganizationalUnitsForParent',
    [
      { name: 'root', params: { ParentId: 'r-ab12' }, expect: null },
      { name: 'unknown OU', params: { ParentId: 'ou-ab12-zzzzzzzz' }, expect: 'ParentNotFoundException' },
    ],
  ],
  [
    'organizations:DescribeOrganizationalUnit',
    [
      { name: 'Prod OU', params: { OrganizationalUnitId: 'ou-ab12-prod0000' }, expect: null },
      {
        name: 'unknown OU',
        params: { OrganizationalUnitId: 'ou-ab12-zzzzzzzz' },
        expect: 'OrganizationalUnitNotFoundException',
      },
      {
        name: 'member account',
        params: { OrganizationalUnitId: 'ou-ab12-prod0000' },
        principal: role('555555555555'),
        expect: 'AccessDeniedException',
      },
    ],
  ],
  [
    'organizations:ListAccountsForParent',
    [{ name: 'Prod OU', params: { ParentId: 'ou-ab12-prod0000' }, expect: null }],
  ],
  [
    'organizations:ListParents',
    [
      { name: 'account', params: { ChildId: '555555555555' }, expect: null },
      { name: 'OU', params: { ChildId: 'ou-ab12-prod0000' }, expect: null },
      { name: 'unknown', params: { ChildId: '000000000000' }, expect: 'ChildNotFoundException' },
    ],
  ],
  [
    'organizations:ListPolicies',
    [{ name: 'SCPs', params: { Filter: 'SERVICE_CONTROL_POLICY' }, expect: null }],
  ],
  [
    'organizations:DescribePolicy',
    [
      { name: 'DenyRootUser', params: { PolicyId: 'p-denyroot' }, expect: null },
      { name: 'AWS managed', params: { PolicyId: 'p-FullAWSAccess' }, expect: null },
      { name: 'unknown', params: { PolicyId: 'p-zzzzzzzz' }, expect: 'PolicyNotFoundException' },
    ],
  ],
  [
    'organizations:ListTargetsForPolicy',
    [{ name: 'DenyRootUser', params: { PolicyId: 'p-denyroot' }, expect: null }],
  ],
  [
    'organizations:ListPoliciesForTarget',
    [
      {
        name: 'account',
        params: { TargetId: '101010101010', Filter: 'SERVICE_CONTROL_POLICY' },
        expect: null,
      },
      {
        name: 'unknown target',
        params: { TargetId: '000000000000', Filter: 'SERVICE_CONTROL_POLICY' },
        expect: 'TargetNotFoundException',
      },
    ],
  ],
  ['organizations:ListAWSServiceAccessForOrganization', [{ name: 'management account', expect: null }]],

  [
    'cloudtrail:DescribeTrails',
    [
      { name: 'organization trail owner', expect: null },
      { name: 'member sees the shadow', principal: role('555555555555'), expect: null },
      { name: 'own single-region trail', principal: role('777777777777'), region: 'eu-west-1', expect: null },
    ],
  ],
  [
    'cloudtrail:GetTrailStatus',
    [
      { name: 'logging organization trail', params: { Name: ORG_TRAIL_ARN }, expect: null },
      {
        name: 'stopped trail',
        principal: role('777777777777'),
        region: 'eu-west-1',
        params: { Name: 'dev-trail' },
        expect: null,
      },
      { name: 'unknown trail', params: { Name: 'no-such-trail' }, expect: 'TrailNotFoundException' },
    ],
  ],
  [
    'cloudtrail:GetEventSelectors',
    [
      { name: 'default selectors', params: { TrailName: ORG_TRAIL_ARN }, expect: null },
      {
        name: 'WriteOnly selectors',
        principal: role('777777777777'),
        region: 'eu-west-1',
        params: { TrailName: 'dev-trail' },
        expect: null,
      },
      { name: 'unknown trail', params: { TrailName: 'no-such-trail' }, expect: 'TrailNotFoundException' },
    ],
  ],
  [
    'cloudtrail:LookupEvents',
    [
      {
        name: 'root API calls',
        principal: role('555555555555'),
        params: { StartTime: NINETY_DAYS_AGO() },
        expect: null,
      },
      {
        name: 'a page with a NextToken',
        principal: role('555555555555'),
        params: { StartTime: NINETY_DAYS_AGO(), MaxResults: 1 },
        expect: null,
      },
      {
        name: 'root console sign-in',
        principal: role('999999999999'),
        params: { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ConsoleLogin' }] },
        expect: null,
      },
      {
        name: 'two lookup attributes',
        principal: role('555555555555'),
        params: {
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'ConsoleLogin' },
            { AttributeKey: 'Username', AttributeValue: 'root' },
          ],
        },
        expect: 'InvalidLookupAttributesException',
      },
      {
        name: 'start after end',
        principal: role('555555555555'),
        params: { StartTime: '2026-01-02T00:00:00Z', EndTime: '2026-01-01T00:00:00Z' },
        expect: 'InvalidTimeRangeException',
      },
    ],
  ],

  [
    'logs:DescribeMetricFilters',
    [
      { name: 'CIS root-usage filter', params: { logGroupName: 'org-cloudtrail' }, expect: null },
      { name: 'all groups', expect: null },
      {
        name: 'unknown group',
        params: { logGroupName: 'no-such-group' },
        expect: 'ResourceNotFoundException',
      },
    ],
  ],
  [
    'cloudwatch:DescribeAlarms',
    [
      { name: 'root-usage alarm', expect: null },
      { name: 'foreign NextToken', params: { NextToken: 'bm90LWEtdG9rZW4=' }, expect: 'InvalidNextToken' },
      {
        name: 'over awsQuery',
        protocol: 'query',
        params: { AlarmNames: ['root-account-usage'] },
        expect: null,
      },
      {
        name: 'over awsQuery, foreign NextToken',
        protocol: 'query',
        params: { NextToken: 'bm90LWEtdG9rZW4=' },
        expect: 'InvalidNextToken',
      },
    ],
  ],
  [
    'cloudwatch:DescribeAlarmsForMetric',
    [
      {
        name: 'root-usage metric',
        params: { MetricName: 'RootAccountUsageCount', Namespace: 'CISBenchmark' },
        expect: null,
      },
      {
        name: 'over awsQuery',
        protocol: 'query',
        params: { MetricName: 'RootAccountUsageCount', Namespace: 'CISBenchmark' },
        expect: null,
      },
    ],
  ],
  [
    'sns:ListSubscriptionsByTopic',
    [
      { name: 'confirmed email', params: { TopicArn: CIS_TOPIC }, expect: null },
      { name: 'unknown topic', params: { TopicArn: `${CIS_TOPIC}-gone` }, expect: 'NotFound' },
    ],
  ],
  [
    'sns:GetTopicAttributes',
    [
      { name: 'alarm topic', params: { TopicArn: CIS_TOPIC }, expect: null },
      { name: 'unknown topic', params: { TopicArn: `${CIS_TOPIC}-gone` }, expect: 'NotFound' },
    ],
  ],
  [
    'events:ListRules',
    [
      { name: 'default bus', expect: null },
      { name: 'unknown bus', params: { EventBusName: 'no-such-bus' }, expect: 'ResourceNotFoundException' },
    ],
  ],
  [
    'events:ListTargetsByRule',
    [
      { name: 'root rule', params: { Rule: 'root-activity' }, expect: null },
      { name: 'unknown rule', params: { Rule: 'no-such-rule' }, expect: 'ResourceNotFoundException' },
    ],
  ],
  [
    'guardduty:ListDetectors',
    [
      { name: 'one detector', principal: role('555555555555'), expect: null },
      { name: 'none', principal: role('777777777777'), expect: null },
    ],
  ],
  [
    'guardduty:GetDetector',
    [
      {
        name: 'enabled',
        principal: role('555555555555'),
        params: { DetectorId: '5555555555550d000000000000000000' },
        expect: null,
      },
      {
        name: 'disabled',
        principal: role('666666666666'),
        params: { DetectorId: '6666666666660d000000000000000000' },
        expect: null,
      },
      {
        name: 'not owned',
        principal: role('555555555555'),
        params: { DetectorId: '6666666666660d000000000000000000' },
        expect: 'BadRequestException',
      },
    ],
  ],
  [
    'account:GetAlternateContact',
    [
      { name: 'own contact', params: { AlternateContactType: 'SECURITY' }, expect: null },
      {
        name: 'member contact with AccountId',
        params: { AlternateContactType: 'SECURITY', AccountId: '555555555555' },
        expect: null,
      },
      {
        name: 'no SECURITY contact',
        params: { AlternateContactType: 'SECURITY', AccountId: '444444444444' },
        expect: 'ResourceNotFoundException',
      },
      {
        name: 'inside the member',
        principal: role('777777777777'),
        params: { AlternateContactType: 'BILLING' },
        expect: 'ResourceNotFoundException',
      },
      {
        name: 'member naming another account',
        principal: role('555555555555'),
        params: { AlternateContactType: 'SECURITY', AccountId: '444444444444' },
        expect: 'AccessDeniedException',
      },
    ],
  ],
];

/** The simulator's signing name of a botocore service. */
export const SIGNING_NAME: Record<string, string> = { cloudwatch: 'monitoring' };

/** The error code AWS answers a denied or throttled call with, per service (botocore names). */
export const ACCESS_DENIED_CODE: Record<string, string> = {
  sts: 'AccessDenied',
  iam: 'AccessDenied',
  cloudwatch: 'AccessDenied',
  sns: 'AuthorizationError',
  organizations: 'AccessDeniedException',
  cloudtrail: 'AccessDeniedException',
  logs: 'AccessDeniedException',
  events: 'AccessDeniedException',
  guardduty: 'AccessDeniedException',
  account: 'AccessDeniedException',
};
export const THROTTLING_CODE: Record<string, string> = {
  sts: 'Throttling',
  iam: 'Throttling',
  cloudwatch: 'Throttling',
  sns: 'Throttled',
  organizations: 'TooManyRequestsException',
  cloudtrail: 'ThrottlingException',
  logs: 'ThrottlingException',
  events: 'ThrottlingException',
  guardduty: 'ThrottlingException',
  account: 'TooManyRequestsException',
};

function callsOf(
  select: (key: string, scenarios: Scenario[]) => Scenario[],
  expect?: (service: string) => string,
) {
  return SCENARIOS.flatMap(([key, scenarios]) => {
    const [service = '', operation = ''] = key.split(':');
    return select(key, scenarios).map(({ name, waitMs, deviations, ...scenario }) => ({
      ...scenario,
      // A fault replaces the answer: the wait before it and the answer's deviations go too.
      ...(expect ? {} : { waitMs, deviations }),
      id: `${service}:${operation} ${name}`,
      service,
      operation,
      expect: expect ? expect(service) : scenario.expect,
    }));
  });
}

/** The first successful scenario of each operation, to be answered with a fault. */
const firstSuccess = (_key: string, scenarios: Scenario[]) =>
  scenarios.filter((s) => s.expect === null).slice(0, 1);

/**
 * The sample organization as modelled, then every operation denied, throttled and failing on the
 * server side (the knobs), each answer checked against the model.
 */
export function phases(): Phase[] {
  return [
    {
      name: 'sample organization',
      // LookupEvents' own limit (2/s) would throttle these calls; one account's report never completes.
      knobs: {
        lookupEventsRatePerSecond: null,
        credentialReportDelayMs: 20,
        faults: { credentialReportStuck: [STUCK_REPORT] },
      },
      calls: callsOf((_key, scenarios) => scenarios),
    },
    {
      name: 'access denied',
      knobs: { faults: { accessDenied: [{}] } },
      calls: callsOf(firstSuccess, (service) => ACCESS_DENIED_CODE[service] ?? '?'),
    },
    {
      name: 'throttled',
      knobs: { throttling: [{ ratePerSecond: 0.001, burst: 0 }] },
      calls: callsOf(firstSuccess, (service) => THROTTLING_CODE[service] ?? '?'),
    },
    {
      name: 'server errors',
      knobs: { faults: { serverErrors: [{ count: 1_000, status: 500 }] } },
      calls: callsOf(firstSuccess, () => 'InternalFailure'),
    },
    {
      name: 'service unavailable',
      knobs: { faults: { serverErrors: [{ count: 1_000, status: 503 }] } },
      calls: callsOf(firstSuccess, () => 'ServiceUnavailable'),
    },
  ];
}
