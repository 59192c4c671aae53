// The deploy templates against the code (SPEC §5: "a test that proves the template grants every
// action the code calls"). Three sources of truth, each checking the others:
//  - the source: every SDK Command the production code imports (sdk-actions.ts), complete over code
//    paths, says which actions exist;
//  - the collectors' declared `actions` and `principals` (@rootaudit/aws) say who signs each one;
//  - a full scan of the simulator's sample organization, whose call log records each call with the
//    kind of credentials that signed it, says what really runs under which principal.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  accountCollectors,
  auditRoleActions,
  auditRootTaskPolicyArn,
  ClientFactory,
  collectorActions,
  eventQueueActions,
  organizationRoleActions,
} from '@rootaudit/aws';
import { loadOrganization, startSimulator } from '@rootaudit/aws-sim';
import { checks } from '@rootaudit/checks';
import { scanOrganization } from '@rootaudit/scanner';
import t from 'tap';
import {
  actionsOf,
  evaluateTemplate,
  grantedActions,
  grantProblems,
  type JsonObject,
  loadTemplate,
  parseTemplate,
  permissionStatements,
  type Template,
  trustStatements,
  undefinedReferences,
} from './cloudformation.ts';
import { compareActions, type SourceExtraction, sdkCallsInSource, sdkCallsInTree } from './sdk-actions.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const templatePath = (name: string) => join(root, 'deploy/cloudformation', name);

/**
 * sts:AssumeRole is called with the scanner's own (base) credentials, on the audit and organization
 * roles: the scanner's identity policy grants it (deploy/README.md), and the trust policies accept it.
 */
const SCANNER_PRINCIPAL_ACTIONS = new Map([['sts:AssumeRole', 'the scanner principal’s own policy']]);
/**
 * The root-event queue consumer (ROOTAUDIT_EVENTS_QUEUE_URL) calls SQS with the worker's own (base)
 * credentials, on the events queue and its dead-letter queue: the worker's identity policy (or the
 * queue policy) grants them, not the audit or organization role.
 */
const WORKER_QUEUE_ACTIONS = new Map(
  [...eventQueueActions.queue, ...eventQueueActions.deadLetterQueue].map((action) => [
    action,
    'the worker principal’s own policy on the root-events queue',
  ]),
);
/** Actions AWS allows every principal, whatever its policies say: no template grants them. */
const NEEDS_NO_PERMISSION = new Map([
  ['sts:GetCallerIdentity', 'no permission: AWS allows it to every principal'],
]);

/**
 * What an sts:AssumeRoot session with IAMAuditRootUserCredentials may call: the AWS managed task
 * policy denies every other action (and these on anything but the root user). From
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/security-iam-awsmanpol.html#security-iam-awsmanpol-IAMAuditRootUserCredentials
 */
const AUDIT_ROOT_TASK_POLICY_ACTIONS = new Set([
  'iam:GetAccessKeyLastUsed',
  'iam:GetAccountSummary',
  'iam:GetLoginProfile',
  'iam:GetUser',
  'iam:ListAccessKeys',
  'iam:ListMFADevices',
  'iam:ListSigningCertificates',
]);

/** The simulator logs services by signing name; IAM actions use the service prefix. */
const IAM_PREFIX_OF_SIGNING_NAME: Record<string, string> = { monitoring: 'cloudwatch' };

// ---------------------------------------------------------------------------------------------
// The checker's own parts, on inputs made to fail.

t.test('compareActions names what a short grant misses and what an extra grant adds', async (t) => {
  const called = new Map([
    ['iam:GetAccountSummary', ['a.ts:1']],
    ['iam:GetCredentialReport', ['b.ts:2']],
  ]);
  const short = compareActions(called, new Map([['iam:GetAccountSummary', 'Role/p/S']]));
  t.same(short, { missing: ['iam:GetCredentialReport (called at b.ts:2)'], unused: [] });
  const extra = compareActions(
    called,
    new Map([
      ['iam:GetAccountSummary', 'Role/p/S'],
      ['iam:GetCredentialReport', 'Role/p/S'],
      ['iam:DeleteUser', 'Role/p/Oops'],
    ]),
  );
  t.same(extra, { missing: [], unused: ['iam:DeleteUser (granted by Role/p/Oops)'] });
});

t.test('the extractor follows named, aliased and type-only imports and paginators', async (t) => {
  const { calls, problems } = sdkCallsInSource(
    'x.ts',
    [
      "import { ListRootsCommand as Roots, paginateListAccounts, OrganizationsClient } from '@aws-sdk/client-organizations';",
      "import type { GetEventSelectorsCommandOutput } from '@aws-sdk/client-cloudtrail';",
      "import { type DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';",
      "import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';",
      'const c = new OrganizationsClient({});',
      'await c.send(new Roots({}));',
    ].join('\n'),
  );
  t.same(problems, []);
  t.same(
    calls.map((call) => [call.action, call.where]),
    [
      ['organizations:ListRoots', 'x.ts:6'],
      ['organizations:ListAccounts', 'x.ts:1'],
      ['logs:DescribeLogGroups', 'x.ts:4'],
    ],
  );
});

t.test('the extractor reports every way of calling AWS it cannot map to actions', async (t) => {
  const { problems } = sdkCallsInSource(
    'y.ts',
    [
      "import * as iam from '@aws-sdk/client-iam';",
      "import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';",
      "import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';",
      "import { IAM } from '@aws-sdk/client-iam';",
      "const sns = await import('@aws-sdk/client-sns');",
    ].join('\n'),
    () => 'may-call-aws',
  );
  t.match(problems, [
    /y\.ts:1: namespace import/,
    /y\.ts:2: @aws-sdk\/client-s3 has no IAM service prefix/,
    /y\.ts:3: imports values from @aws-sdk\/credential-providers/,
    /y\.ts:4: IAM from @aws-sdk\/client-iam may call AWS/,
    /y\.ts:5: dynamic import of @aws-sdk\/client-sns/,
  ]);
});

t.test('the template checks catch unknown names, wildcards and hidden grants', async (t) => {
  const template = parseTemplate(`
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Name: { Type: String, Default: x }
Conditions:
  Named: !Not [!Equals [!Ref Name, '']]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !If [Nameless, !Ref Name, !Ref Missing]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - { Sid: Broad, Effect: Allow, Action: ['iam:Get*', 'sns:ListTopics'], Resource: !Sub 'arn:\${AWS::Partition}:sns:*:\${Acct}:*' }
              - { Sid: Inverse, Effect: Allow, NotAction: 'iam:*', Resource: '*' }
Outputs:
  Arn: { Value: !GetAtt Rol.Arn }
`);
  t.same(undefinedReferences(template), [
    'Resources.Role: Fn::If on "Nameless", which is not a condition',
    'Resources.Role: Missing is not a parameter, resource or pseudo parameter',
    'Resources.Role: Acct is not a parameter, resource or pseudo parameter',
    'Outputs.Arn: GetAtt of "Rol", which is not a resource',
  ]);
  t.same(grantProblems(template), [
    'Role/p/Broad: wildcard action iam:Get*',
    'Role/p/Inverse: NotAction grants every other action',
    'Role: ManagedPolicyArns grants actions this check cannot list',
  ]);
  t.same([...grantedActions(template).keys()], ['iam:Get*', 'sns:ListTopics']);
});

// ---------------------------------------------------------------------------------------------
// The templates.

const auditTemplate = await loadTemplate(templatePath('audit-role.yaml'));
const managementTemplate = await loadTemplate(templatePath('management-account.yaml'));
const scanner = 'arn:aws:iam::999999999999:role/rootaudit';
const evaluated = (template: Template, externalId = 'rootaudit-external-id') =>
  evaluateTemplate(template, { parameters: { ScannerPrincipalArn: scanner, ExternalId: externalId } });
const auditGrants = grantedActions(evaluated(auditTemplate));
const managementGrants = grantedActions(evaluated(managementTemplate));
/** What the worker's identity gets to consume live root events (root-events-central.yaml). */
const rootEventsConsumerGrants = new Map(
  permissionStatements(
    evaluateTemplate(await loadTemplate(templatePath('root-events-central.yaml')), {
      parameters: { OrganizationId: 'o-a1b2c3d4e5' },
    }),
  )
    .filter(({ where }) => where.startsWith('RootEventsConsumerPolicy/'))
    .flatMap(({ where, statement }) => actionsOf(statement).map((action) => [action, where] as const)),
);

for (const [name, template] of [
  ['audit-role.yaml', auditTemplate],
  ['management-account.yaml', managementTemplate],
] as const) {
  t.test(`${name}: a CloudFormation template whose every name is defined`, async (t) => {
    t.equal(template.AWSTemplateFormatVersion, '2010-09-09');
    t.type(template.Description, 'string');
    t.same(undefinedReferences(template), [], 'every Ref, Sub variable, GetAtt and condition is defined');
    t.same(Object.keys(template.Parameters ?? {}), ['RoleName', 'ScannerPrincipalArn', 'ExternalId']);
    t.equal(template.Parameters?.ExternalId?.Default, '', 'ExternalId is optional');
    t.notOk(
      'Default' in (template.Parameters?.ScannerPrincipalArn ?? {}),
      'the scanner principal is required',
    );
    for (const parameter of Object.values(template.Parameters ?? {})) t.equal(parameter.Type, 'String');
    t.match(evaluated(template).Outputs, { RoleArn: { Value: /^<\w+\.Arn>$/ } });
  });

  t.test(`${name}: read-only grants, listed one by one`, async (t) => {
    t.same(grantProblems(template), [], 'no wildcard action, NotAction, NotResource or managed policy');
    for (const { where, statement } of permissionStatements(evaluated(template)))
      t.equal(statement.Effect, 'Allow', `${where} allows`);
  });

  t.test(
    `${name}: trusts the scanner principal, with the ExternalId condition only when one is given`,
    async (t) => {
      const trust = (externalId: string) =>
        Object.values(trustStatements(evaluated(template, externalId))).flat();
      t.same(trust('rootaudit-external-id'), [
        {
          Sid: 'TrustRootauditScanner',
          Effect: 'Allow',
          Principal: { AWS: scanner },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'rootaudit-external-id' } },
        },
      ]);
      t.same(trust(''), [
        {
          Sid: 'TrustRootauditScanner',
          Effect: 'Allow',
          Principal: { AWS: scanner },
          Action: 'sts:AssumeRole',
        },
      ]);
    },
  );
}

t.test(
  'audit-role.yaml: named RootAuditRole by default and says the management account needs it by hand',
  async (t) => {
    t.equal(auditTemplate.Parameters?.RoleName?.Default, 'RootAuditRole');
    t.match(evaluated(auditTemplate).Resources, { AuditRole: { Properties: { RoleName: 'RootAuditRole' } } });
    t.match(String(auditTemplate.Description), /StackSet/);
    t.match(String(auditTemplate.Description), /management account/);
  },
);

t.test(
  'management-account.yaml: sts:AssumeRoot only on member roots, only with the audit task policy',
  async (t) => {
    for (const partition of ['aws', 'aws-us-gov', 'aws-cn']) {
      const statements = permissionStatements(
        evaluateTemplate(managementTemplate, {
          parameters: { ScannerPrincipalArn: scanner },
          partition,
        }),
      ).filter(({ statement }) => JSON.stringify(statement.Action).includes('sts:AssumeRoot'));
      t.same(
        statements.map(({ statement }) => statement),
        [
          {
            Sid: 'AuditMemberRootCredentials',
            Effect: 'Allow',
            Action: ['sts:AssumeRoot'],
            Resource: `arn:${partition}:iam::*:root`,
            Condition: { ArnEquals: { 'sts:TaskPolicyArn': auditRootTaskPolicyArn(partition) } },
          } satisfies JsonObject,
        ],
        `${partition}: the task policy the code asks for`,
      );
    }
  },
);

// ---------------------------------------------------------------------------------------------
// The templates against the code.

/** Test support and the simulator are not production callers of AWS. */
function excluded(path: string): string | null {
  if (path.startsWith('packages/aws-sim/')) return 'the simulator answers AWS calls, it does not make them';
  if (/\.test\.ts$/.test(path)) return 'a test';
  if (/(^|\/)(testing|test-support|test-[\w-]+)\.ts$/.test(path)) return 'test support';
  return null;
}

const source: SourceExtraction = await sdkCallsInTree({
  root,
  directories: ['packages', 'apps'],
  exclude: excluded,
});

t.test('the production code is read whole, and every AWS call in it is understood', async (t) => {
  t.ok(source.files.length > 50, `${source.files.length} source files read`);
  t.ok(
    source.files.some((file) => file.startsWith('packages/scanner/src/')),
    'the scanner is read (it calls AWS only through @rootaudit/aws today)',
  );
  t.same(source.problems, [], 'no AWS call the extractor cannot map to an IAM action');
  t.ok(
    source.actions.has('sts:AssumeRole') && source.actions.has('sts:AssumeRoot'),
    'role and root sessions',
  );
  t.comment(`actions the code can call: ${[...source.actions.keys()].sort().join(', ')}`);
});

/**
 * Actions called with the credentials sts:AssumeRoot returns: what a collector signed by a root
 * session calls, beyond what the organization role itself calls (sts:AssumeRoot).
 */
const rootSessionActions = new Set(
  Object.values(accountCollectors)
    .filter((collector) => collector.principals.includes('root-session'))
    .flatMap((collector) => collector.actions)
    .filter((action) => !organizationRoleActions.includes(action)),
);

t.test('the templates grant every action the code can call', async (t) => {
  const grantedSomewhere = new Map([
    ...auditGrants,
    ...managementGrants,
    ...rootEventsConsumerGrants,
    ...SCANNER_PRINCIPAL_ACTIONS,
    ...WORKER_QUEUE_ACTIONS,
    ...NEEDS_NO_PERMISSION,
  ]);
  for (const action of rootSessionActions) {
    if (AUDIT_ROOT_TASK_POLICY_ACTIONS.has(action))
      grantedSomewhere.set(action, 'the IAMAuditRootUserCredentials task policy (root session)');
  }
  t.same(compareActions(source.actions, grantedSomewhere).missing, [], 'called but granted by nothing');
});

t.test('the templates grant nothing the code never calls', async (t) => {
  t.same(compareActions(source.actions, auditGrants).unused, [], 'audit-role.yaml');
  t.same(compareActions(source.actions, managementGrants).unused, [], 'management-account.yaml');
});

t.test('each template grants exactly what its principal calls', async (t) => {
  const declared = new Set([
    ...Object.values(collectorActions).flat(),
    ...SCANNER_PRINCIPAL_ACTIONS.keys(),
    ...WORKER_QUEUE_ACTIONS.keys(),
    ...NEEDS_NO_PERMISSION.keys(),
  ]);
  t.same(
    [...declared].sort(),
    [...source.actions.keys()].sort(),
    'the collectors declare every action their code calls, and nothing else',
  );
  t.same([...auditGrants.keys()].sort(), [...auditRoleActions].sort(), 'audit role: collectors signed by it');
  t.same(
    [...managementGrants.keys()].sort(),
    [...organizationRoleActions].sort(),
    'organization role: organization collectors, sts:AssumeRoot, contacts read with AccountId',
  );
  t.same(
    [...rootSessionActions].filter((action) => !AUDIT_ROOT_TASK_POLICY_ACTIONS.has(action)),
    [],
    'the root session calls only what IAMAuditRootUserCredentials allows',
  );
});

t.test(
  'a full scan of the simulated organization, and one limited to an account, call only granted actions, each under its principal',
  async (t) => {
    const model = loadOrganization();
    const sim = await startSimulator({ model });
    t.teardown(() => sim.stop());
    const clients = new ClientFactory({
      scanId: 'templates-test',
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDBASEEXAMPLE', secretAccessKey: 'secret' },
      externalId: model.auditRole.externalId ?? null,
      maxAttempts: 2,
    });
    t.teardown(() => clients.destroy());
    const scan = await scanOrganization({
      checks,
      settings: {
        regions: ['us-east-1', 'eu-west-1'],
        now: new Date(),
        rootUsageWindowDays: 90,
        allowedEmailDomains: [],
      },
      clients,
      credentialReportPolling: { initialDelayMs: 10, timeLimitMs: 10_000 },
    });
    t.equal(scan.status, 'PARTIAL', 'every account but sandbox-bob (no audit role) scanned');
    // A scan limited to one account reads its part of the organization with other calls.
    const limited = await scanOrganization({
      checks,
      settings: {
        regions: ['us-east-1', 'eu-west-1'],
        now: new Date(),
        rootUsageWindowDays: 90,
        allowedEmailDomains: [],
      },
      clients,
      accountIds: ['555555555555'],
      credentialReportPolling: { initialDelayMs: 10, timeLimitMs: 10_000 },
    });
    t.equal(limited.status, 'SUCCEEDED');

    // Base credentials stand in for the organization role: the simulator's management account.
    const calledBy: Record<'role' | 'base' | 'root', Map<string, string[]>> = {
      role: new Map(),
      base: new Map(),
      root: new Map(),
    };
    for (const call of sim.callLog.entries()) {
      const action = `${IAM_PREFIX_OF_SIGNING_NAME[call.service] ?? call.service}:${call.operation}`;
      const where = `simulated call in ${call.accountId}`;
      const places = calledBy[call.principalKind].get(action) ?? [];
      if (places.length === 0) places.push(where);
      calledBy[call.principalKind].set(action, places);
    }
    t.same(
      compareActions(calledBy.role, auditGrants).missing,
      [],
      'audit-role sessions call only audit-role grants',
    );
    t.same(
      compareActions(
        calledBy.base,
        new Map([...managementGrants, ...SCANNER_PRINCIPAL_ACTIONS, ...NEEDS_NO_PERMISSION]),
      ).missing,
      [],
      'organization credentials call only management-account grants (and AssumeRole)',
    );
    t.same(
      [...calledBy.root.keys()].filter((action) => !AUDIT_ROOT_TASK_POLICY_ACTIONS.has(action)),
      [],
      'root sessions call only what the audit task policy allows',
    );
    const staticallyKnown = new Map([...source.actions].map(([action]) => [action, 'source'] as const));
    for (const kind of ['role', 'base', 'root'] as const) {
      t.same(
        compareActions(calledBy[kind], staticallyKnown).missing,
        [],
        `${kind}: the source extraction saw it`,
      );
    }
    // The sample organization exercises every path, so every grant is used by the principal it is for.
    t.same(
      compareActions(calledBy.role, auditGrants).unused,
      [],
      'every audit-role grant used by an audit role',
    );
    t.same(
      compareActions(calledBy.base, managementGrants).unused,
      [],
      'every management-account grant used by the organization principal',
    );
  },
);
