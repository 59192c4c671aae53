// Conformance against moto: the same state seeded into both (moto through SDK write calls, the
// simulator through its model), then the same SDK read calls compared after normalization.
// Fields that legitimately differ (generated timestamps, moto's known gaps) are listed in IGNORED
// with the reason; everything else must be equal.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import { GetAlternateContactCommand, PutAlternateContactCommand } from '@aws-sdk/client-account';
import {
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateLogGroupCommand,
  DescribeMetricFiltersCommand,
  PutMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateDetectorCommand, GetDetectorCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { GetAccountSummaryCommand, ListVirtualMFADevicesCommand } from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  MoveAccountCommand,
} from '@aws-sdk/client-organizations';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import t from 'tap';
import { CIS_ROOT_USAGE_PATTERN, DENY_ROOT_SCP, FULL_AWS_ACCESS, ROOT_EVENT_PATTERN } from './generate.ts';
import type {
  AccountModel,
  Alarm,
  AlternateContact,
  AlternateContactType,
  EventRule,
  LogGroup,
  OrganizationModel,
  Topic,
  Trail,
} from './model.ts';
import { type Simulator, startSimulator } from './server.ts';
import { BASE_CREDENTIALS, credentialsOf, type SdkClients, sdkClients } from './testing.ts';

function motoPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const MOTO = motoPath();
const SKIP = MOTO ? false : 'moto_server is not on PATH: conformance against moto skipped';
if (SKIP) console.log(`# ${SKIP}`);

// ---------------------------------------------------------------------------------------------
// The seeded state, written once and applied to both sides.

interface AccountSpec {
  key: string;
  name: string;
  email: string;
  ou: string;
  contacts: Partial<Record<AlternateContactType, AlternateContact>>;
  trails: Trail[];
  logGroups: LogGroup[];
  topics: Topic[];
  alarms: Alarm[];
  rules: EventRule[];
  detectors: { region: string; enabled: boolean }[];
}

const DOMAIN = 'acme-corp.example';
const contact = (kind: AlternateContactType): AlternateContact => ({
  name: `${kind} team`,
  title: 'Lead',
  email: `${kind.toLowerCase()}@${DOMAIN}`,
  phone: '+1 206 555 0100',
});
const OUS = [
  { key: 'security', name: 'Security', parent: 'root' },
  { key: 'workloads', name: 'Workloads', parent: 'root' },
  { key: 'prod', name: 'Prod', parent: 'workloads' },
];
const TRUSTED = ['account.amazonaws.com', 'cloudtrail.amazonaws.com'];
const empty = { trails: [], logGroups: [], topics: [], alarms: [], rules: [], detectors: [] };

/** Resources use "{account}" where the account id goes; it is known only once moto made it. */
function specs(): AccountSpec[] {
  return [
    {
      key: 'management',
      name: 'master',
      email: 'master@example.com',
      ou: 'root',
      contacts: {
        BILLING: contact('BILLING'),
        OPERATIONS: contact('OPERATIONS'),
        SECURITY: contact('SECURITY'),
      },
      trails: [
        {
          name: 'organization-trail',
          homeRegion: 'us-east-1',
          multiRegion: true,
          organizationTrail: true,
          logging: true,
          s3BucketName: 'conformance-org-trail',
          includeGlobalServiceEvents: true,
          logFileValidation: true,
          logGroupName: 'org-cloudtrail',
          advancedEventSelectors: [
            {
              name: 'Management events',
              fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }],
            },
          ],
        },
      ],
      logGroups: [
        {
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
        },
      ],
      topics: [
        {
          name: 'cis-alarms',
          region: 'us-east-1',
          subscriptions: [
            {
              protocol: 'lambda',
              endpoint: 'arn:aws:lambda:us-east-1:{account}:function:notify',
              confirmed: true,
            },
          ],
        },
      ],
      alarms: [
        {
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
          alarmActions: ['arn:aws:sns:us-east-1:{account}:cis-alarms'],
          state: 'OK',
        },
      ],
      rules: [
        {
          name: 'root-activity',
          region: 'us-east-1',
          eventPattern: ROOT_EVENT_PATTERN,
          state: 'ENABLED',
          targets: [{ id: 'sns', arn: 'arn:aws:sns:us-east-1:{account}:cis-alarms' }],
        },
      ],
      detectors: [
        { region: 'us-east-1', enabled: true },
        { region: 'eu-west-1', enabled: true },
      ],
    },
    {
      key: 'security',
      name: 'security-tooling',
      email: `aws+security@${DOMAIN}`,
      ou: 'security',
      contacts: { BILLING: contact('BILLING'), OPERATIONS: contact('OPERATIONS') },
      ...empty,
      detectors: [{ region: 'eu-west-1', enabled: true }],
    },
    {
      key: 'prod',
      name: 'prod-web',
      email: `aws+prod@${DOMAIN}`,
      ou: 'prod',
      contacts: { SECURITY: contact('SECURITY') },
      ...empty,
      trails: [
        {
          name: 'prod-trail',
          homeRegion: 'eu-west-1',
          multiRegion: false,
          organizationTrail: false,
          logging: false,
          s3BucketName: 'conformance-prod-trail',
          includeGlobalServiceEvents: false,
          logFileValidation: false,
          eventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }],
        },
      ],
      rules: [
        {
          name: 'disabled-rule',
          region: 'eu-west-1',
          eventPattern: ROOT_EVENT_PATTERN,
          state: 'DISABLED',
          targets: [],
        },
      ],
      detectors: [{ region: 'us-east-1', enabled: false }],
    },
    {
      key: 'sandbox',
      name: 'sandbox',
      email: 'someone.sandbox@gmail.com',
      ou: 'root',
      contacts: {},
      ...empty,
    },
  ];
}

const fill = <T>(value: T, accountId: string): T =>
  JSON.parse(JSON.stringify(value).replaceAll('{account}', accountId)) as T;

// ---------------------------------------------------------------------------------------------
// Moto side.

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function request(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function startMoto(path: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(path, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await request(`${endpoint}/moto-api/reset`, 'POST')) === 200) return { endpoint, child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error('moto_server did not start within 10 s');
}

const ROLE = 'RootAuditRole';
const EXTERNAL_ID = 'conformance';

interface Seeded {
  orgId: string;
  rootId: string;
  managementId: string;
  ouIds: Record<string, string>;
  accountIds: Record<string, string>;
  policyId: string;
  detectorIds: Record<string, Record<string, string>>;
}

async function seedMoto(endpoint: string): Promise<Seeded> {
  const org = sdkClients(endpoint);
  const created = await org.organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const orgId = created.Organization?.Id ?? '';
  const managementId = created.Organization?.MasterAccountId ?? '';
  const rootId = (await org.organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
  await org.organizations.send(
    new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }),
  );
  const ouIds: Record<string, string> = { root: rootId };
  for (const ou of OUS) {
    const result = await org.organizations.send(
      new CreateOrganizationalUnitCommand({ ParentId: ouIds[ou.parent], Name: ou.name }),
    );
    ouIds[ou.key] = result.OrganizationalUnit?.Id ?? '';
  }
  const accountIds: Record<string, string> = { management: managementId };
  for (const spec of specs().slice(1)) {
    const result = await org.organizations.send(
      new CreateAccountCommand({ AccountName: spec.name, Email: spec.email }),
    );
    const id = result.CreateAccountStatus?.AccountId ?? '';
    accountIds[spec.key] = id;
    if (spec.ou !== 'root') {
      await org.organizations.send(
        new MoveAccountCommand({
          AccountId: id,
          SourceParentId: rootId,
          DestinationParentId: ouIds[spec.ou],
        }),
      );
    }
  }
  const policy = await org.organizations.send(
    new CreatePolicyCommand({
      Name: 'DenyRootUser',
      Description: 'Denies the root user',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: DENY_ROOT_SCP,
    }),
  );
  const policyId = policy.Policy?.PolicySummary?.Id ?? '';
  for (const target of [ouIds.workloads, ouIds.security, accountIds.sandbox]) {
    await org.organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: target }));
  }
  for (const principal of TRUSTED) {
    await org.organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: principal }));
  }

  const detectorIds: Record<string, Record<string, string>> = {};
  for (const spec of specs()) {
    const accountId = accountIds[spec.key] ?? '';
    const credentials =
      spec.key === 'management'
        ? BASE_CREDENTIALS
        : credentialsOf(
            await org.sts.send(
              new AssumeRoleCommand({
                RoleArn: `arn:aws:iam::${accountId}:role/${ROLE}`,
                RoleSessionName: 'seed',
                ExternalId: EXTERNAL_ID,
              }),
            ),
          );
    const inRegion = (region: string) => sdkClients(endpoint, credentials, region);
    const resolved = fill(spec, accountId);
    for (const [type, value] of Object.entries(resolved.contacts)) {
      await inRegion('us-east-1').account.send(
        new PutAlternateContactCommand({
          AlternateContactType: type as AlternateContactType,
          Name: value.name,
          Title: value.title,
          EmailAddress: value.email,
          PhoneNumber: value.phone,
        }),
      );
    }
    for (const group of resolved.logGroups) {
      const c = inRegion(group.region);
      await c.logs.send(new CreateLogGroupCommand({ logGroupName: group.name }));
      for (const filter of group.metricFilters) {
        await c.logs.send(
          new PutMetricFilterCommand({
            logGroupName: group.name,
            filterName: filter.name,
            filterPattern: filter.pattern,
            metricTransformations: filter.transformations,
          }),
        );
      }
    }
    for (const trail of resolved.trails) {
      // moto wants the bucket to exist; S3 is not among our clients, so a bare signed-looking PUT.
      const location =
        trail.homeRegion === 'us-east-1'
          ? ''
          : `<CreateBucketConfiguration><LocationConstraint>${trail.homeRegion}</LocationConstraint></CreateBucketConfiguration>`;
      await request(
        `${endpoint}/${trail.s3BucketName}`,
        'PUT',
        {
          authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20260101/${trail.homeRegion}/s3/aws4_request, SignedHeaders=host, Signature=0`,
          ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
        },
        location,
      );
      const c = inRegion(trail.homeRegion);
      await c.cloudtrail.send(
        new CreateTrailCommand({
          Name: trail.name,
          S3BucketName: trail.s3BucketName,
          IsMultiRegionTrail: trail.multiRegion,
          IsOrganizationTrail: trail.organizationTrail,
          IncludeGlobalServiceEvents: trail.includeGlobalServiceEvents,
          EnableLogFileValidation: trail.logFileValidation,
          CloudWatchLogsLogGroupArn: trail.logGroupName
            ? `arn:aws:logs:${trail.homeRegion}:${accountId}:log-group:${trail.logGroupName}:*`
            : undefined,
          CloudWatchLogsRoleArn: trail.logGroupName
            ? `arn:aws:iam::${accountId}:role/CloudTrail_CloudWatchLogs_Role`
            : undefined,
        }),
      );
      if (trail.logging) await c.cloudtrail.send(new StartLoggingCommand({ Name: trail.name }));
      await c.cloudtrail.send(
        new PutEventSelectorsCommand({
          TrailName: trail.name,
          EventSelectors: trail.eventSelectors?.map((s) => ({
            ReadWriteType: s.readWriteType,
            IncludeManagementEvents: s.includeManagementEvents,
          })),
          AdvancedEventSelectors: trail.advancedEventSelectors?.map((s) => ({
            Name: s.name,
            FieldSelectors: s.fieldSelectors.map((f) => ({ Field: f.field, Equals: f.equals })),
          })),
        }),
      );
    }
    for (const topic of resolved.topics) {
      const c = inRegion(topic.region);
      const { TopicArn } = await c.sns.send(new CreateTopicCommand({ Name: topic.name }));
      for (const sub of topic.subscriptions) {
        await c.sns.send(new SubscribeCommand({ TopicArn, Protocol: sub.protocol, Endpoint: sub.endpoint }));
      }
    }
    for (const alarm of resolved.alarms) {
      await inRegion(alarm.region).cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: alarm.name,
          MetricName: alarm.metricName,
          Namespace: alarm.namespace,
          Statistic: alarm.statistic,
          Period: alarm.period,
          EvaluationPeriods: alarm.evaluationPeriods,
          Threshold: alarm.threshold,
          ComparisonOperator: alarm.comparisonOperator,
          ActionsEnabled: alarm.actionsEnabled,
          AlarmActions: alarm.alarmActions,
        }),
      );
    }
    for (const rule of resolved.rules) {
      const c = inRegion(rule.region);
      await c.events.send(
        new PutRuleCommand({ Name: rule.name, EventPattern: rule.eventPattern, State: rule.state }),
      );
      if (rule.targets.length > 0) {
        await c.events.send(
          new PutTargetsCommand({
            Rule: rule.name,
            Targets: rule.targets.map((x) => ({ Id: x.id, Arn: x.arn })),
          }),
        );
      }
    }
    detectorIds[spec.key] = {};
    for (const detector of resolved.detectors) {
      const result = await inRegion(detector.region).guardduty.send(
        new CreateDetectorCommand({ Enable: detector.enabled }),
      );
      (detectorIds[spec.key] as Record<string, string>)[detector.region] = result.DetectorId ?? '';
    }
  }
  return { orgId, rootId, managementId, ouIds, accountIds, policyId, detectorIds };
}

// ---------------------------------------------------------------------------------------------
// Simulator side: the same state as a model.

function modelFrom(seeded: Seeded): OrganizationModel {
  const joined = new Date().toISOString();
  const accounts: AccountModel[] = specs().map((spec) => {
    const id = seeded.accountIds[spec.key] ?? '';
    const resolved = fill(spec, id);
    return {
      id,
      name: spec.name,
      email: spec.email,
      status: 'ACTIVE',
      parentId: seeded.ouIds[spec.ou] ?? '',
      joinedMethod: 'CREATED',
      joined,
      root: { password: false, mfa: 'none', accessKeys: [], signingCertificates: [] },
      alternateContacts: resolved.contacts,
      trails: resolved.trails,
      logGroups: resolved.logGroups,
      alarms: resolved.alarms,
      topics: resolved.topics,
      rules: resolved.rules,
      detectors: resolved.detectors.map((d) => ({
        id: seeded.detectorIds[spec.key]?.[d.region] ?? '',
        region: d.region,
        status: d.enabled ? 'ENABLED' : 'DISABLED',
      })),
      events: [],
    };
  });
  const ouIds = OUS.map((ou) => seeded.ouIds[ou.key] ?? '');
  return {
    organization: {
      id: seeded.orgId,
      managementAccountId: seeded.managementId,
      featureSet: 'ALL',
      rootId: seeded.rootId,
      features: [],
      trustedAccess: TRUSTED,
    },
    auditRole: { name: ROLE, externalId: EXTERNAL_ID },
    regions: ['us-east-1', 'eu-west-1'],
    ous: OUS.map((ou) => ({
      id: seeded.ouIds[ou.key] ?? '',
      name: ou.name,
      parentId: seeded.ouIds[ou.parent] ?? '',
    })),
    policies: [
      {
        id: 'p-FullAWSAccess',
        name: 'FullAWSAccess',
        description: 'Allows access to every operation',
        awsManaged: true,
        content: FULL_AWS_ACCESS,
        targets: [seeded.rootId, ...ouIds, ...accounts.map((a) => a.id)],
      },
      {
        id: seeded.policyId,
        name: 'DenyRootUser',
        description: 'Denies the root user',
        awsManaged: false,
        content: DENY_ROOT_SCP,
        targets: [seeded.ouIds.workloads ?? '', seeded.ouIds.security ?? '', seeded.accountIds.sandbox ?? ''],
      },
    ],
    accounts,
  };
}

// ---------------------------------------------------------------------------------------------
// Comparison.

/** Fields left out of the comparison, and why. */
const IGNORED: Record<string, string> = {
  JoinedTimestamp: 'creation time differs between the two runs',
  DateEnabled: 'creation time differs between the two runs',
  UserId: 'role ids are generated',
  Paths: 'moto does not return account paths',
  creationTime: 'moto does not return metric filter creation times',
  AlarmConfigurationUpdatedTimestamp: 'creation time',
  StateUpdatedTimestamp: 'creation time',
  StateReason: 'free text',
  StateReasonData: 'free text',
  TreatMissingData: 'moto leaves it out when not set',
  Metrics: 'moto returns an empty list for metric alarms',
  LatestDeliveryTime: 'time',
  StartLoggingTime: 'time',
  StopLoggingTime: 'time',
  LatestDeliveryAttemptTime: 'time',
  LatestDeliveryAttemptSucceeded: 'time',
  LatestNotificationAttemptTime: 'time',
  LatestNotificationAttemptSucceeded: 'time',
  TimeLoggingStarted: 'time',
  TimeLoggingStopped: 'time',
  LatestCloudWatchLogsDeliveryTime:
    'moto delivers nothing to CloudWatch Logs and leaves it out; AWS reports it',
  CreatedAt: 'time',
  UpdatedAt: 'time',
  DataSources: 'moto lists deprecated data sources',
  Features: 'moto lists no features',
  Tags: 'moto returns an empty map',
  Policy: 'SNS topic policy: moto lists more actions than the default AWS policy we return',
  EffectiveDeliveryPolicy: 'SNS: JSON formatting differs',
  SubscriptionsConfirmed: 'moto counts lambda subscriptions as neither confirmed nor pending',
  SubscriptionsPending: 'see SubscriptionsConfirmed',
  SubscriptionsDeleted: 'see SubscriptionsConfirmed',
  DeliveryPolicy: 'moto returns an empty DeliveryPolicy attribute that AWS leaves out when unset',
  HasCustomEventSelectors: 'moto keeps false after PutEventSelectors; AWS (and the simulator) say true',
};

function normalize(value: unknown): unknown {
  if (value instanceof Date) return 'DATE';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) {
    const items = value.map(normalize);
    return items.every((i) => i && typeof i === 'object')
      ? items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
      : items;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$metadata' || k in IGNORED || v === undefined) continue;
      // moto still sends an account's Status, which AWS retired in September 2026 (State alone now).
      if (k === 'Status' && 'State' in value && 'Email' in value) continue;
      // An empty list and a missing one mean the same to a reader.
      if (Array.isArray(v) && v.length === 0) continue;
      out[k] = normalize(v);
    }
    return out;
  }
  return value;
}

async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return normalize(await call());
  } catch (error) {
    return { error: (error as Error).name };
  }
}

/** Known moto divergences rewritten before comparing; each names where AWS differs from moto. */
function motoQuirks(text: string): string {
  // AWS names the AWS-managed FullAWSAccess with "aws" as the account and no organization id;
  // moto puts it in the management account's organization.
  return text.replace(
    /arn:aws:organizations::\d{12}:policy\/o-[a-z0-9]+\/service_control_policy\/p-FullAWSAccess/g,
    'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
  );
}

t.test('the simulator answers like moto for what moto supports', { skip: SKIP }, async (t) => {
  const { endpoint: motoEndpoint, child } = await startMoto(MOTO as string);
  let sim: Simulator | undefined;
  t.teardown(async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
    await sim?.stop();
  });
  const seeded = await seedMoto(motoEndpoint);
  sim = await startSimulator({ model: modelFrom(seeded) });
  const simEndpoint = sim.endpoint;
  const ids = seeded.accountIds;
  const accountKeys = Object.keys(ids);

  async function memberClients(endpoint: string, key: string, region: string): Promise<SdkClients> {
    if (key === 'management') return sdkClients(endpoint, BASE_CREDENTIALS, region);
    const org = sdkClients(endpoint);
    const assumed = await org.sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ids[key]}:role/${ROLE}`,
        RoleSessionName: 'conformance',
        ExternalId: EXTERNAL_ID,
      }),
    );
    return sdkClients(endpoint, credentialsOf(assumed), region);
  }

  async function compare(
    label: string,
    key: string,
    region: string,
    call: (c: SdkClients) => Promise<unknown>,
  ): Promise<void> {
    const [fromMoto, fromSim] = await Promise.all([
      memberClients(motoEndpoint, key, region).then((c) => outcome(() => call(c))),
      memberClients(simEndpoint, key, region).then((c) => outcome(() => call(c))),
    ]);
    const motoText = motoQuirks(JSON.stringify(fromMoto));
    t.same(JSON.parse(JSON.stringify(fromSim)), JSON.parse(motoText), label);
  }

  const e1 = 'us-east-1';
  const w1 = 'eu-west-1';

  // Organizations, from the management account.
  await compare('DescribeOrganization', 'management', e1, (c) =>
    c.organizations.send(new DescribeOrganizationCommand({})),
  );
  await compare('ListAccounts, paged', 'management', e1, async (c) => {
    const all: unknown[] = [];
    let token: string | undefined;
    do {
      const page = await c.organizations.send(new ListAccountsCommand({ MaxResults: 2, NextToken: token }));
      all.push(...(page.Accounts ?? []));
      token = page.NextToken;
    } while (token);
    return all;
  });
  await compare('ListRoots', 'management', e1, (c) => c.organizations.send(new ListRootsCommand({})));
  for (const parent of ['root', 'workloads', 'prod']) {
    const ParentId = seeded.ouIds[parent];
    await compare(`ListOrganizationalUnitsForParent ${parent}`, 'management', e1, (c) =>
      c.organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId })),
    );
    await compare(`ListAccountsForParent ${parent}`, 'management', e1, (c) =>
      c.organizations.send(new ListAccountsForParentCommand({ ParentId })),
    );
  }
  for (const key of accountKeys) {
    await compare(`ListParents ${key}`, 'management', e1, (c) =>
      c.organizations.send(new ListParentsCommand({ ChildId: ids[key] })),
    );
    await compare(`DescribeAccount ${key}`, 'management', e1, (c) =>
      c.organizations.send(new DescribeAccountCommand({ AccountId: ids[key] })),
    );
    await compare(`ListPoliciesForTarget ${key}`, 'management', e1, (c) =>
      c.organizations.send(
        new ListPoliciesForTargetCommand({ TargetId: ids[key], Filter: 'SERVICE_CONTROL_POLICY' }),
      ),
    );
  }
  for (const ou of ['workloads', 'prod']) {
    await compare(`DescribeOrganizationalUnit ${ou}`, 'management', e1, (c) =>
      c.organizations.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: seeded.ouIds[ou] })),
    );
    await compare(`ListParents ${ou}`, 'management', e1, (c) =>
      c.organizations.send(new ListParentsCommand({ ChildId: seeded.ouIds[ou] })),
    );
  }
  await compare('DescribeOrganizationalUnit unknown', 'management', e1, (c) =>
    c.organizations.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: 'ou-zzzz-zzzzzzzz' })),
  );
  await compare('DescribeAccount unknown', 'management', e1, (c) =>
    c.organizations.send(new DescribeAccountCommand({ AccountId: '000000000000' })),
  );
  for (const ou of ['root', 'workloads', 'prod']) {
    await compare(`ListPoliciesForTarget ${ou}`, 'management', e1, (c) =>
      c.organizations.send(
        new ListPoliciesForTargetCommand({ TargetId: seeded.ouIds[ou], Filter: 'SERVICE_CONTROL_POLICY' }),
      ),
    );
  }
  await compare('ListPolicies', 'management', e1, (c) =>
    c.organizations.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' })),
  );
  for (const policyId of ['p-FullAWSAccess', seeded.policyId]) {
    await compare(`DescribePolicy ${policyId}`, 'management', e1, (c) =>
      c.organizations.send(new DescribePolicyCommand({ PolicyId: policyId })),
    );
    await compare(`ListTargetsForPolicy ${policyId}`, 'management', e1, (c) =>
      c.organizations.send(new ListTargetsForPolicyCommand({ PolicyId: policyId })),
    );
  }
  await compare('ListAWSServiceAccessForOrganization', 'management', e1, (c) =>
    c.organizations.send(new ListAWSServiceAccessForOrganizationCommand({})),
  );
  await compare('DescribePolicy unknown', 'management', e1, (c) =>
    c.organizations.send(new DescribePolicyCommand({ PolicyId: 'p-00000000' })),
  );

  // Per account, in the account (the management account with base credentials).
  for (const key of accountKeys) {
    if (key !== 'management') {
      await compare(`GetCallerIdentity ${key}`, key, e1, (c) => c.sts.send(new GetCallerIdentityCommand({})));
    }
    await compare(`GetAccountSummary root keys ${key}`, key, e1, async (c) => {
      const map = (await c.iam.send(new GetAccountSummaryCommand({}))).SummaryMap ?? {};
      return {
        AccountMFAEnabled: map.AccountMFAEnabled,
        AccountAccessKeysPresent: map.AccountAccessKeysPresent,
        AccountSigningCertificatesPresent: map.AccountSigningCertificatesPresent,
      };
    });
    await compare(`ListVirtualMFADevices ${key}`, key, e1, (c) =>
      c.iam.send(new ListVirtualMFADevicesCommand({})),
    );
    for (const type of ['BILLING', 'OPERATIONS', 'SECURITY'] as const) {
      await compare(`GetAlternateContact ${type} in ${key}`, key, e1, (c) =>
        c.account.send(new GetAlternateContactCommand({ AlternateContactType: type })),
      );
      if (key !== 'management') {
        await compare(`GetAlternateContact ${type} for ${key} from management`, 'management', e1, (c) =>
          c.account.send(new GetAlternateContactCommand({ AlternateContactType: type, AccountId: ids[key] })),
        );
      }
    }
    for (const region of [e1, w1]) {
      await compare(`ListDetectors ${key} ${region}`, key, region, (c) =>
        c.guardduty.send(new ListDetectorsCommand({})),
      );
      const detectorId = seeded.detectorIds[key]?.[region];
      if (detectorId) {
        await compare(`GetDetector ${key} ${region}`, key, region, (c) =>
          c.guardduty.send(new GetDetectorCommand({ DetectorId: detectorId })),
        );
      }
      await compare(`ListRules ${key} ${region}`, key, region, (c) =>
        c.events.send(new ListRulesCommand({})),
      );
      await compare(`DescribeAlarms ${key} ${region}`, key, region, (c) =>
        c.cloudwatch.send(new DescribeAlarmsCommand({})),
      );
    }
  }

  // The owners' own trails (moto does not show organization trails inside member accounts).
  for (const [key, trailName, region] of [
    ['management', 'organization-trail', e1],
    ['prod', 'prod-trail', w1],
  ] as const) {
    await compare(`DescribeTrails ${key} ${region}`, key, region, async (c) => {
      const { trailList } = await c.cloudtrail.send(new DescribeTrailsCommand({}));
      // The simulator also lists the organization trail in members, as AWS does; moto does not.
      return trailList?.filter((x) => x.TrailARN?.split(':')[4] === ids[key]);
    });
    await compare(`DescribeTrails ${key} ${region} without shadows`, key, region, (c) =>
      c.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: false })),
    );
    await compare(`GetTrailStatus ${trailName}`, key, region, (c) =>
      c.cloudtrail.send(new GetTrailStatusCommand({ Name: trailName })),
    );
    await compare(`GetEventSelectors ${trailName}`, key, region, (c) =>
      c.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: trailName })),
    );
  }
  await compare('DescribeTrails management eu-west-1 (multi-region shadow)', 'management', w1, (c) =>
    c.cloudtrail.send(new DescribeTrailsCommand({})),
  );
  await compare('GetTrailStatus unknown', 'management', e1, (c) =>
    c.cloudtrail.send(new GetTrailStatusCommand({ Name: 'no-such-trail' })),
  );

  // The metric-alarm chain in the management account.
  const m = ids.management;
  await compare('DescribeMetricFilters by group', 'management', e1, (c) =>
    c.logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'org-cloudtrail' })),
  );
  await compare('DescribeMetricFilters all', 'management', e1, (c) =>
    c.logs.send(new DescribeMetricFiltersCommand({})),
  );
  await compare('DescribeAlarmsForMetric', 'management', e1, (c) =>
    c.cloudwatch.send(
      new DescribeAlarmsForMetricCommand({ MetricName: 'RootAccountUsageCount', Namespace: 'CISBenchmark' }),
    ),
  );
  const topicArn = `arn:aws:sns:us-east-1:${m}:cis-alarms`;
  await compare('ListSubscriptionsByTopic', 'management', e1, async (c) => {
    const result = await c.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    // Subscription ids are generated: keep only the topic prefix.
    return result.Subscriptions?.map((s) => ({
      ...s,
      SubscriptionArn: s.SubscriptionArn?.startsWith(`${topicArn}:`),
    }));
  });
  await compare('GetTopicAttributes', 'management', e1, (c) =>
    c.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })),
  );
  await compare('GetTopicAttributes unknown', 'management', e1, (c) =>
    c.sns.send(new GetTopicAttributesCommand({ TopicArn: `${topicArn}-missing` })),
  );
  await compare('ListTargetsByRule', 'management', e1, (c) =>
    c.events.send(new ListTargetsByRuleCommand({ Rule: 'root-activity' })),
  );
  await compare('ListTargetsByRule unknown', 'management', e1, (c) =>
    c.events.send(new ListTargetsByRuleCommand({ Rule: 'no-such-rule' })),
  );
});
