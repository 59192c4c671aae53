// The live root activity templates (SPEC §3a) against the code: their rules forward exactly what
// @rootaudit/root-events calls root activity (its ROOT_EVENTS_RULE_PATTERN and state, judged on the
// sample events the ingest code is tested with), and the plumbing around them admits only the
// organization (bus), only rootaudit's rule (queues) and rootaudit's ingest path. Two checks from
// outside this repository: cfn-lint, which validates resource types and properties against AWS's
// CloudFormation resource schemas, and moto, which creates both stacks and carries events from a
// member's default bus to the central queue.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matchesEventPattern } from '@rootaudit/checks';
import { ROOT_EVENTS_RULE_PATTERN, ROOT_EVENTS_RULE_STATE } from '@rootaudit/root-events';
import { OTHER_EVENT_SAMPLES, ROOT_EVENT_SAMPLES } from '@rootaudit/root-events/fixtures';
import t from 'tap';
import {
  evaluateTemplate,
  grantedActions,
  grantProblems,
  type JsonObject,
  loadTemplate,
  permissionStatements,
  type Template,
  trustStatements,
  undefinedReferences,
} from './cloudformation.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const templatesDir = join(root, 'deploy/cloudformation');
const memberPath = join(templatesDir, 'root-events-member.yaml');
const centralPath = join(templatesDir, 'root-events-central.yaml');
const memberTemplate = await loadTemplate(memberPath);
const centralTemplate = await loadTemplate(centralPath);

const CENTRAL_BUS = 'arn:aws:events:eu-west-1:222222222222:event-bus/rootaudit-root-activity';
const ORGANIZATION = 'o-a1b2c3d4e5';
const ENDPOINT = 'https://rootaudit.example.com';

const member = evaluateTemplate(memberTemplate, { parameters: { CentralEventBusArn: CENTRAL_BUS } });
const central = (parameters: Record<string, string> = {}) =>
  evaluateTemplate(centralTemplate, {
    parameters: { OrganizationId: ORGANIZATION, ...parameters },
    accountId: '222222222222',
    region: 'eu-west-1',
  });
const both = central({ ApiDestinationEndpoint: ENDPOINT, IngestApiKey: 'ra_ingest_secret' });

function resource(template: Template, name: string): JsonObject {
  const found = template.Resources?.[name];
  if (!found) throw new Error(`no resource ${name}`);
  return found;
}
function properties(template: Template, name: string): JsonObject {
  return resource(template, name).Properties as JsonObject;
}
function rulesOf(template: Template): [string, JsonObject][] {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::Events::Rule');
}
/** The one statement of a resource policy (bus policy or queue policy). */
function onlyStatement(document: unknown): JsonObject {
  const statements = (document as JsonObject).Statement as JsonObject[];
  if (statements.length !== 1) throw new Error(`${statements.length} statements`);
  return statements[0] as JsonObject;
}

for (const [name, template] of [
  ['root-events-member.yaml', memberTemplate],
  ['root-events-central.yaml', centralTemplate],
] as const) {
  t.test(`${name}: a CloudFormation template whose every name is defined`, async (t) => {
    t.equal(template.AWSTemplateFormatVersion, '2010-09-09');
    t.type(template.Description, 'string');
    t.same(undefinedReferences(template), [], 'every Ref, Sub variable, GetAtt and condition is defined');
    t.same(
      grantProblems(template),
      [],
      'no wildcard action, NotAction, NotResource or managed policy by ARN',
    );
  });
}

t.test('every rule of both templates has exactly the root-events pattern and state', async (t) => {
  const rules = [...rulesOf(member), ...rulesOf(both)];
  t.same(
    rules.map(([name]) => name),
    ['RootActivityRule', 'QueueRule', 'ApiDestinationRule'],
  );
  for (const [name, rule] of rules) {
    const props = rule.Properties as JsonObject;
    t.same(props.EventPattern, ROOT_EVENTS_RULE_PATTERN, `${name}: ROOT_EVENTS_RULE_PATTERN`);
    t.equal(props.State, ROOT_EVENTS_RULE_STATE, `${name}: ${ROOT_EVENTS_RULE_STATE}`);
  }
});

t.test('the rules forward every root sample and no other', async (t) => {
  for (const [name, rule] of [...rulesOf(member), ...rulesOf(both)]) {
    const pattern = (rule.Properties as JsonObject).EventPattern;
    for (const [situation, event] of Object.entries(ROOT_EVENT_SAMPLES))
      t.equal(matchesEventPattern(pattern, event), true, `${name} forwards: ${situation}`);
    for (const [situation, event] of Object.entries(OTHER_EVENT_SAMPLES))
      t.equal(matchesEventPattern(pattern, event), false, `${name} leaves: ${situation}`);
  }
});

t.test(
  'root-events-member.yaml: the default bus forwards to the central bus with a role that may only put events there',
  async (t) => {
    const rule = properties(member, 'RootActivityRule');
    t.equal(rule.EventBusName, 'default');
    t.same(rule.Targets, [
      { Id: 'rootaudit-central-bus', Arn: CENTRAL_BUS, RoleArn: '<ForwardingRole.Arn>' },
    ]);
    t.same(
      permissionStatements(member).map(({ statement }) => statement),
      [
        {
          Sid: 'PutEventsOnCentralBus',
          Effect: 'Allow',
          Action: ['events:PutEvents'],
          Resource: CENTRAL_BUS,
        },
      ],
    );
    t.same(trustStatements(member).ForwardingRole, [
      {
        Sid: 'TrustEventBridgeOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      },
    ]);
    t.notOk('Default' in (memberTemplate.Parameters?.CentralEventBusArn ?? {}), 'the bus is required');
  },
);

t.test('root-events-member.yaml: says where to deploy it (us-east-1 and every scanned Region)', async (t) => {
  const description = String(memberTemplate.Description);
  t.match(description, /StackSet/);
  t.match(description, /us-east-1 AND to every Region rootaudit scans/);
  t.match(description, /management account/);
  const readme = await readFile(join(root, 'deploy/README.md'), 'utf8');
  t.match(readme, /^## \d+\. Live root activity$/m);
  t.match(readme, /--regions us-east-1 /, 'the README deploys the StackSet to us-east-1');
});

t.test(
  'root-events-central.yaml: only principals of the organization may put events on the bus',
  async (t) => {
    const bus = properties(both, 'RootActivityBus');
    t.same(onlyStatement(bus.Policy), {
      Sid: 'PutEventsFromTheOrganization',
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: 'arn:aws:events:eu-west-1:222222222222:event-bus/rootaudit-root-activity',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION } },
    });
    t.match(both.Outputs, { EventBusArn: { Value: '<RootActivityBus.Arn>' } });
    t.equal(
      properties(both, 'QueueRule').EventBusName,
      '<RootActivityBus.Name>',
      'the rules are on that bus',
    );
    t.equal(properties(both, 'ApiDestinationRule').EventBusName, '<RootActivityBus.Name>');
  },
);

t.test(
  'root-events-central.yaml: the queue takes messages from its rule only, encrypted, with a DLQ',
  async (t) => {
    const pull = central();
    const queue = properties(pull, 'RootEventsQueue');
    t.same(queue.RedrivePolicy, {
      deadLetterTargetArn: '<RootEventsDeadLetterQueue.Arn>',
      maxReceiveCount: '5',
    });
    t.match(properties(central({ MaxReceiveCount: '3' }), 'RootEventsQueue').RedrivePolicy, {
      maxReceiveCount: '3',
    });
    for (const name of ['RootEventsQueue', 'RootEventsDeadLetterQueue', 'UndeliveredEventsQueue'])
      t.equal(properties(pull, name).SqsManagedSseEnabled, true, `${name}: SSE`);
    t.equal(queue.ReceiveMessageWaitTimeSeconds, 20, 'long polling');

    const policy = properties(pull, 'RootEventsQueuePolicy');
    t.same(policy.Queues, ['<RootEventsQueue>']);
    t.same(onlyStatement(policy.PolicyDocument), {
      Sid: 'OnlyTheQueueRule',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: '<RootEventsQueue.Arn>',
      Condition: { ArnEquals: { 'aws:SourceArn': '<QueueRule.Arn>' } },
    });
    t.same(properties(pull, 'QueueRule').Targets, [
      {
        Id: 'rootaudit-queue',
        Arn: '<RootEventsQueue.Arn>',
        DeadLetterConfig: { Arn: '<UndeliveredEventsQueue.Arn>' },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      },
    ]);
    const undelivered = properties(pull, 'UndeliveredEventsQueuePolicy');
    t.same(onlyStatement(undelivered.PolicyDocument).Condition, {
      ArnLike: {
        'aws:SourceArn': 'arn:aws:events:eu-west-1:222222222222:rule/rootaudit-root-activity/*',
      },
    });
    t.match(pull.Outputs, {
      QueueUrl: { Value: '<RootEventsQueue>' },
      DeadLetterQueueUrl: { Value: '<RootEventsDeadLetterQueue>' },
      ConsumerPolicyArn: { Value: '<RootEventsConsumerPolicy>' },
    });
    t.notOk(pull.Resources?.ApiDestinationRule, 'no API destination without an endpoint');
    t.notOk(pull.Resources?.RootauditConnection);
  },
);

t.test("root-events-central.yaml: the worker's policy is what consuming the queue needs", async (t) => {
  const granted = permissionStatements(central()).filter(({ where }) =>
    where.startsWith('RootEventsConsumerPolicy/'),
  );
  t.same(
    granted.map(({ statement }) => [statement.Effect, statement.Action, statement.Resource]),
    [
      [
        'Allow',
        ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        '<RootEventsQueue.Arn>',
      ],
      ['Allow', ['sqs:SendMessage'], '<RootEventsDeadLetterQueue.Arn>'],
    ],
  );
});

t.test(
  'root-events-central.yaml: with an endpoint, an API destination posts to /v1/events/aws with the ingest key',
  async (t) => {
    t.equal(centralTemplate.Parameters?.IngestApiKey?.NoEcho, true, 'the key is not echoed');
    t.same(properties(both, 'RootauditConnection'), {
      Description: 'rootaudit ingest API key.',
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: { ApiKeyName: 'Authorization', ApiKeyValue: 'Bearer ra_ingest_secret' },
      },
    });
    const destination = properties(both, 'RootauditApiDestination');
    t.equal(destination.InvocationEndpoint, `${ENDPOINT}/v1/events/aws`);
    t.equal(destination.HttpMethod, 'POST');
    t.equal(destination.ConnectionArn, '<RootauditConnection.Arn>');
    t.same(properties(both, 'ApiDestinationRule').Targets, [
      {
        Id: 'rootaudit-api-destination',
        Arn: '<RootauditApiDestination.Arn>',
        RoleArn: '<ApiDestinationRole.Arn>',
        DeadLetterConfig: { Arn: '<UndeliveredEventsQueue.Arn>' },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      },
    ]);
    const roleGrants = permissionStatements(both).filter(({ where }) =>
      where.startsWith('ApiDestinationRole/'),
    );
    t.same(
      roleGrants.map(({ statement }) => [statement.Action, statement.Resource]),
      [[['events:InvokeApiDestination'], '<RootauditApiDestination.Arn>']],
    );
    const pattern = new RegExp(String(centralTemplate.Parameters?.ApiDestinationEndpoint?.AllowedPattern));
    const whole = (value: string) => pattern.exec(value)?.[0] === value;
    t.ok(whole(ENDPOINT) && whole('') && whole('https://example.com/rootaudit'), 'HTTPS base URLs');
    t.notOk(whole('http://rootaudit.example.com'), 'an API destination needs HTTPS');
    t.notOk(whole('https://rootaudit.example.com/'), 'no trailing slash (the path would be //v1/…)');
  },
);

t.test('root-events-central.yaml: push only, without the queue', async (t) => {
  const push = central({ PullQueue: 'Disabled', ApiDestinationEndpoint: ENDPOINT, IngestApiKey: 'k' });
  t.same(Object.keys(push.Resources ?? {}).sort(), [
    'ApiDestinationRole',
    'ApiDestinationRule',
    'RootActivityBus',
    'RootauditApiDestination',
    'RootauditConnection',
    'UndeliveredEventsQueue',
    'UndeliveredEventsQueuePolicy',
  ]);
  t.same(Object.keys(push.Outputs ?? {}).sort(), [
    'ApiDestinationArn',
    'EventBusArn',
    'UndeliveredEventsQueueUrl',
  ]);
  t.same([...grantedActions(push).keys()], ['events:InvokeApiDestination']);
});

// ---------------------------------------------------------------------------------------------
// From outside the repository.

function onPath(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const CFN_LINT = onPath('cfn-lint');

function cfnLint(...paths: string[]): { status: number | null; output: string } {
  const run = spawnSync(CFN_LINT ?? 'cfn-lint', ['--format', 'parseable', ...paths], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

t.test(
  "cfn-lint: the resource types and properties are valid in AWS's resource schemas",
  { skip: CFN_LINT ? false : 'cfn-lint is not on PATH: the templates are not checked against AWS schemas' },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'rootaudit-cfn-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    // The linter first proves it sees what these templates could get wrong.
    const broken = join(dir, 'broken.yaml');
    await writeFile(
      broken,
      (await readFile(centralPath, 'utf8'))
        .replace('SqsManagedSseEnabled: true', 'SqsManagedSSEEnabled: true')
        .replace('HttpMethod: POST', 'HttpMethod: SEND'),
    );
    // One run for all three (each start costs seconds): parseable lines begin with the file's path.
    const lint = cfnLint(broken, memberPath, centralPath);
    const linesOf = (path: string) => lint.output.split('\n').filter((line) => line.startsWith(`${path}:`));
    t.not(lint.status, 0, 'the broken copy fails');
    t.match(linesOf(broken).join('\n'), /SqsManagedSSEEnabled/, 'a misspelled property');
    t.match(linesOf(broken).join('\n'), /SEND/, 'a value outside the enum');
    t.same(linesOf(memberPath), [], 'root-events-member.yaml is clean');
    t.same(linesOf(centralPath), [], 'root-events-central.yaml is clean');
    t.same(
      lint.output
        .split('\n')
        .filter(
          (line) =>
            line &&
            !line.startsWith(`${broken}:`) &&
            !line.startsWith(`${memberPath}:`) &&
            !line.startsWith(`${centralPath}:`),
        ),
      [],
      'nothing else said',
    );
  },
);

const MOTO = onPath('moto_server');
const PYTHON = onPath('python3');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startMoto(path: string) {
  const port = await freePort();
  const child = spawn(path, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).ok) return { endpoint, child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error('moto_server did not start within 15 s');
}

interface MotoRun {
  central: Record<string, string>;
  member: Record<string, string>;
  rules: Record<string, { State: string; EventPattern: unknown; Targets: JsonObject[] }>;
  failedEntries: number;
  queueAttributes: Record<string, string>;
  received: { 'detail-type': string; detail: { eventID?: string } }[];
}

t.test(
  'moto: both stacks are created, and a member default bus carries the root samples, and only them, to the central queue',
  { skip: MOTO && PYTHON ? false : 'moto_server or python3 is not on PATH: stacks not created in moto' },
  async (t) => {
    const moto = await startMoto(MOTO as string);
    t.teardown(() => {
      moto.child.kill();
    });
    const samples = [...Object.values(ROOT_EVENT_SAMPLES), ...Object.values(OTHER_EVENT_SAMPLES)];
    const run = spawnSync(
      PYTHON as string,
      [join(root, 'test/deploy/moto-root-events.py'), moto.endpoint, templatesDir, ORGANIZATION],
      { input: JSON.stringify(samples), encoding: 'utf8' },
    );
    t.equal(run.status, 0, run.stderr.slice(-2000));
    const result = JSON.parse(run.stdout) as MotoRun;
    t.match(result.central.QueueUrl, /RootEventsQueue/);
    const memberRule = result.rules['default/rootaudit-root-activity'];
    t.same(memberRule?.EventPattern, ROOT_EVENTS_RULE_PATTERN, 'moto holds the member pattern');
    t.equal(memberRule?.State, ROOT_EVENTS_RULE_STATE);
    t.equal(
      memberRule?.Targets[0]?.Arn,
      result.central.EventBusArn,
      'the member forwards to the central bus',
    );
    const queueRule = result.rules['rootaudit-root-activity/rootaudit-root-activity-to-queue'];
    t.same(queueRule?.EventPattern, ROOT_EVENTS_RULE_PATTERN);
    t.equal(queueRule?.State, ROOT_EVENTS_RULE_STATE);
    t.match(JSON.parse(result.queueAttributes.RedrivePolicy ?? '{}'), {
      deadLetterTargetArn: /RootEventsDeadLetterQueue/,
      maxReceiveCount: 5,
    });
    t.equal(result.queueAttributes.SqsManagedSseEnabled, 'true');
    t.equal(result.failedEntries, 0);
    const rootIds = Object.values(ROOT_EVENT_SAMPLES).map((event) => (event.detail as JsonObject).eventID);
    t.same(
      result.received.map((event) => event.detail.eventID).sort(),
      [...rootIds].sort(),
      'every root sample arrived once, and nothing else',
    );
  },
);
