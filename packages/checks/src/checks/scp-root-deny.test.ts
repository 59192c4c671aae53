import t from 'tap';
import {
  MANAGEMENT_ACCOUNT_ID,
  MEMBER_ACCOUNT_ID,
  OTHER_MEMBER_ACCOUNT_ID,
  PROD_OU_ID,
  ROOT_ID,
  WORKLOADS_OU_ID,
} from '../fixtures/accounts.ts';
import {
  consolidatedBillingOrganization,
  decoyScpOnAnotherPrincipal,
  memberSuspended,
  onlyFullAwsAccess,
  organization,
  organizationWithoutMember,
  readForMemberAndAnUnknownAccount,
  readForSandboxOnly,
  readForSandboxOnlyWithRootDenyOnSandbox,
  readForSandboxOnlyWithRootDenyOnWorkloads,
  rootDenyByPartialPattern,
  rootDenyInOneRegion,
  rootDenyOnOrganizationRoot,
  rootDenyOnSiblingOu,
  rootDenyTwoOusUp,
  rootDenyWithNamedExceptionsOnAccount,
  rootDenyWithWildcardExceptions,
  rootExemptedThroughPolicyVariable,
  scpTypeNotEnabled,
} from '../fixtures/organization.ts';
import { context, evaluateOne, evidenceFor, failed, managementAccountContext, ok } from '../testing/index.ts';
import { scpRootDeny } from './scp-root-deny.ts';

t.test('PASS with a root-deny SCP on the organization root', async (t) => {
  const result = evaluateOne(
    scpRootDeny,
    evidenceFor({ serviceControlPolicies: ok(rootDenyOnOrganizationRoot()) }),
  );
  t.equal(result.status, 'PASS');
  t.match(result.message, /DenyRootUser \(p-\w+\) on the organization root r-a1b2/);
});

t.test('PASS with the SCP two OUs up (Workloads, above Prod)', async (t) => {
  const result = evaluateOne(scpRootDeny, evidenceFor({ serviceControlPolicies: ok(rootDenyTwoOusUp()) }));
  t.equal(result.status, 'PASS');
  t.match(result.message, /on OU Workloads/);
});

t.test('FAIL when the root-deny SCP sits on a sibling OU', async (t) => {
  t.equal(
    evaluateOne(scpRootDeny, evidenceFor({ serviceControlPolicies: ok(rootDenyOnSiblingOu()) })).status,
    'FAIL',
  );
});

t.test('FAIL with a decoy SCP that denies another principal', async (t) => {
  const result = evaluateOne(
    scpRootDeny,
    evidenceFor({ serviceControlPolicies: ok(decoyScpOnAnotherPrincipal()) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /denies actions to root principals/);
  t.notMatch(result.message, /Not counted/, 'a deny on another principal is no near miss');
});

t.test('PASS with a deny but for two named MFA tasks, attached to the account itself', async (t) => {
  const result = evaluateOne(
    scpRootDeny,
    evidenceFor({ serviceControlPolicies: ok(rootDenyWithNamedExceptionsOnAccount()) }),
  );
  t.equal(result.status, 'PASS');
  t.match(result.message, /DenyRootButMfa \(p-\w+\) on the account itself/);
});

t.test('FAIL when NotAction excepts whole services or action families (iam:*, s3:Get*)', async (t) => {
  const result = evaluateOne(
    scpRootDeny,
    evidenceFor({ serviceControlPolicies: ok(rootDenyWithWildcardExceptions()) }),
  );
  t.equal(result.status, 'FAIL');
});

t.test('FAIL when root is exempted through a policy variable (aws:PrincipalAccount)', async (t) => {
  const result = evaluateOne(
    scpRootDeny,
    evidenceFor({ serviceControlPolicies: ok(rootExemptedThroughPolicyVariable()) }),
  );
  t.equal(result.status, 'FAIL');
});

t.test('FAIL when the principal pattern is not a full ARN (*:root)', async (t) => {
  const result = evaluateOne(
    scpRootDeny,
    evidenceFor({ serviceControlPolicies: ok(rootDenyByPartialPattern()) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /Not counted: DenyRootGuess \(p-\w+\) on OU Prod .*not a full ARN/);
  t.match(result.evidence, { undecided: [{ name: 'DenyRootGuess', attachedTo: PROD_OU_ID }] });
  t.same(
    (result.evidence.policiesInEffect as { name: string; attachedTo: string }[]).map(
      (entry) => entry.attachedTo,
    ),
    [MEMBER_ACCOUNT_ID, PROD_OU_ID, PROD_OU_ID, WORKLOADS_OU_ID, ROOT_ID],
    'only the policies in effect on the member, nearest first',
  );
});

t.test('FAIL when the deny holds in one region only', async (t) => {
  const result = evaluateOne(scpRootDeny, evidenceFor({ serviceControlPolicies: ok(rootDenyInOneRegion()) }));
  t.equal(result.status, 'FAIL');
  t.match(result.message, /Not counted: DenyRootInIreland \(p-\w+\) on the organization root/);
});

t.test('FAIL with only FullAWSAccess', async (t) => {
  t.equal(
    evaluateOne(scpRootDeny, evidenceFor({ serviceControlPolicies: ok(onlyFullAwsAccess()) })).status,
    'FAIL',
  );
});

t.test('FAIL when the SCP policy type is not enabled', async (t) => {
  const result = evaluateOne(scpRootDeny, evidenceFor({ serviceControlPolicies: ok(scpTypeNotEnabled()) }));
  t.equal(result.status, 'FAIL');
  t.match(result.message, /SCP policy type is not enabled/);
});

t.test('FAIL when the organization has only consolidated billing', async (t) => {
  const result = evaluateOne(
    scpRootDeny,
    evidenceFor({ organization: ok(consolidatedBillingOrganization()) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /consolidated billing/);
});

t.test(
  'NOT_APPLICABLE for the management account, even when the organization could not be read',
  async (t) => {
    const result = evaluateOne(
      scpRootDeny,
      evidenceFor({ organization: failed('organizations:DescribeOrganization') }),
      managementAccountContext(),
    );
    t.equal(result.status, 'NOT_APPLICABLE');
    t.match(result.message, /never apply to the management account/);
    t.equal(result.resource, `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:root`);
  },
);

t.test('NOT_APPLICABLE for the management account recognised from the organization', async (t) => {
  const result = evaluateOne(scpRootDeny, evidenceFor(), context({ accountId: MANAGEMENT_ACCOUNT_ID }));
  t.equal(result.status, 'NOT_APPLICABLE');
});

t.test('a suspended account is not audited (the runner skips it; a direct call says so)', async (t) => {
  const result = evaluateOne(scpRootDeny, evidenceFor({ organization: ok(memberSuspended()) }));
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(result.message, new RegExp(`${MEMBER_ACCOUNT_ID} is SUSPENDED`));
});

t.test('ERROR when the policies could not be read', async (t) => {
  const result = evaluateOne(
    scpRootDeny,
    evidenceFor({ serviceControlPolicies: failed('organizations:ListPolicies') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(
    result.message,
    /AccessDenied on organizations:ListPolicies reading the organization for 111122223333/,
  );
});

t.test('ERROR when the account is missing from the organization', async (t) => {
  t.equal(
    evaluateOne(scpRootDeny, evidenceFor({ organization: ok(organizationWithoutMember()) })).status,
    'ERROR',
  );
});

t.test('a read limited to some accounts (--accounts)', async (t) => {
  t.test('judges an account it was read for as the whole read does', async (t) => {
    const sandbox = context({ accountId: OTHER_MEMBER_ACCOUNT_ID });
    const scoped = evaluateOne(
      scpRootDeny,
      evidenceFor({
        organization: ok(readForSandboxOnly()),
        serviceControlPolicies: ok(readForSandboxOnlyWithRootDenyOnSandbox()),
      }),
      sandbox,
    );
    const whole = evaluateOne(
      scpRootDeny,
      evidenceFor({ serviceControlPolicies: ok(rootDenyOnSiblingOu()) }),
      sandbox,
    );
    t.equal(scoped.status, 'PASS');
    t.same(scoped, whole, 'same verdict, message and evidence');
  });
  t.test('ERROR, not FAIL, when the SCPs were read for other accounts only', async (t) => {
    const result = evaluateOne(
      scpRootDeny,
      evidenceFor({
        organization: ok(organization()),
        serviceControlPolicies: ok(readForSandboxOnlyWithRootDenyOnWorkloads()),
      }),
    );
    t.equal(result.status, 'ERROR');
    t.match(
      result.message,
      `list of SCPs was read for ${OTHER_MEMBER_ACCOUNT_ID} only, not for ${MEMBER_ACCOUNT_ID}`,
    );
  });
  t.test('ERROR for an account it left out, never "not in the organization"', async (t) => {
    const result = evaluateOne(
      scpRootDeny,
      evidenceFor({
        organization: ok(readForSandboxOnly()),
        serviceControlPolicies: ok(readForSandboxOnlyWithRootDenyOnSandbox()),
      }),
    );
    t.equal(result.status, 'ERROR');
    t.match(result.message, `organization was read for ${OTHER_MEMBER_ACCOUNT_ID} only`);
    t.notMatch(result.message, /is not in organization/);
  });
  t.test('an account it was asked for and did not find is not in the organization', async (t) => {
    const result = evaluateOne(
      scpRootDeny,
      evidenceFor({ organization: ok(readForMemberAndAnUnknownAccount()) }),
    );
    t.equal(result.status, 'ERROR');
    t.match(result.message, `Account ${MEMBER_ACCOUNT_ID} is not in organization`);
  });
});
