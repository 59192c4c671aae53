// Collectors and the ClientFactory over HTTP against moto_server: a real organization, a member
// account reached by sts:AssumeRole with ExternalId (moto keeps each account's state apart), and
// seeded trails, filters, alarms, subscriptions, rules, detectors and contacts.
import { PutAlternateContactCommand } from '@aws-sdk/client-account';
import {
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLogGroupCommand, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateDetectorCommand } from '@aws-sdk/client-guardduty';
import { CreateVirtualMFADeviceCommand } from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DescribeCreateAccountStatusCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  MoveAccountCommand,
} from '@aws-sdk/client-organizations';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { EvidenceKey, EvidenceMap } from '@rootaudit/checks';
import t from 'tap';
import { ClientFactory } from './clients.ts';
import { accountCollectors, organizationCollectors } from './collectors/index.ts';
import { collectorContext, startMoto } from './testing.ts';

const moto = await startMoto();
if ('skip' in moto) {
  t.plan(0, moto.skip);
  process.exit(0);
}
t.teardown(() => moto.stop());

const CIS_PATTERN =
  '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }';
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' };
const factoryOptions = {
  endpoint: moto.endpoint,
  region: 'us-east-1',
  credentials,
  externalId: 'rootaudit-external-id',
  maxAttempts: 2,
};
const seed = new ClientFactory({ ...factoryOptions, scanId: 'seed' });
t.teardown(() => seed.destroy());
const org = seed.forOrganization();
const organizations = org.client('organizations');

await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
const created = await organizations.send(
  new CreateAccountCommand({ AccountName: 'payments', Email: 'payments@example.com' }),
);
const status = await organizations.send(
  new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: created.CreateAccountStatus?.Id ?? '' }),
);
const memberId = status.CreateAccountStatus?.AccountId ?? '';
const roots = await organizations.send(new ListRootsCommand({}));
const rootId = roots.Roots?.[0]?.Id ?? '';
const ou = await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Prod' }));
const ouId = ou.OrganizationalUnit?.Id ?? '';
await organizations.send(
  new MoveAccountCommand({ AccountId: memberId, SourceParentId: rootId, DestinationParentId: ouId }),
);
await organizations.send(
  new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }),
);
const denyRoot = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } },
    },
  ],
});
const policy = await organizations.send(
  new CreatePolicyCommand({
    Name: 'DenyRoot',
    Description: 'deny root',
    Type: 'SERVICE_CONTROL_POLICY',
    Content: denyRoot,
  }),
);
await organizations.send(
  new AttachPolicyCommand({ PolicyId: policy.Policy?.PolicySummary?.Id ?? '', TargetId: ouId }),
);

// The member account, reached through its audit role like the scanner does.
const member = seed.forAccount(memberId);
const trailBucket = `trail-${memberId}`;
// moto validates the trail's bucket; S3 is not among our SDK clients, so create it over plain HTTP
// signed (as far as moto looks) with the member's access key.
const memberCredentials = await (
  member.client('sts').config.credentials as () => Promise<{ accessKeyId: string }>
)();
await fetch(`${moto.endpoint}/${trailBucket}`, {
  method: 'PUT',
  headers: {
    host: `127.0.0.1`,
    authorization: `AWS4-HMAC-SHA256 Credential=${memberCredentials.accessKeyId}/20261123/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0`,
  },
});
const logs = member.client('logs', 'us-east-1');
await logs.send(new CreateLogGroupCommand({ logGroupName: 'cloudtrail' }));
const logGroupArn = `arn:aws:logs:us-east-1:${memberId}:log-group:cloudtrail:*`;
const cloudtrail = member.client('cloudtrail', 'us-east-1');
await cloudtrail.send(
  new CreateTrailCommand({
    Name: 'management',
    S3BucketName: trailBucket,
    IsMultiRegionTrail: true,
    CloudWatchLogsLogGroupArn: logGroupArn,
    CloudWatchLogsRoleArn: `arn:aws:iam::${memberId}:role/trail-to-logs`,
  }),
);
await cloudtrail.send(new StartLoggingCommand({ Name: 'management' }));
await cloudtrail.send(
  new PutEventSelectorsCommand({
    TrailName: 'management',
    EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
  }),
);
await logs.send(
  new PutMetricFilterCommand({
    logGroupName: 'cloudtrail',
    filterName: 'root-usage',
    filterPattern: CIS_PATTERN,
    metricTransformations: [
      { metricName: 'RootAccountUsage', metricNamespace: 'CISBenchmark', metricValue: '1' },
    ],
  }),
);
const topic = await member
  .client('sns', 'us-east-1')
  .send(new CreateTopicCommand({ Name: 'security-alerts' }));
const topicArn = topic.TopicArn ?? '';
await member
  .client('sns', 'us-east-1')
  .send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'secops@example.com' }));
await member.client('cloudwatch', 'us-east-1').send(
  new PutMetricAlarmCommand({
    AlarmName: 'root-usage',
    MetricName: 'RootAccountUsage',
    Namespace: 'CISBenchmark',
    Statistic: 'Sum',
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    AlarmActions: [topicArn],
  }),
);
const events = member.client('events', 'us-east-1');
await events.send(
  new PutRuleCommand({
    Name: 'root-activity',
    EventPattern: JSON.stringify({ detail: { userIdentity: { type: ['Root'] } } }),
    State: 'ENABLED',
  }),
);
await events.send(new PutTargetsCommand({ Rule: 'root-activity', Targets: [{ Id: 'sns', Arn: topicArn }] }));
await events.send(
  new PutRuleCommand({ Name: 'nightly', ScheduleExpression: 'rate(1 day)', State: 'DISABLED' }),
);
await member.client('guardduty', 'us-east-1').send(new CreateDetectorCommand({ Enable: true }));
await member.client('account').send(
  new PutAlternateContactCommand({
    AlternateContactType: 'SECURITY',
    Name: 'Security Team',
    Title: 'SecOps',
    EmailAddress: 'security@example.com',
    PhoneNumber: '+1-555-0100',
  }),
);
await member.client('iam').send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'unassigned' }));

const scanId = 'scan:2026-11-23T02:00:00Z/nightly';
const factory = new ClientFactory({ ...factoryOptions, scanId });
t.teardown(() => factory.destroy());
const accountClients = factory.forAccount(memberId, { concurrency: 4 });
const organizationClients = factory.forOrganization();
const limit = <T>(fn: () => Promise<T>) => fn();
const organization = await organizationCollectors.organization.collect({
  clients: organizationClients,
  limit,
});
const organizationFeatures = await organizationCollectors.organizationFeatures.collect({
  clients: organizationClients,
  limit,
});
const organizationTrails = await organizationCollectors.organizationTrails.collect({
  clients: organizationClients,
  limit,
});
const memory = new Map<EvidenceKey, Promise<unknown>>();
const context = collectorContext(accountClients, {
  organizationClients,
  regions: ['us-east-1'],
  now: new Date(),
  credentialReportPolling: { initialDelayMs: 10, timeLimitMs: 5_000 },
});
context.evidence = <K extends EvidenceKey>(key: K): Promise<EvidenceMap[K]> => {
  if (key === 'organization') return Promise.resolve(organization as EvidenceMap[K]);
  if (key === 'organizationFeatures') return Promise.resolve(organizationFeatures as EvidenceMap[K]);
  if (key === 'organizationTrails') return Promise.resolve(organizationTrails as EvidenceMap[K]);
  let entry = memory.get(key);
  if (!entry) {
    entry =
      accountCollectors[
        key as Exclude<
          K,
          'organization' | 'organizationFeatures' | 'serviceControlPolicies' | 'organizationTrails'
        >
      ].collect(context);
    memory.set(key, entry);
  }
  return entry as Promise<EvidenceMap[K]>;
};

t.test(
  'the audit role is assumed over HTTP, in the member account, with the scan id in the session name',
  async (t) => {
    const identity = await accountClients.client('sts').send(new GetCallerIdentityCommand({}));
    t.equal(identity.Account, memberId);
    t.match(identity.Arn, `assumed-role/RootAuditRole/rootaudit-scan-2026-11-23T02-00-00Z-nightly`);
    t.equal(accountClients.auditRoleArn, `arn:aws:iam::${memberId}:role/RootAuditRole`);
  },
);

t.test('organization: accounts with parents, the OU, trusted services', async (t) => {
  t.ok(organization.ok);
  if (!organization.ok) return;
  t.equal(organization.value.featureSet, 'ALL');
  t.equal(organization.value.managementAccountId, '123456789012');
  t.same(
    organization.value.organizationalUnits.map((u) => [u.name, u.parentId]),
    [['Prod', rootId]],
  );
  t.same(
    organization.value.accounts.map((a) => [a.id, a.parentId, a.status]).sort(),
    [
      ['123456789012', rootId, 'ACTIVE'],
      [memberId, ouId, 'ACTIVE'],
    ].sort(),
  );
  t.equal(organization.value.accounts.find((a) => a.id === memberId)?.email, 'payments@example.com');
});

t.test('SCPs: enabled on the root, the deny-root policy with its OU target', async (t) => {
  const scps = await organizationCollectors.serviceControlPolicies.collect({
    clients: organizationClients,
    limit,
  });
  t.ok(scps.ok);
  if (!scps.ok) return;
  t.equal(scps.value.enabledOnRoot, true);
  const deny = scps.value.policies.find((p) => p.name === 'DenyRoot');
  t.same(deny?.targetIds, [ouId]);
  t.same(JSON.parse(deny?.content ?? '{}'), JSON.parse(denyRoot));
  t.ok(scps.value.policies.some((p) => p.name === 'FullAWSAccess' && p.awsManaged));
});

t.test(
  'a read limited to the member: the account, its OU, the SCPs on its way, as the whole read has them',
  async (t) => {
    const scoped = { clients: organizationClients, limit, shared: new Map(), accountIds: [memberId] };
    const [read, scps, wholeScps] = await Promise.all([
      organizationCollectors.organization.collect(scoped),
      organizationCollectors.serviceControlPolicies.collect(scoped),
      organizationCollectors.serviceControlPolicies.collect({ clients: organizationClients, limit }),
    ]);
    t.ok(read.ok && scps.ok && wholeScps.ok && organization.ok);
    if (!read.ok || !scps.ok || !wholeScps.ok || !organization.ok) return;
    t.same(read.value.scope, { accountIds: [memberId] });
    t.same(
      read.value.accounts,
      organization.value.accounts.filter((a) => a.id === memberId),
    );
    t.same(read.value.organizationalUnits, organization.value.organizationalUnits);
    t.same(scps.value.policies.map((p) => [p.name, p.targetIds]).sort(), [
      ['DenyRoot', [ouId]],
      ['FullAWSAccess', [memberId, ouId, rootId].sort()],
    ]);
    t.same(
      scps.value.policies.map((p) => p.content).sort(),
      wholeScps.value.policies.map((p) => p.content).sort(),
    );
  },
);

t.test('organization features: moto answers 500, which is a typed failure (never PASS)', async (t) => {
  t.notOk(organizationFeatures.ok);
  t.same(
    organizationFeatures.ok ? null : [organizationFeatures.error.action, organizationFeatures.error.code],
    ['iam:ListOrganizationsFeatures', 'InternalFailure'],
  );
});

t.test('account summary from the member account', async (t) => {
  const summary = await context.evidence('accountSummary');
  t.ok(summary.ok);
  t.equal(summary.ok && summary.value.accountMfaEnabled, false);
  t.equal(summary.ok && summary.value.accountAccessKeysPresent, false);
});

t.test('credential report: generated, polled, GeneratedTime recorded; moto has no root row', async (t) => {
  const report = await context.evidence('credentialReport');
  t.ok(report.ok, report.ok ? '' : report.error.message);
  t.equal(report.ok && report.value.root, null);
  t.ok(report.ok && !Number.isNaN(Date.parse(report.value.generatedTime)));
});

t.test('virtual MFA devices: an unassigned device is not listed', async (t) => {
  t.same(await context.evidence('virtualMfaDevices'), { ok: true, value: { devices: [] } });
});

t.test('trails: the multi-region trail, logging, with management events and its log group', async (t) => {
  const trails = await context.evidence('trails');
  t.ok(trails.ok, trails.ok ? '' : trails.error.message);
  const trail = trails.ok ? trails.value.trails.find((x) => x.name === 'management') : undefined;
  t.match(trail, {
    homeRegion: 'us-east-1',
    isMultiRegionTrail: true,
    isOrganizationTrail: false,
    isLogging: true,
    managementEvents: { included: true, readWriteType: 'All' },
    cloudWatchLogsLogGroupArn: logGroupArn,
  });
});

t.test('metric filters, alarms and the alarm topic with its subscriber', async (t) => {
  const filters = (await context.evidence('metricFilters'))['us-east-1'];
  t.same(filters?.ok && filters.value.filters, [
    {
      logGroupName: 'cloudtrail',
      filterName: 'root-usage',
      filterPattern: CIS_PATTERN,
      metricTransformations: [{ metricName: 'RootAccountUsage', metricNamespace: 'CISBenchmark' }],
    },
  ]);
  const alarms = (await context.evidence('metricAlarms'))['us-east-1'];
  t.match(alarms?.ok && alarms.value.alarms, [
    {
      alarmName: 'root-usage',
      metricName: 'RootAccountUsage',
      namespace: 'CISBenchmark',
      alarmActions: [topicArn],
    },
  ]);
  const topics = await context.evidence('snsTopics');
  t.match(topics.ok && topics.value.topics, [
    { topicArn, subscriptions: [{ protocol: 'email', endpoint: 'secops@example.com' }] },
  ]);
});

t.test('event rules with targets; a scheduled rule has no pattern', async (t) => {
  const rules = (await context.evidence('eventRules'))['us-east-1'];
  const byName = Object.fromEntries((rules?.ok ? rules.value.rules : []).map((r) => [r.name, r]));
  t.match(byName['root-activity'], { state: 'ENABLED', targets: [{ id: 'sns', arn: topicArn }] });
  t.same(JSON.parse(byName['root-activity']?.eventPattern ?? '{}'), {
    detail: { userIdentity: { type: ['Root'] } },
  });
  t.match(byName.nightly, { state: 'DISABLED', eventPattern: null, targets: [] });
});

t.test('GuardDuty detector enabled', async (t) => {
  const detectors = (await context.evidence('guardDutyDetectors'))['us-east-1'];
  t.match(detectors?.ok && detectors.value.detectors, [{ status: 'ENABLED' }]);
});

t.test(
  'alternate contacts inside the account (no trusted access): SECURITY set, the others absent',
  async (t) => {
    t.same(await context.evidence('alternateContacts'), {
      ok: true,
      value: {
        billing: null,
        operations: null,
        security: {
          name: 'Security Team',
          title: 'SecOps',
          emailAddress: 'security@example.com',
          phoneNumber: '+1-555-0100',
        },
        readVia: 'member-account',
      },
    });
  },
);

t.test('root events: moto answers 500 on LookupEvents, a typed failure per region', async (t) => {
  const rootEvents = await context.evidence('rootEvents');
  t.equal(rootEvents['us-east-1']?.ok, false);
  t.equal(
    rootEvents['us-east-1']?.ok ? null : rootEvents['us-east-1']?.error.action,
    'cloudtrail:LookupEvents',
  );
});

t.test(
  'root credentials audit: needs the features moto cannot give, so it fails rather than pass',
  async (t) => {
    const audit = await context.evidence('rootCredentialsAudit');
    t.equal(audit.ok ? null : audit.error.action, 'iam:ListOrganizationsFeatures');
  },
);

t.test('the call counter saw every service; the member role was assumed once', async (t) => {
  const counts = factory.counter.snapshot();
  for (const service of [
    'iam',
    'sts',
    'organizations',
    'cloudtrail',
    'logs',
    'cloudwatch',
    'sns',
    'events',
    'guardduty',
    'account',
  ]) {
    t.ok((counts[service]?.calls ?? 0) > 0, `${service} counted`);
  }
  t.ok((counts.iam?.errors ?? 0) >= 1, 'the ListOrganizationsFeatures 500s are errors');
  t.equal(
    counts.sts?.calls,
    2,
    'one AssumeRole for the member, one GetCallerIdentity: the session is cached',
  );
});
