/**
 * A moto organization seeded through the AWS SDK, for the end-to-end tests (test/e2e/moto-org.test.ts
 * and the CLI's scan.test.ts). Each member is set up for a situation the checks must tell apart:
 *
 * - management (123456789012, moto's own): nothing seeded beyond the organization.
 * - payments (OU Workloads/Prod, DenyRoot SCP on Prod): the whole alerting chain, every contact,
 *   GuardDuty on. The CIS root-usage filter is written with other spacing and clause order, so only a
 *   comparison by meaning accepts it.
 * - dev (OU Workloads/NonProd; DenyRoot on Workloads, two levels up): a single-region trail that is
 *   not logging, feeding a log group with the CIS filter → alarm → topic without a subscriber; a
 *   DISABLED EventBridge root rule with a target; a disabled GuardDuty detector; BILLING contact only.
 * - sandbox (OU Sandbox, no deny SCP, root email on gmail.com): nothing at all.
 *
 * What moto cannot hold (root MFA, root keys, a credential report root row, LookupEvents,
 * iam:ListOrganizationsFeatures, sts:AssumeRoot) stays absent, and checks must not PASS on it.
 */
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
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  MoveAccountCommand,
} from '@aws-sdk/client-organizations';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { type AccountClients, ClientFactory } from '@rootaudit/aws';

export const MOTO_EXTERNAL_ID = 'rootaudit-moto-external-id';
export const MOTO_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' };

/** The CIS root-usage filter as CIS prints it. */
export const CIS_PATTERN =
  '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }';
/** The same filter by meaning: other clause order, parentheses and spacing. */
export const CIS_PATTERN_REWRITTEN =
  '{($.eventType!="AwsServiceEvent")&&($.userIdentity.invokedBy NOT EXISTS)&&($.userIdentity.type="Root")}';

export interface MotoOrganization {
  organizationId: string;
  managementId: string;
  paymentsId: string;
  devId: string;
  sandboxId: string;
}

const DENY_ROOT = JSON.stringify({
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

/** moto validates a trail's bucket; S3 is not among our SDK clients, so create it over plain HTTP. */
async function createBucket(endpoint: string, account: AccountClients, bucket: string): Promise<void> {
  const credentials = await (
    account.client('sts').config.credentials as () => Promise<{ accessKeyId: string }>
  )();
  const response = await fetch(`${endpoint}/${bucket}`, {
    method: 'PUT',
    headers: {
      host: '127.0.0.1',
      authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20261123/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0`,
    },
  });
  if (!response.ok) throw new Error(`moto refused bucket ${bucket}: HTTP ${response.status}`);
}

async function alarmChain(
  account: AccountClients,
  options: { logGroup: string; pattern: string; topic: string; subscribe: boolean },
): Promise<string> {
  const logs = account.client('logs', 'us-east-1');
  await logs.send(new CreateLogGroupCommand({ logGroupName: options.logGroup }));
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: options.logGroup,
      filterName: 'root-usage',
      filterPattern: options.pattern,
      metricTransformations: [
        { metricName: 'RootAccountUsage', metricNamespace: 'CISBenchmark', metricValue: '1' },
      ],
    }),
  );
  const sns = account.client('sns', 'us-east-1');
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: options.topic }))).TopicArn ?? '';
  if (options.subscribe) {
    await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'secops@example.com' }),
    );
  }
  await account.client('cloudwatch', 'us-east-1').send(
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
  return topicArn;
}

async function rootRule(account: AccountClients, targetArn: string, state: 'ENABLED' | 'DISABLED') {
  const events = account.client('events', 'us-east-1');
  await events.send(
    new PutRuleCommand({
      Name: 'root-activity',
      EventPattern: JSON.stringify({
        'detail-type': ['AWS Console Sign In via CloudTrail', 'AWS API Call via CloudTrail'],
        detail: { userIdentity: { type: ['Root'] } },
      }),
      State: state,
    }),
  );
  await events.send(
    new PutTargetsCommand({ Rule: 'root-activity', Targets: [{ Id: 'sns', Arn: targetArn }] }),
  );
}

async function contact(account: AccountClients, type: 'BILLING' | 'OPERATIONS' | 'SECURITY') {
  await account.client('account').send(
    new PutAlternateContactCommand({
      AlternateContactType: type,
      Name: `${type} team`,
      Title: 'lead',
      EmailAddress: `${type.toLowerCase()}@example.com`,
      PhoneNumber: '+1-555-0100',
    }),
  );
}

/** Seeds the organization described above into a fresh moto_server at `endpoint`. */
export async function seedMotoOrganization(endpoint: string): Promise<MotoOrganization> {
  const seed = new ClientFactory({
    scanId: 'seed',
    endpoint,
    region: 'us-east-1',
    credentials: MOTO_CREDENTIALS,
    externalId: MOTO_EXTERNAL_ID,
    maxAttempts: 2,
  });
  try {
    const organizations = seed.forOrganization().client('organizations');
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const organization = (await organizations.send(new DescribeOrganizationCommand({}))).Organization;
    const rootId = (await organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    const ou = async (parentId: string, name: string) =>
      (await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: name })))
        .OrganizationalUnit?.Id ?? '';
    const workloads = await ou(rootId, 'Workloads');
    const prod = await ou(workloads, 'Prod');
    const nonProd = await ou(workloads, 'NonProd');
    const sandboxOu = await ou(rootId, 'Sandbox');
    const account = async (name: string, email: string, parentId: string) => {
      const request = await organizations.send(new CreateAccountCommand({ AccountName: name, Email: email }));
      const status = await organizations.send(
        new DescribeCreateAccountStatusCommand({
          CreateAccountRequestId: request.CreateAccountStatus?.Id ?? '',
        }),
      );
      const id = status.CreateAccountStatus?.AccountId ?? '';
      await organizations.send(
        new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: parentId }),
      );
      return id;
    };
    const paymentsId = await account('payments', 'aws+payments@example.com', prod);
    const devId = await account('dev', 'aws+dev@example.com', nonProd);
    const sandboxId = await account('sandbox', 'sandbox.owner@gmail.com', sandboxOu);

    await organizations.send(
      new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }),
    );
    const policy = await organizations.send(
      new CreatePolicyCommand({
        Name: 'DenyRootUser',
        Description: 'deny root in member accounts',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: DENY_ROOT,
      }),
    );
    const policyId = policy.Policy?.PolicySummary?.Id ?? '';
    await organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: prod }));
    await organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: workloads }));

    // payments: everything in place.
    const payments = seed.forAccount(paymentsId);
    await createBucket(endpoint, payments, `trail-${paymentsId}`);
    const paymentsTopic = await alarmChain(payments, {
      logGroup: 'cloudtrail',
      pattern: CIS_PATTERN_REWRITTEN,
      topic: 'security-alerts',
      subscribe: true,
    });
    const paymentsTrail = payments.client('cloudtrail', 'us-east-1');
    await paymentsTrail.send(
      new CreateTrailCommand({
        Name: 'management-events',
        S3BucketName: `trail-${paymentsId}`,
        IsMultiRegionTrail: true,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${paymentsId}:log-group:cloudtrail:*`,
        CloudWatchLogsRoleArn: `arn:aws:iam::${paymentsId}:role/trail-to-logs`,
      }),
    );
    await paymentsTrail.send(new StartLoggingCommand({ Name: 'management-events' }));
    await paymentsTrail.send(
      new PutEventSelectorsCommand({
        TrailName: 'management-events',
        EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
      }),
    );
    await rootRule(payments, paymentsTopic, 'ENABLED');
    await payments.client('guardduty', 'us-east-1').send(new CreateDetectorCommand({ Enable: true }));
    for (const type of ['BILLING', 'OPERATIONS', 'SECURITY'] as const) await contact(payments, type);

    // dev: every link present but broken somewhere.
    const dev = seed.forAccount(devId);
    await createBucket(endpoint, dev, `trail-${devId}`);
    const devTopic = await alarmChain(dev, {
      logGroup: 'dev-trail',
      pattern: CIS_PATTERN,
      topic: 'dev-alerts',
      subscribe: false,
    });
    await dev.client('cloudtrail', 'us-east-1').send(
      new CreateTrailCommand({
        Name: 'dev-trail',
        S3BucketName: `trail-${devId}`,
        IsMultiRegionTrail: false,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${devId}:log-group:dev-trail:*`,
        CloudWatchLogsRoleArn: `arn:aws:iam::${devId}:role/trail-to-logs`,
      }),
    );
    await rootRule(dev, devTopic, 'DISABLED');
    await dev.client('guardduty', 'us-east-1').send(new CreateDetectorCommand({ Enable: false }));
    await contact(dev, 'BILLING');

    return {
      organizationId: organization?.Id ?? '',
      managementId: organization?.MasterAccountId ?? '',
      paymentsId,
      devId,
      sandboxId,
    };
  } finally {
    seed.destroy();
  }
}
