/**
 * Differential test of the SCP root-deny rule against an independent IAM policy evaluator,
 * @cloud-copilot/iam-simulate (a dev dependency: it is AGPL-licensed, asynchronous and carries the
 * whole IAM action catalogue, so it stays out of the shipped, pure checks package).
 *
 * The rule answers a question about every request ("does this statement deny root every action but
 * a few named ones?"); the evaluator answers one request at a time. So for many generated SCP
 * statements and several root users (two accounts, two partitions) the test asks the evaluator
 * about a set of probe requests (actions of several services, root-capable tasks among them, in two
 * regions) and demands:
 * - sound: when the rule says the statement denies root, every probe whose action is not one of
 *   the statement's named exceptions is explicitly denied;
 * - complete where the policy text decides: when it says not, and the statement has a condition
 *   free of policy variables and of patterns that are not full ARNs, some probe is allowed. (For
 *   those two, and for a Deny with no condition, the rule refuses on purpose, whatever AWS would
 *   decide: they do not count.)
 * Probes by an IAM user and an assumed role check that the corpus holds decoys (statements denying
 * them but not root) and break-glass guardrails (denying root but not a role).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import t from 'tap';
import type { Organization, ServiceControlPolicy } from '../evidence.ts';
import { findRootDenyingPolicies, type JsonObject, policyDeniesRoot, statementDeniesRoot } from './scp.ts';

const FULL_AWS_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

interface Principal {
  /** What signs the request. */
  principal: string;
  /** aws:PrincipalArn: the role, not the session, for an assumed role. */
  principalArn: string;
  account: string;
  partition: string;
}

const root = (partition: string, account: string): Principal => {
  const arn = `arn:${partition}:iam::${account}:root`;
  return { principal: arn, principalArn: arn, account, partition };
};
const ROOTS = [root('aws', '222222222222'), root('aws', '333333333333'), root('aws-us-gov', '222222222222')];
const USER: Principal = {
  principal: 'arn:aws:iam::222222222222:user/alice',
  principalArn: 'arn:aws:iam::222222222222:user/alice',
  account: '222222222222',
  partition: 'aws',
};
const ASSUMED_ROLE: Principal = {
  principal: 'arn:aws:sts::222222222222:assumed-role/BreakGlass/alice',
  principalArn: 'arn:aws:iam::222222222222:role/BreakGlass',
  account: '222222222222',
  partition: 'aws',
};

/**
 * Probe requests: everyday actions and tasks a root user reaches for. (sts:GetCallerIdentity is left
 * out: no policy can deny it, so no SCP denies root "every" action in the literal sense.)
 */
const PROBES: { action: string; resource: (p: Principal) => string; region: string }[] = [
  {
    action: 's3:GetObject',
    resource: (p) => `arn:${p.partition}:s3:::audit-bucket/report.csv`,
    region: 'us-east-1',
  },
  { action: 's3:ListAllMyBuckets', resource: () => '*', region: 'eu-west-1' },
  {
    action: 'iam:CreateVirtualMFADevice',
    resource: (p) => `arn:${p.partition}:iam::${p.account}:mfa/root-mfa`,
    region: 'us-east-1',
  },
  { action: 'iam:DeleteAccountPasswordPolicy', resource: () => '*', region: 'eu-west-1' },
  { action: 'ec2:DescribeInstances', resource: () => '*', region: 'us-east-1' },
  { action: 'organizations:LeaveOrganization', resource: () => '*', region: 'eu-west-1' },
  { action: 'account:CloseAccount', resource: () => '*', region: 'us-east-1' },
];

type Decision = 'denied' | 'allowed';

async function decide(
  levels: { id: string; policies: unknown[] }[],
  who: Principal,
  probe: (typeof PROBES)[number],
): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: who.principal,
        action: probe.action,
        resource: { resource: probe.resource(who), accountId: who.account },
        contextVariables: {
          'aws:PrincipalArn': who.principalArn,
          'aws:PrincipalAccount': who.account,
          'aws:RequestedRegion': probe.region,
          ...(who === USER ? { 'aws:username': 'alice' } : {}),
        },
      },
      identityPolicies: [{ name: 'AdministratorAccess', policy: FULL_AWS_ACCESS }],
      serviceControlPolicies: levels.map((level) => ({
        orgIdentifier: level.id,
        policies: [FULL_AWS_ACCESS, ...level.policies].map((policy, i) => ({ name: `p${i}`, policy })),
      })),
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulation rejected: ${JSON.stringify(result.errors)}`);
  if (result.overallResult === 'ExplicitlyDenied') return 'denied';
  if (result.overallResult === 'Allowed') return 'allowed';
  throw new Error(`unexpected decision ${result.overallResult} for ${probe.action}`);
}

// ── Generated statements ─────────────────────────────────────────────────────────────────────

/** A small seeded generator, so a failure names a statement that the next run generates again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const variable = (name: string): string => `\${${name}}`;

const ROOT_PATTERNS = [
  'arn:*:iam::*:root',
  'arn:aws:iam::*:root',
  'arn:aws-us-gov:iam::*:root',
  'arn:aws:iam::222222222222:root',
  'arn:aws:iam::333333333333:root',
  'arn:aws:iam::2*:root',
  'arn:*:iam::????????????:root',
  'ARN:AWS:IAM::222222222222:ROOT',
];
const OTHER_PRINCIPAL_PATTERNS = [
  'arn:aws:iam::*:role/BreakGlass',
  'arn:aws:iam::*:user/*',
  'arn:aws:iam::*:*',
  'arn:*:*:*:*:*',
  'arn:aws:iam::222222222222:role/*',
];
/** Not full ARNs: IAM's reading is guessed; the rule refuses them. */
const PARTIAL_PATTERNS = ['*:root', 'arn:aws:iam::*', '*', 'arn:*:root'];
/** Policy variables: substituted per request; the rule refuses them. */
const VARIABLE_PATTERNS = [
  `arn:aws:iam::${variable('aws:PrincipalAccount')}:root`,
  `arn:aws:iam::*:user/${variable('aws:username')}`,
];
const VALUES = [
  ...ROOT_PATTERNS,
  ...ROOT_PATTERNS,
  ...OTHER_PRINCIPAL_PATTERNS,
  ...PARTIAL_PATTERNS,
  ...VARIABLE_PATTERNS,
];
const OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'ArnLike',
  'ArnNotLike',
  'ArnEquals',
  'ArnNotEquals',
];
/** Exact action names for NotAction: the first probes and enough others to pass the limit. */
const NAMED_ACTIONS = [
  'iam:CreateVirtualMFADevice',
  'account:CloseAccount',
  's3:GetObject',
  'iam:EnableMFADevice',
  'iam:ListMFADevices',
  'iam:GetAccountSummary',
  'iam:ListUsers',
  'iam:GetUser',
  'iam:ListRoles',
  'iam:GetRole',
  'iam:ListPolicies',
  'iam:GetPolicy',
];

function generateStatement(next: () => number): JsonObject {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const some = <T>(items: readonly T[], most: number): T[] =>
    Array.from({ length: 1 + Math.floor(next() * most) }, () => pick(items));

  const actions = pick<() => JsonObject>([
    () => ({ Action: '*' }),
    () => ({ Action: '*' }),
    () => ({ Action: ['*'] }),
    () => ({ Action: ['*'] }),
    () => ({ Action: 's3:*' }),
    () => ({ Action: ['s3:GetObject', 'ec2:DescribeInstances'] }),
    () => ({ NotAction: NAMED_ACTIONS.slice(0, 1 + Math.floor(next() * 3)) }),
    () => ({ NotAction: pick(['iam:*', 'organizations:Leave*', 's3:Get*', 'account:*']) }),
    () => ({ NotAction: NAMED_ACTIONS.slice(0, 11) }),
    () => ({ NotAction: '*' }),
  ])();
  const resources = pick<JsonObject>([
    { Resource: '*' },
    { Resource: '*' },
    { Resource: '*' },
    { Resource: ['arn:aws:s3:::audit-bucket', '*'] },
    { Resource: 'arn:*:s3:::audit-bucket/*' },
    { NotResource: 'arn:*:s3:::audit-bucket/*' },
  ]);
  const blocks: JsonObject = {};
  const blockCount = pick([0, 1, 1, 1, 1, 2, 2]);
  for (let i = 0; i < blockCount; i++) {
    const kind = next();
    if (kind < 0.75) {
      const name = `${pick(['', '', '', 'ForAnyValue:', 'ForAllValues:'])}${pick(OPERATORS)}${pick(['', '', 'IfExists'])}`;
      const values = some(VALUES, 3);
      blocks[name] = { 'aws:PrincipalArn': values.length === 1 ? values[0]! : values };
    } else if (kind < 0.85) {
      blocks.Null = { 'aws:PrincipalArn': pick(['true', 'false', false]) };
    } else {
      blocks[pick(['StringEquals', 'StringNotEquals'])] = {
        'aws:RequestedRegion': pick(['eu-west-1', 'us-east-1']),
      };
    }
  }
  return {
    Effect: next() < 0.9 ? 'Deny' : 'Allow',
    ...actions,
    ...resources,
    ...(blockCount > 0 ? { Condition: blocks } : {}),
  };
}

/** Whether the rule may refuse the statement on purpose: no condition, a variable, a partial pattern. */
function refusedOnPurpose(statement: JsonObject): boolean {
  if (statement.Condition === undefined) return true;
  const text = JSON.stringify(statement.Condition);
  return (
    text.includes('${') ||
    PARTIAL_PATTERNS.some((pattern) => text.includes(JSON.stringify(pattern))) ||
    // An upper-case `ARN:` prefix is decided only by the …IgnoreCase operators.
    /"ARN:/.test(text)
  );
}

function namedExceptions(statement: JsonObject): Set<string> {
  const list = statement.NotAction === undefined ? [] : [statement.NotAction].flat();
  return new Set(list.map((action) => String(action).toLowerCase()));
}

const STATEMENTS = 200;

t.test(`the rule agrees with the evaluator on ${STATEMENTS} generated SCP statements`, async (t) => {
  const next = random(20261207);
  const tally = { denies: 0, allowsSomething: 0, refusedButDenied: 0, decoys: 0, breakGlass: 0 };
  const disagreements: string[] = [];
  for (let n = 0; n < STATEMENTS; n++) {
    const statement = generateStatement(next);
    const policy = { Version: '2012-10-17', Statement: [statement] };
    const levels = [{ id: 'r-root', policies: [policy] }];
    const show = JSON.stringify(statement);
    let firstRootAllowed = false;
    for (const who of ROOTS) {
      const verdict = statementDeniesRoot(statement, who.principalArn);
      if (policyDeniesRoot(JSON.stringify(policy), who.principalArn) !== (verdict === 'holds')) {
        disagreements.push(
          `policyDeniesRoot and statementDeniesRoot differ for ${who.principalArn}: ${show}`,
        );
      }
      const exceptions = namedExceptions(statement);
      // Every probe when the rule says denied; up to the first allowed one otherwise.
      const allowed: string[] = [];
      for (const probe of PROBES) {
        if ((await decide(levels, who, probe)) === 'allowed') allowed.push(probe.action);
        if (verdict !== 'holds' && allowed.length > 0) break;
      }
      if (who === ROOTS[0] && allowed.length > 0) firstRootAllowed = true;
      if (verdict === 'holds') {
        tally.denies++;
        const leaks = allowed.filter((action) => !exceptions.has(action.toLowerCase()));
        if (leaks.length > 0) {
          disagreements.push(`says denied, but ${who.principalArn} may ${leaks.join(', ')}: ${show}`);
        }
      } else if (allowed.length > 0) {
        tally.allowsSomething++;
      } else if (refusedOnPurpose(statement)) {
        tally.refusedButDenied++;
      } else {
        disagreements.push(
          `says not denied (${verdict}), but every probe by ${who.principalArn} is: ${show}`,
        );
      }
    }
    const everyProbeDenied = async (who: Principal) => {
      for (const probe of PROBES.slice(0, 3))
        if ((await decide(levels, who, probe)) === 'allowed') return false;
      return true;
    };
    if (firstRootAllowed && (await everyProbeDenied(USER))) tally.decoys++;
    if (!firstRootAllowed && !(await everyProbeDenied(ASSUMED_ROLE))) tally.breakGlass++;
  }
  t.same(disagreements, [], 'no disagreement with the evaluator');
  t.comment(JSON.stringify(tally));
  // The corpus must exercise every side, or the agreement above proves little.
  t.ok(tally.denies >= 20, 'root denials are generated');
  t.ok(tally.allowsSomething >= 100, 'statements leaving root some request are generated');
  t.ok(tally.refusedButDenied >= 3, 'statements the rule refuses on purpose are generated');
  t.ok(tally.decoys >= 3, 'decoys that deny an IAM user but not root are generated');
  t.ok(tally.breakGlass >= 3, 'guardrails that deny root but spare a break-glass role are generated');
});

t.test('where the policy is attached agrees with the evaluator', async (t) => {
  // r-root → ou-workloads → ou-prod → 222222222222; ou-sandbox and 333333333333 sit elsewhere.
  const organization: Organization = {
    id: 'o-example',
    arn: 'arn:aws:organizations::111111111111:organization/o-example',
    partition: 'aws',
    featureSet: 'ALL',
    managementAccountId: '111111111111',
    rootId: 'r-root',
    accounts: [
      ['222222222222', 'ou-prod'],
      ['333333333333', 'ou-sandbox'],
    ].map(([id, parentId]) => ({
      id: id!,
      arn: `arn:aws:organizations::111111111111:account/o-example/${id}`,
      name: id!,
      email: `${id}@example.com`,
      status: 'ACTIVE' as const,
      joinedAt: null,
      parentId: parentId!,
    })),
    organizationalUnits: [
      ['ou-workloads', 'r-root'],
      ['ou-prod', 'ou-workloads'],
      ['ou-sandbox', 'r-root'],
    ].map(([id, parentId]) => ({
      id: id!,
      arn: `arn:aws:organizations::111111111111:ou/o-example/${id}`,
      name: id!,
      parentId: parentId!,
    })),
    trustedServices: [],
  };
  const denyRoot = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } },
      },
    ],
  };
  const chain = ['r-root', 'ou-workloads', 'ou-prod', '222222222222'];
  const targets = [...chain, 'ou-sandbox', '333333333333'];
  const who = root('aws', '222222222222');
  for (const target of targets) {
    const policy: ServiceControlPolicy = {
      id: 'p-deny',
      arn: 'arn:aws:organizations::111111111111:policy/o-example/service_control_policy/p-deny',
      name: 'DenyRootUser',
      awsManaged: false,
      content: JSON.stringify(denyRoot),
      targetIds: [target],
    };
    const ours =
      findRootDenyingPolicies({
        accountId: '222222222222',
        organization,
        scps: { enabledOnRoot: true, policies: [policy] },
      }).length > 0;
    // The evaluator walks the levels above the account, as AWS does: the root first, the account last.
    const levels = chain.map((id) => ({ id, policies: id === target ? [denyRoot] : [] }));
    const decisions = await Promise.all(PROBES.map((probe) => decide(levels, who, probe)));
    t.equal(
      ours,
      decisions.every((decision) => decision === 'denied'),
      `attached to ${target}`,
    );
  }
});
