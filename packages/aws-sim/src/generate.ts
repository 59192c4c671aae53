import type {
  AccountModel,
  AccountStatus,
  AlternateContact,
  AlternateContactType,
  CloudTrailEventModel,
  MfaKind,
  OrganizationModel,
  Policy,
  RootState,
} from './model.ts';

export interface GenerateOptions {
  accounts: number;
  seed: number;
  /** Default ["us-east-1", "eu-west-1"]. */
  regions?: string[];
  /** Reference time for "last used" and event times. Default: now. */
  now?: number;
  /** Default "s3cr3t-external-id". */
  externalId?: string;
}

/** mulberry32: small, fast, good enough for test data. */
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

export const CIS_ROOT_USAGE_PATTERN =
  '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }';

export const ROOT_EVENT_PATTERN = JSON.stringify({
  'detail-type': ['AWS Console Sign In via CloudTrail', 'AWS API Call via CloudTrail'],
  detail: { userIdentity: { type: ['Root'] } },
});

export const DENY_ROOT_SCP = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyRootUser',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:root'] } },
    },
  ],
});

export const FULL_AWS_ACCESS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

const DAY = 86_400_000;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function contact(kind: AlternateContactType, domain: string): AlternateContact {
  const names = { BILLING: 'Finance Team', OPERATIONS: 'Cloud Operations', SECURITY: 'Security Operations' };
  return {
    name: names[kind],
    title: `${names[kind]} lead`,
    email: `${kind.toLowerCase()}@${domain}`,
    phone: '+1 206 555 0100',
  };
}

/** Root sign-in and root API events for an account, with some non-root noise around them. */
function rootEvents(
  accountId: string,
  now: number,
  rand: () => number,
  options: { consoleLogins: number; mfaUsed: boolean; apiCalls: number; daysAgo: number },
): CloudTrailEventModel[] {
  const events: CloudTrailEventModel[] = [];
  const id = () =>
    `${Math.floor(rand() * 1e8)
      .toString(16)
      .padStart(8, '0')}-1111-4222-8333-${accountId}`;
  for (let i = 0; i < options.consoleLogins; i++) {
    events.push({
      id: id(),
      time: iso(now - (options.daysAgo + i) * DAY),
      region: 'us-east-1',
      name: 'ConsoleLogin',
      source: 'signin.amazonaws.com',
      identityType: 'Root',
      username: 'root',
      sourceIp: `203.0.113.${10 + i}`,
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15',
      readOnly: false,
      mfaUsed: options.mfaUsed,
      outcome: i === 1 ? 'Failure' : 'Success',
    });
  }
  for (let i = 0; i < options.apiCalls; i++) {
    events.push({
      id: id(),
      time: iso(now - (options.daysAgo + i) * DAY + 3_600_000),
      region: 'us-east-1',
      name: 'ListBuckets',
      source: 's3.amazonaws.com',
      identityType: 'Root',
      username: 'root',
      sourceIp: '198.51.100.7',
      userAgent: 'aws-cli/2.17.0 Python/3.11.9 Linux/6.1',
      readOnly: true,
      accessKeyId: `AKIA${accountId}ROOT`,
    });
  }
  events.push({
    id: id(),
    time: iso(now - 2 * DAY),
    region: 'us-east-1',
    name: 'ConsoleLogin',
    source: 'signin.amazonaws.com',
    identityType: 'AssumedRole',
    username: 'AWSReservedSSO_Admin/alice@example.com',
    sourceIp: '192.0.2.20',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
    readOnly: false,
    mfaUsed: false,
    outcome: 'Success',
  });
  return events;
}

function pick<T>(rand: () => number, weighted: readonly (readonly [number, T])[]): T {
  let r = rand();
  for (const [weight, value] of weighted) {
    if (r < weight) return value;
    r -= weight;
  }
  return (weighted[weighted.length - 1] as readonly [number, T])[1];
}

type RootProfile =
  | 'absent'
  | 'password-virtual'
  | 'password-hardware'
  | 'password-both'
  | 'password-no-mfa'
  | 'keys'
  | 'certificate';

function rootState(profile: RootProfile, accountId: string, now: number, rand: () => number): RootState {
  const recent = rand() < 0.3;
  const lastUsed = iso(now - (recent ? 5 + Math.floor(rand() * 60) : 120 + Math.floor(rand() * 400)) * DAY);
  const base: RootState = { password: false, mfa: 'none', accessKeys: [], signingCertificates: [] };
  const withPassword = (mfa: MfaKind): RootState => ({
    ...base,
    password: true,
    passwordLastUsed: rand() < 0.8 ? lastUsed : undefined,
    mfa,
    mfaEnabled: mfa === 'none' ? undefined : iso(now - 700 * DAY),
  });
  switch (profile) {
    case 'absent':
      return base;
    case 'password-virtual':
      return withPassword('virtual');
    case 'password-hardware':
      return withPassword('hardware');
    case 'password-both':
      return withPassword('both');
    case 'password-no-mfa':
      return withPassword('none');
    case 'keys':
      return {
        ...withPassword(rand() < 0.5 ? 'virtual' : 'none'),
        accessKeys: [
          {
            id: `AKIA${accountId}ROOT`,
            active: rand() < 0.8,
            created: iso(now - (30 + Math.floor(rand() * 900)) * DAY),
            lastUsed: rand() < 0.7 ? lastUsed : undefined,
            lastUsedService: 's3',
            lastUsedRegion: 'us-east-1',
          },
        ],
      };
    case 'certificate':
      return {
        ...withPassword('hardware'),
        signingCertificates: [{ id: `CERT${accountId}ROOT01`, active: true, uploaded: iso(now - 800 * DAY) }],
      };
  }
}

/**
 * A realistic organization of `accounts` accounts (the first is the management account),
 * deterministic for a seed. Mostly well-run members under centralized root access, with a
 * tail of legacy root credentials, missing contacts, unmonitored and suspended accounts.
 */
export function generateOrganization(options: GenerateOptions): OrganizationModel {
  const rand = prng(options.seed);
  const now = options.now ?? Date.now();
  const regions = options.regions ?? ['us-east-1', 'eu-west-1'];
  const orgSuffix = Math.floor(rand() * 36 ** 10)
    .toString(36)
    .padStart(10, '0');
  const orgId = `o-${orgSuffix}`;
  const rootSuffix = orgSuffix.slice(0, 4);
  const rootId = `r-${rootSuffix}`;
  const ou = (n: number) =>
    `ou-${rootSuffix}-${(n * 7_654_321 + options.seed).toString(36).padStart(8, '0').slice(-8)}`;
  const ous = [
    { id: ou(1), name: 'Security', parentId: rootId },
    { id: ou(2), name: 'Infrastructure', parentId: rootId },
    { id: ou(3), name: 'Workloads', parentId: rootId },
    { id: ou(4), name: 'Prod', parentId: ou(3) },
    { id: ou(5), name: 'NonProd', parentId: ou(3) },
    { id: ou(6), name: 'Sandbox', parentId: rootId },
    { id: ou(7), name: 'Suspended', parentId: rootId },
  ];
  const base = 100_000_000_000 + (options.seed % 1000) * 1_000_000;
  const accountId = (i: number) => String(base + i * 37 + 11);
  const managementId = accountId(0);
  const domain = 'acme-corp.example';
  const accounts: AccountModel[] = [];
  const memberOus = [
    [0.05, ou(1)],
    [0.1, ou(2)],
    [0.45, ou(4)],
    [0.3, ou(5)],
    [0.1, ou(6)],
  ] as const;

  for (let i = 0; i < options.accounts; i++) {
    const id = accountId(i);
    const management = i === 0;
    const status: AccountStatus = management
      ? 'ACTIVE'
      : pick(rand, [
          [0.97, 'ACTIVE'],
          [0.015, 'SUSPENDED'],
          [0.005, 'CLOSED'],
          [0.008, 'PENDING_CLOSURE'],
          [0.002, 'PENDING_ACTIVATION'],
        ] as const);
    const parentId = management ? rootId : status === 'ACTIVE' ? pick(rand, memberOus) : ou(7);
    const profile: RootProfile = management
      ? 'password-hardware'
      : pick(rand, [
          [0.7, 'absent'],
          [0.1, 'password-virtual'],
          [0.06, 'password-hardware'],
          [0.03, 'password-both'],
          [0.06, 'password-no-mfa'],
          [0.04, 'keys'],
          [0.01, 'certificate'],
        ] as const);
    const contactsProfile = pick(rand, [
      [0.8, 'all'],
      [0.1, 'no-security'],
      [0.1, 'none'],
    ] as const);
    const alternateContacts: AccountModel['alternateContacts'] = {};
    if (contactsProfile !== 'none') {
      alternateContacts.BILLING = contact('BILLING', domain);
      alternateContacts.OPERATIONS = contact('OPERATIONS', domain);
      if (contactsProfile === 'all') alternateContacts.SECURITY = contact('SECURITY', domain);
    }
    const freeMail = !management && rand() < 0.02;
    const name = management ? 'management' : `acct-${String(i).padStart(5, '0')}`;
    const account: AccountModel = {
      id,
      name,
      email: freeMail ? `aws.${name}@gmail.com` : `aws+${name}@${domain}`,
      status,
      parentId,
      joinedMethod: management || rand() < 0.8 ? 'CREATED' : 'INVITED',
      joined: iso(now - (100 + Math.floor(rand() * 2000)) * DAY),
      root: rootState(profile, id, now, rand),
      alternateContacts,
      trails: [],
      logGroups: [],
      alarms: [],
      topics: [],
      rules: [],
      detectors: [],
      events: [],
    };
    if (!management && rand() < 0.01) account.auditRole = false;

    const guardduty = pick(rand, [
      [0.85, 'ENABLED'],
      [0.05, 'DISABLED'],
      [0.1, 'none'],
    ] as const);
    if (guardduty !== 'none') {
      account.detectors = regions.map((region, r) => ({
        id: `${id}${r}d`.padEnd(32, '0'),
        region,
        status: guardduty,
      }));
    }
    const eventbridgeAlerting = management || rand() < 0.1;
    if (eventbridgeAlerting) {
      account.topics.push({
        name: 'root-activity-alerts',
        region: 'us-east-1',
        subscriptions: [{ protocol: 'email', endpoint: `security@${domain}`, confirmed: true }],
      });
      account.rules.push({
        name: 'root-activity',
        region: 'us-east-1',
        eventPattern: ROOT_EVENT_PATTERN,
        state: rand() < 0.9 ? 'ENABLED' : 'DISABLED',
        targets: [{ id: 'sns', arn: `arn:aws:sns:us-east-1:${id}:root-activity-alerts` }],
      });
    }
    if (!management && rand() < 0.1) {
      account.trails.push({
        name: 'account-trail',
        homeRegion: 'us-east-1',
        multiRegion: rand() < 0.7,
        organizationTrail: false,
        logging: rand() < 0.8,
        s3BucketName: `cloudtrail-${id}`,
        includeGlobalServiceEvents: true,
        logFileValidation: true,
      });
    }
    if (profile !== 'absent' && rand() < 0.25) {
      account.events = rootEvents(id, now, rand, {
        consoleLogins: 1 + Math.floor(rand() * 2),
        mfaUsed: account.root.mfa !== 'none',
        apiCalls: profile === 'keys' ? 2 : 0,
        daysAgo: 3 + Math.floor(rand() * 60),
      });
    }
    accounts.push(account);
  }

  const management = accounts[0];
  if (management) {
    management.trails.push({
      name: 'organization-trail',
      homeRegion: 'us-east-1',
      multiRegion: true,
      organizationTrail: true,
      logging: true,
      s3BucketName: `org-cloudtrail-${managementId}`,
      includeGlobalServiceEvents: true,
      logFileValidation: true,
      logGroupName: 'org-cloudtrail',
    });
    management.logGroups.push({
      name: 'org-cloudtrail',
      region: 'us-east-1',
      metricFilters: [
        {
          name: 'RootAccountUsage',
          pattern: CIS_ROOT_USAGE_PATTERN,
          transformations: [
            { metricName: 'RootAccountUsageCount', metricNamespace: 'CISBenchmark', metricValue: '1' },
          ],
        },
      ],
    });
    management.topics.push({
      name: 'cis-alarms',
      region: 'us-east-1',
      subscriptions: [{ protocol: 'email', endpoint: `security@${domain}`, confirmed: true }],
    });
    management.alarms.push({
      name: 'root-account-usage',
      region: 'us-east-1',
      metricName: 'RootAccountUsageCount',
      namespace: 'CISBenchmark',
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      actionsEnabled: true,
      alarmActions: [`arn:aws:sns:us-east-1:${managementId}:cis-alarms`],
      state: 'OK',
    });
  }

  const policies: Policy[] = [
    {
      id: 'p-FullAWSAccess',
      name: 'FullAWSAccess',
      description: 'Allows access to every operation',
      awsManaged: true,
      content: FULL_AWS_ACCESS,
      targets: [rootId, ...ous.map((o) => o.id), ...accounts.map((a) => a.id)],
    },
    {
      id: `p-${orgSuffix.slice(0, 8)}`,
      name: 'DenyRootUser',
      description: 'Denies every action to the root user of member accounts',
      awsManaged: false,
      content: DENY_ROOT_SCP,
      // Sandbox is left out on purpose: its accounts FAIL scp-root-deny.
      targets: [ou(1), ou(2), ou(3)],
    },
  ];

  return {
    organization: {
      id: orgId,
      managementAccountId: managementId,
      featureSet: 'ALL',
      rootId,
      features: ['RootCredentialsManagement', 'RootSessions'],
      trustedAccess: [
        'account.amazonaws.com',
        'cloudtrail.amazonaws.com',
        'guardduty.amazonaws.com',
        'iam.amazonaws.com',
      ],
    },
    auditRole: { name: 'RootAuditRole', externalId: options.externalId ?? 's3cr3t-external-id' },
    regions,
    ous,
    policies,
    accounts,
  };
}
