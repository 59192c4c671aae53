// Latency, throttling and faults make the real SDK retry, then fail; the call log counts attempts.
import { GetAlternateContactCommand } from '@aws-sdk/client-account';
import { GetTrailStatusCommand, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
} from '@aws-sdk/client-iam';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import t from 'tap';
import { loadOrganization, type Simulator, startSimulator } from './index.ts';
import { credentialsOf, rejection, type SdkClients, sdkClients } from './testing.ts';

const EXTERNAL_ID = 'rootaudit-sample-external-id';
let sim: Simulator;
let org: SdkClients;

t.before(async () => {
  sim = await startSimulator({ model: loadOrganization() });
  org = sdkClients(sim.endpoint);
});
t.teardown(() => sim.stop());
t.afterEach(() => {
  sim.setKnobs({});
  sim.callLog.clear();
});

async function member(accountId: string, maxAttempts = 3) {
  const assumed = await org.sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/RootAuditRole`,
      RoleSessionName: 'knobs',
      ExternalId: EXTERNAL_ID,
    }),
  );
  return sdkClients(sim.endpoint, credentialsOf(assumed), 'us-east-1', maxAttempts);
}

t.test('throttling past the retry budget: the SDK retries, then fails with the AWS code', async (t) => {
  sim.setKnobs({
    throttling: [{ service: 'iam', operation: 'GetAccountSummary', ratePerSecond: 0.001, burst: 1 }],
  });
  const m = await member('222222222222');
  await m.iam.send(new GetAccountSummaryCommand({}));
  const error = await rejection(m.iam.send(new GetAccountSummaryCommand({})));
  t.equal(error.name, 'Throttling');
  t.equal(error.$metadata?.attempts, 3);
  t.equal(sim.callLog.count({ operation: 'GetAccountSummary', accountId: '222222222222' }), 4);
  t.equal(sim.callLog.count({ operation: 'GetAccountSummary', errorCode: 'Throttling' }), 3);
  const other = await member('333333333333');
  t.ok(await other.iam.send(new GetAccountSummaryCommand({})), 'buckets are per account');
});

t.test('SNS throttles with its own code, Throttled (HTTP 429), and the SDK retries it', async (t) => {
  sim.setKnobs({ throttling: [{ service: 'sns', ratePerSecond: 0.001, burst: 1 }] });
  const topic = { TopicArn: 'arn:aws:sns:us-east-1:111111111111:cis-alarms' };
  await org.sns.send(new ListSubscriptionsByTopicCommand(topic));
  const error = await rejection(org.sns.send(new ListSubscriptionsByTopicCommand(topic)));
  t.equal(error.$metadata?.httpStatusCode, 429);
  t.equal(error.$metadata?.attempts, 3, 'retried as a throttle');
  t.equal(sim.callLog.count({ service: 'sns', errorCode: 'Throttled' }), 3);
});

t.test('throttling that recovers: the SDK retry succeeds', async (t) => {
  // Two calls at once against a bucket of one: one is throttled, and the SDK's growing backoff
  // reaches a refilled bucket (every 500 ms) well within ten attempts, however busy the machine.
  sim.setKnobs({ throttling: [{ service: 'organizations', ratePerSecond: 2, burst: 1 }] });
  const patient = sdkClients(sim.endpoint, undefined, 'us-east-1', 10);
  const pages = await Promise.all([
    patient.organizations.send(new ListAccountsCommand({})),
    patient.organizations.send(new ListAccountsCommand({})),
  ]);
  t.same(
    pages.map((page) => page.Accounts?.length),
    [12, 12],
  );
  t.ok(
    pages.some((page) => (page.$metadata.attempts ?? 1) > 1),
    'one of the calls needed a retry',
  );
  t.ok(sim.callLog.count({ operation: 'ListAccounts', errorCode: 'TooManyRequestsException' }) >= 1);
});

t.test('LookupEvents keeps AWS limit of 2 requests/s per account and region', async (t) => {
  // Jittered backoff can land a retry in a still-empty bucket: give this client a larger retry budget.
  const m = await member('999999999999', 10);
  const results = await Promise.all(
    Array.from({ length: 4 }, () => m.cloudtrail.send(new LookupEventsCommand({}))),
  );
  t.equal(results.length, 4, 'all succeed after retries');
  t.ok(sim.callLog.count({ operation: 'LookupEvents', errorCode: 'ThrottlingException' }) >= 1);
  sim.callLog.clear();
  sim.setKnobs({ lookupEventsRatePerSecond: null });
  await Promise.all(Array.from({ length: 6 }, () => m.cloudtrail.send(new LookupEventsCommand({}))));
  t.equal(sim.callLog.count({ operation: 'LookupEvents', failed: true }), 0, 'null turns the limit off');
});

t.test('a burst of 5xx: retried and then answered', async (t) => {
  sim.setKnobs({ faults: { serverErrors: [{ service: 'cloudtrail', count: 2, status: 503 }] } });
  const status = await org.cloudtrail.send(new GetTrailStatusCommand({ Name: 'organization-trail' }));
  t.equal(status.IsLogging, true);
  t.equal(status.$metadata.attempts, 3);
  t.equal(sim.callLog.count({ operation: 'GetTrailStatus', failed: true }), 2);
});

t.test('a longer burst of 5xx: the SDK gives up', async (t) => {
  sim.setKnobs({ faults: { serverErrors: [{ service: 'cloudtrail', count: 10 }] } });
  const error = await rejection(
    org.cloudtrail.send(new GetTrailStatusCommand({ Name: 'organization-trail' })),
  );
  t.equal(error.$metadata?.httpStatusCode, 500);
  t.equal(error.$metadata?.attempts, 3);
});

t.test('AccessDenied for given accounts and actions, nowhere else', async (t) => {
  sim.setKnobs({
    faults: { accessDenied: [{ accountId: '444444444444', service: 'iam', operation: 'GetAccountSummary' }] },
  });
  const denied = await member('444444444444');
  const error = await rejection(denied.iam.send(new GetAccountSummaryCommand({})));
  t.equal(error.name, 'AccessDenied');
  t.equal(error.$metadata?.attempts, 1, 'not retried');
  t.match(error.message, /iam:GetAccountSummary/);
  t.match(
    error.message,
    /^User: arn:aws:sts::444444444444:assumed-role\/RootAuditRole\/knobs is not authorized/,
    'the denied principal is the session that called',
  );
  t.ok(await denied.iam.send(new GenerateCredentialReportCommand({})));
  t.ok(await (await member('333333333333')).iam.send(new GetAccountSummaryCommand({})));
});

t.test('faults match the account a call reaches into', async (t) => {
  sim.setKnobs({
    faults: {
      accessDenied: [{ service: 'account', operation: 'GetAlternateContact', accountId: '222222222222' }],
      serverErrors: [{ service: 'sts', operation: 'AssumeRole', accountId: '333333333333', count: 1 }],
    },
  });
  const error = await rejection(
    org.account.send(
      new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: '222222222222' }),
    ),
  );
  t.equal(error.name, 'AccessDeniedException');
  t.match(
    error.message,
    /^User: arn:aws:iam::111111111111:user\/rootaudit is not authorized to perform: account:GetAlternateContact on account 222222222222/,
    'base credentials are named as the IAM user they are, not as the audit role',
  );
  t.notMatch(error.message, /assumed-role/);
  t.ok(
    await org.account.send(
      new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: '333333333333' }),
    ),
  );
  await member('333333333333');
  t.equal(
    sim.callLog.count({ operation: 'AssumeRole', errorCode: 'InternalFailure' }),
    1,
    'retried after one 500',
  );
});

t.test('missing audit role', async (t) => {
  sim.setKnobs({ faults: { missingAuditRole: ['444444444444'] } });
  const error = await rejection(
    org.sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::444444444444:role/RootAuditRole',
        RoleSessionName: 'x',
        ExternalId: EXTERNAL_ID,
      }),
    ),
  );
  t.equal(error.name, 'AccessDenied');
  t.equal(sim.callLog.count({ operation: 'AssumeRole', errorCode: 'AccessDenied' }), 1);
});

t.test('credential report stuck in progress', async (t) => {
  sim.setKnobs({ credentialReportDelayMs: 0, faults: { credentialReportStuck: ['555555555555'] } });
  const stuck = await member('555555555555');
  t.equal((await stuck.iam.send(new GenerateCredentialReportCommand({}))).State, 'STARTED');
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal((await stuck.iam.send(new GenerateCredentialReportCommand({}))).State, 'INPROGRESS');
  const error = await rejection(stuck.iam.send(new GetCredentialReportCommand({})));
  t.equal(error.name, 'CredentialReportNotReadyException');
  const fine = await member('666666666666');
  await fine.iam.send(new GenerateCredentialReportCommand({}));
  await new Promise((resolve) => setTimeout(resolve, 5));
  t.ok((await fine.iam.send(new GetCredentialReportCommand({}))).Content);
});

t.test('latency is added to every call', async (t) => {
  sim.setKnobs({ latency: { fixedMs: 40, jitterMs: 10 } });
  const start = Date.now();
  await org.organizations.send(new ListAccountsCommand({}));
  t.ok(Date.now() - start >= 40);
});
