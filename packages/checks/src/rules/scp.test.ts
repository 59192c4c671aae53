import t from 'tap';
import type { Organization, ServiceControlPolicies, ServiceControlPolicy } from '../evidence.ts';
import { ancestorsOf, arnMatch, findRootDenyingPolicies, policyDeniesRoot, wildcardMatch } from './scp.ts';

/*
 * r-root
 * ├── ou-workloads
 * │   ├── ou-prod
 * │   │   └── 222222222222 (prod)
 * │   └── 333333333333 (staging)
 * ├── ou-sandbox
 * │   └── 444444444444 (sandbox)
 * └── 555555555555 (directly under the root)
 */
const organization: Organization = {
  id: 'o-example',
  arn: 'arn:aws:organizations::111111111111:organization/o-example',
  partition: 'aws',
  featureSet: 'ALL',
  managementAccountId: '111111111111',
  rootId: 'r-root',
  accounts: [
    account('111111111111', 'r-root'),
    account('222222222222', 'ou-prod'),
    account('333333333333', 'ou-workloads'),
    account('444444444444', 'ou-sandbox'),
    account('555555555555', 'r-root'),
  ],
  organizationalUnits: [
    ou('ou-workloads', 'r-root'),
    ou('ou-prod', 'ou-workloads'),
    ou('ou-sandbox', 'r-root'),
  ],
  trustedServices: [],
};

function account(id: string, parentId: string): Organization['accounts'][number] {
  return {
    id,
    arn: `arn:aws:organizations::111111111111:account/o-example/${id}`,
    name: id,
    email: `${id}@example.com`,
    status: 'ACTIVE',
    joinedAt: null,
    parentId,
  };
}

function ou(id: string, parentId: string): Organization['organizationalUnits'][number] {
  return { id, arn: `arn:aws:organizations::111111111111:ou/o-example/${id}`, name: id, parentId };
}

const DENY_ROOT = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyRootUser',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } },
    },
  ],
};

function policy(id: string, document: unknown, targetIds: string[]): ServiceControlPolicy {
  return {
    id,
    arn: `arn:aws:organizations::111111111111:policy/o-example/service_control_policy/${id}`,
    name: id,
    awsManaged: false,
    content: typeof document === 'string' ? document : JSON.stringify(document),
    targetIds,
  };
}

function scps(policies: ServiceControlPolicy[], enabledOnRoot = true): ServiceControlPolicies {
  return { enabledOnRoot, policies };
}

const FULL_ACCESS = policy(
  'p-FullAWSAccess',
  { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } },
  ['r-root'],
);

function found(
  accountId: string,
  policies: ServiceControlPolicy[],
  enabledOnRoot = true,
): [string, string][] {
  return findRootDenyingPolicies({ accountId, organization, scps: scps(policies, enabledOnRoot) }).map(
    (hit) => [hit.policy.id, hit.attachedTo],
  );
}

t.test('wildcardMatch', async (t) => {
  t.ok(wildcardMatch('arn:*:iam::*:root', 'arn:aws:iam::123456789012:root'));
  t.ok(wildcardMatch('arn:aws:iam::????????????:root', 'arn:aws:iam::123456789012:root'));
  t.notOk(wildcardMatch('arn:aws:iam::???:root', 'arn:aws:iam::123456789012:root'));
  t.notOk(wildcardMatch('arn:*:iam::*:role/Admin', 'arn:aws:iam::123456789012:root'));
  t.ok(wildcardMatch('*', ''));
  t.notOk(wildcardMatch('ARN:*', 'arn:aws'), 'case-sensitive');
  t.ok(wildcardMatch('ARN:*', 'arn:aws', { ignoreCase: true }));
  t.ok(wildcardMatch('a*b*c', 'aXbYbZc'));
  t.notOk(wildcardMatch('a*b*c', 'aXbYbZ'));
});

t.test('arnMatch checks each ARN segment on its own', async (t) => {
  t.ok(arnMatch('arn:*:iam::*:root', 'arn:aws-us-gov:iam::123456789012:root'));
  t.notOk(arnMatch('arn:*:root', 'arn:aws:iam::123456789012:root'), 'a wildcard cannot span segments');
  t.ok(arnMatch('arn:aws:iam::*:*', 'arn:aws:iam::123456789012:root'));
  t.ok(arnMatch('arn:aws:s3:::bucket/a:b', 'arn:aws:s3:::bucket/a:b'), 'the resource part may hold colons');
  t.notOk(arnMatch('not-an-arn', 'arn:aws:iam::123456789012:root'));
});

t.test('ancestorsOf', async (t) => {
  t.same(ancestorsOf('222222222222', organization), ['ou-prod', 'ou-workloads', 'r-root']);
  t.same(ancestorsOf('ou-prod', organization), ['ou-workloads', 'r-root']);
  t.same(ancestorsOf('555555555555', organization), ['r-root']);
  t.same(ancestorsOf('r-root', organization), []);
  t.same(ancestorsOf('999999999999', organization), ['r-root'], 'an unknown id is still under the root');
  const cyclic: Organization = {
    ...organization,
    organizationalUnits: [ou('ou-a', 'ou-b'), ou('ou-b', 'ou-a')],
    accounts: [account('666666666666', 'ou-a')],
  };
  t.same(ancestorsOf('666666666666', cyclic), ['ou-a', 'ou-b', 'r-root'], 'a cycle ends the walk');
});

t.test('findRootDenyingPolicies: where the policy is attached', async (t) => {
  t.test('on the account', async (t) => {
    t.same(found('222222222222', [FULL_ACCESS, policy('p-deny', DENY_ROOT, ['222222222222'])]), [
      ['p-deny', '222222222222'],
    ]);
  });
  t.test('on the parent OU', async (t) => {
    t.same(found('222222222222', [policy('p-deny', DENY_ROOT, ['ou-prod'])]), [['p-deny', 'ou-prod']]);
  });
  t.test('two OUs up', async (t) => {
    t.same(found('222222222222', [policy('p-deny', DENY_ROOT, ['ou-workloads'])]), [
      ['p-deny', 'ou-workloads'],
    ]);
  });
  t.test('on the organization root', async (t) => {
    t.same(found('555555555555', [policy('p-deny', DENY_ROOT, ['r-root'])]), [['p-deny', 'r-root']]);
  });
  t.test('on a sibling OU: not in effect', async (t) => {
    t.same(found('444444444444', [policy('p-deny', DENY_ROOT, ['ou-workloads', 'ou-prod'])]), []);
  });
  t.test('on another account: not in effect', async (t) => {
    t.same(found('333333333333', [policy('p-deny', DENY_ROOT, ['222222222222'])]), []);
  });
  t.test('attached at several levels: every attachment, nearest first', async (t) => {
    t.same(found('222222222222', [policy('p-deny', DENY_ROOT, ['r-root', 'ou-prod'])]), [
      ['p-deny', 'ou-prod'],
      ['p-deny', 'r-root'],
    ]);
  });
  t.test('SCP policy type disabled on the root: nothing is in effect', async (t) => {
    t.same(found('222222222222', [policy('p-deny', DENY_ROOT, ['222222222222', 'r-root'])], false), []);
  });
});

/** A Deny-root statement with some part replaced. */
function denyRootWith(overrides: Record<string, unknown>): unknown {
  return { Version: '2012-10-17', Statement: [{ ...DENY_ROOT.Statement[0], ...overrides }] };
}

t.test('policyDeniesRoot: what counts as denying root', async (t) => {
  const rootArn = 'arn:aws:iam::222222222222:root';
  const cases: [string, unknown, boolean][] = [
    ['the AWS example: Deny * when StringLike aws:PrincipalArn arn:*:iam::*:root', DENY_ROOT, true],
    ['Statement as a single object', { Version: '2012-10-17', Statement: DENY_ROOT.Statement[0] }, true],
    ['Action as a list holding *', denyRootWith({ Action: ['*'] }), true],
    ['Resource absent', denyRootWith({ Resource: undefined }), true],
    [
      'decoy: a Deny on a role principal',
      denyRootWith({ Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Admin' } } }),
      false,
    ],
    [
      'StringLike with an array holding the root pattern',
      denyRootWith({
        Condition: {
          StringLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/Admin', 'arn:aws:iam::*:root'] },
        },
      }),
      true,
    ],
    ['ArnLike', denyRootWith({ Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } } }), true],
    [
      'ArnEquals: IAM gives it ArnLike wildcard semantics',
      denyRootWith({ Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } } }),
      true,
    ],
    [
      'ArnLike whose wildcard would have to span segments',
      denyRootWith({ Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:*:root' } } }),
      false,
    ],
    [
      'StringEquals with the wildcard pattern: the literal never equals a root ARN',
      denyRootWith({ Condition: { StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } } }),
      false,
    ],
    [
      "StringEquals with this account's exact root ARN",
      denyRootWith({ Condition: { StringEquals: { 'aws:PrincipalArn': rootArn } } }),
      true,
    ],
    [
      "StringEquals with another account's root ARN",
      denyRootWith({ Condition: { StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::999999999999:root' } } }),
      false,
    ],
    [
      'condition key in another case',
      denyRootWith({ Condition: { StringLike: { 'AWS:principalarn': 'arn:*:iam::*:root' } } }),
      true,
    ],
    [
      'ForAnyValue: prefix and IfExists suffix',
      denyRootWith({
        Condition: { 'ForAnyValue:StringLikeIfExists': { 'aws:PrincipalArn': 'arn:*:iam::*:root' } },
      }),
      true,
    ],
    [
      'ArnNotLike a break-glass role: every other principal, root included, is denied',
      denyRootWith({ Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/BreakGlass' } } }),
      true,
    ],
    [
      'StringNotLike the root pattern: root is exempted',
      denyRootWith({ Condition: { StringNotLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } } }),
      false,
    ],
    [
      'an extra condition key: conditional on the request',
      denyRootWith({
        Condition: {
          StringLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' },
          StringEquals: { 'aws:RequestedRegion': 'eu-west-1' },
        },
      }),
      false,
    ],
    ['no condition: a quarantine, not a root guardrail', denyRootWith({ Condition: undefined }), false],
    ['Effect Allow is ignored', denyRootWith({ Effect: 'Allow' }), false],
    ['a narrow action list', denyRootWith({ Action: ['s3:GetObject'] }), false],
    ['a service-wide action', denyRootWith({ Action: 'iam:*' }), false],
    [
      'NotAction with a small exception list',
      denyRootWith({ Action: undefined, NotAction: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice'] }),
      true,
    ],
    ['NotAction *: denies nothing', denyRootWith({ Action: undefined, NotAction: '*' }), false],
    [
      'NotAction with a long exception list',
      denyRootWith({ Action: undefined, NotAction: Array.from({ length: 11 }, (_, i) => `svc${i}:*`) }),
      false,
    ],
    ['a narrow Resource', denyRootWith({ Resource: 'arn:aws:s3:::bucket' }), false],
    ['NotResource', denyRootWith({ Resource: undefined, NotResource: 'arn:aws:s3:::bucket' }), false],
    [
      'an unknown condition operator',
      denyRootWith({ Condition: { Bool: { 'aws:PrincipalArn': 'true' } } }),
      false,
    ],
    [
      'an Allow beside the Deny',
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, DENY_ROOT.Statement[0]],
      },
      true,
    ],
    ['content that is not JSON', '{"Statement": [', false],
  ];
  for (const [name, document, expected] of cases) {
    t.test(name, async (t) => {
      const content = typeof document === 'string' ? document : JSON.stringify(document);
      t.equal(policyDeniesRoot(content, rootArn), expected);
    });
  }
});

/** A policy variable as IAM writes it, `${name}`. */
const policyVariable = (name: string): string => `\${${name}}`;

/** A Deny of every action to every principal whose ARN passes `condition`. */
const denyAllWhen = (condition: unknown) => denyRootWith({ Condition: condition });

t.test('policyDeniesRoot: NotAction may except only a short list of exact, named actions', async (t) => {
  const rootArn = 'arn:aws:iam::222222222222:root';
  const cases: [string, unknown, boolean][] = [
    [
      'a service-wide exception (iam:*) leaves root all of IAM',
      denyRootWith({ Action: undefined, NotAction: ['iam:*'] }),
      false,
    ],
    [
      'a wildcard in the service prefix (?am:*) leaves root whole services',
      denyRootWith({ Action: undefined, NotAction: ['?am:*'] }),
      false,
    ],
    [
      'an action-name wildcard (s3:Get*) leaves root every S3 read',
      denyRootWith({ Action: undefined, NotAction: ['iam:CreateVirtualMFADevice', 's3:Get*'] }),
      false,
    ],
    [
      'a single-character wildcard (iam:EnableMFADevic?) is not an exact name',
      denyRootWith({ Action: undefined, NotAction: ['iam:EnableMFADevic?'] }),
      false,
    ],
    [
      'ten exact names still count',
      denyRootWith({ Action: undefined, NotAction: Array.from({ length: 10 }, (_, i) => `iam:Task${i}`) }),
      true,
    ],
    [
      'eleven exact names do not',
      denyRootWith({ Action: undefined, NotAction: Array.from({ length: 11 }, (_, i) => `iam:Task${i}`) }),
      false,
    ],
    [
      'an exception that is not an action name',
      denyRootWith({ Action: undefined, NotAction: ['iam'] }),
      false,
    ],
    [
      'exact names in any case (IAM matches actions case-insensitively)',
      denyRootWith({ Action: undefined, NotAction: ['IAM:createvirtualmfadevice'] }),
      true,
    ],
    [
      'both Action and NotAction: not a valid statement',
      denyRootWith({ NotAction: ['iam:ListUsers'] }),
      false,
    ],
  ];
  for (const [name, document, expected] of cases) {
    t.test(name, async (t) => t.equal(policyDeniesRoot(JSON.stringify(document), rootArn), expected));
  }
});

t.test('policyDeniesRoot: policy variables are never taken literally', async (t) => {
  const rootArn = 'arn:aws:iam::222222222222:root';
  const cases: [string, unknown, boolean][] = [
    [
      `ArnNotLike the own account root through ${policyVariable('aws:PrincipalAccount')}: root is in fact exempted`,
      denyAllWhen({
        ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${policyVariable('aws:PrincipalAccount')}:root` },
      }),
      false,
    ],
    [
      'StringNotEquals with a variable: root may be exempted',
      denyAllWhen({
        StringNotEquals: {
          'aws:PrincipalArn': `arn:${policyVariable('aws:PrincipalPartition')}:iam::222222222222:root`,
        },
      }),
      false,
    ],
    [
      'StringEquals with a variable: not provable from the policy text, does not count',
      denyAllWhen({
        StringEquals: { 'aws:PrincipalArn': `arn:aws:iam::${policyVariable('aws:PrincipalAccount')}:root` },
      }),
      false,
    ],
    [
      'a variable beside a value that matches root on its own: the OR holds',
      denyAllWhen({
        StringLike: {
          'aws:PrincipalArn': [
            `arn:aws:iam::${policyVariable('aws:PrincipalAccount')}:root`,
            'arn:*:iam::*:root',
          ],
        },
      }),
      true,
    ],
    [
      'a negated operator with a variable beside a value that matches root: root is exempted',
      denyAllWhen({
        ArnNotLike: {
          'aws:PrincipalArn': [
            `arn:aws:iam::*:role/${policyVariable('aws:username')}`,
            'arn:aws:iam::*:root',
          ],
        },
      }),
      false,
    ],
  ];
  for (const [name, document, expected] of cases) {
    t.test(name, async (t) => t.equal(policyDeniesRoot(JSON.stringify(document), rootArn), expected));
  }
});

t.test('policyDeniesRoot: only full ARNs count as principal patterns', async (t) => {
  const rootArn = 'arn:aws:iam::222222222222:root';
  const cases: [string, unknown, boolean][] = [
    ['StringLike *:root', denyAllWhen({ StringLike: { 'aws:PrincipalArn': '*:root' } }), false],
    ['StringLike *', denyAllWhen({ StringLike: { 'aws:PrincipalArn': '*' } }), false],
    ['StringLike arn:*:root', denyAllWhen({ StringLike: { 'aws:PrincipalArn': 'arn:*:root' } }), false],
    ['ArnLike arn:aws:iam::*', denyAllWhen({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*' } }), false],
    [
      'ArnNotLike arn:aws:iam::* (would it exempt root? a guess either way)',
      denyAllWhen({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*' } }),
      false,
    ],
    ['ArnNotLike *:root', denyAllWhen({ ArnNotLike: { 'aws:PrincipalArn': '*:root' } }), false],
    [
      'StringNotLike a partial pattern',
      denyAllWhen({ StringNotLike: { 'aws:PrincipalArn': '*:role/BreakGlass' } }),
      false,
    ],
    [
      'ArnLike arn:aws:iam::*:* (every IAM principal, root included, full ARN)',
      denyAllWhen({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:*' } }),
      true,
    ],
    [
      'ArnLike with a partial account wildcard that matches this account',
      denyAllWhen({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::2*:root' } }),
      true,
    ],
    [
      'ArnLike with a partial account wildcard that does not',
      denyAllWhen({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::3*:root' } }),
      false,
    ],
    [
      'a partial pattern beside a full root pattern: the OR holds',
      denyAllWhen({ StringLike: { 'aws:PrincipalArn': ['*:root', 'arn:*:iam::*:root'] } }),
      true,
    ],
    [
      'ArnNotLike a full role pattern and a partial one: unknown',
      denyAllWhen({ ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/BreakGlass', '*:root'] } }),
      false,
    ],
  ];
  for (const [name, document, expected] of cases) {
    t.test(name, async (t) => t.equal(policyDeniesRoot(JSON.stringify(document), rootArn), expected));
  }
});

t.test('policyDeniesRoot: operator variants and other condition keys', async (t) => {
  const rootArn = 'arn:aws:iam::222222222222:root';
  const cases: [string, unknown, boolean][] = [
    [
      'ForAllValues:ArnLike on the single-valued, present key: as ArnLike',
      denyAllWhen({ 'ForAllValues:ArnLike': { 'aws:PrincipalArn': 'arn:*:iam::*:root' } }),
      true,
    ],
    [
      'ForAnyValue:ArnNotLike a break-glass role: as ArnNotLike',
      denyAllWhen({ 'ForAnyValue:ArnNotLike': { 'aws:PrincipalArn': 'arn:aws:iam::*:role/BreakGlass' } }),
      true,
    ],
    [
      'ArnLikeIfExists: the key is always present',
      denyAllWhen({ ArnLikeIfExists: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } }),
      true,
    ],
    [
      'StringNotLikeIfExists the root pattern: root exempted',
      denyAllWhen({ StringNotLikeIfExists: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } }),
      false,
    ],
    [
      'Null false (the key is present) with the root pattern',
      denyAllWhen({
        Null: { 'aws:PrincipalArn': 'false' },
        ArnLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' },
      }),
      true,
    ],
    [
      'Null true as a JSON boolean: never holds for a signed request',
      denyAllWhen({
        Null: { 'aws:PrincipalArn': true },
        ArnLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' },
      }),
      false,
    ],
    [
      'the root pattern ANDed with a region: denies in one region only',
      denyAllWhen({
        ArnLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' },
        StringEquals: { 'aws:RequestedRegion': 'eu-west-1' },
      }),
      false,
    ],
    [
      'the root pattern ANDed with another key under the same operator',
      denyAllWhen({
        StringLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root', 'aws:PrincipalTag/team': 'ops' },
      }),
      false,
    ],
    [
      'two operators on the key, both holding for root (AND)',
      denyAllWhen({
        ArnLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' },
        ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' },
      }),
      true,
    ],
    [
      'two operators on the key, one excluding root (AND)',
      denyAllWhen({
        ArnLike: { 'aws:PrincipalArn': 'arn:*:iam::*:*' },
        ArnNotLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' },
      }),
      false,
    ],
    [
      'an Allow with the root condition does not deny',
      denyRootWith({ Effect: 'Allow', Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } } }),
      false,
    ],
    [
      'StringEqualsIgnoreCase with an upper-case ARN',
      denyAllWhen({ StringEqualsIgnoreCase: { 'aws:PrincipalArn': 'ARN:AWS:IAM::222222222222:ROOT' } }),
      true,
    ],
    [
      'StringLike is case-sensitive',
      denyAllWhen({ StringLike: { 'aws:PrincipalArn': 'arn:*:iam::*:ROOT' } }),
      false,
    ],
  ];
  for (const [name, document, expected] of cases) {
    t.test(name, async (t) => t.equal(policyDeniesRoot(JSON.stringify(document), rootArn), expected));
  }
});

t.test('findRootDenyingPolicies skips the decoy and keeps the guardrail', async (t) => {
  const decoy = policy(
    'p-decoy',
    denyRootWith({ Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Admin' } } }),
    ['ou-prod'],
  );
  t.same(found('222222222222', [FULL_ACCESS, decoy]), []);
  t.same(found('222222222222', [FULL_ACCESS, decoy, policy('p-deny', DENY_ROOT, ['r-root'])]), [
    ['p-deny', 'r-root'],
  ]);
});

t.test('the root ARN uses the organization partition', async (t) => {
  const govOrganization: Organization = { ...organization, partition: 'aws-us-gov' };
  const commercialOnly = policy(
    'p-commercial',
    denyRootWith({ Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } } }),
    ['r-root'],
  );
  t.same(
    findRootDenyingPolicies({
      accountId: '555555555555',
      organization: govOrganization,
      scps: scps([commercialOnly]),
    }),
    [],
  );
});
