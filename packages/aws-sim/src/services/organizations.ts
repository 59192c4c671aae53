import {
  type CallContext,
  inputNumber,
  inputString,
  isManagementOrDelegated,
  requireInput,
  type ServiceHandlers,
} from '../context.ts';
import type { AccountModel, OrganizationalUnit, Policy } from '../model.ts';
import { paginate, SimError } from '../protocol.ts';

const SCP = 'SERVICE_CONTROL_POLICY';

function orgArnPrefix(ctx: CallContext) {
  const org = ctx.index.model.organization;
  return `arn:aws:organizations::${org.managementAccountId}`;
}

function accountArn(ctx: CallContext, id: string) {
  return `${orgArnPrefix(ctx)}:account/${ctx.index.model.organization.id}/${id}`;
}

function ouArn(ctx: CallContext, id: string) {
  return `${orgArnPrefix(ctx)}:ou/${ctx.index.model.organization.id}/${id}`;
}

function rootArn(ctx: CallContext) {
  const org = ctx.index.model.organization;
  return `${orgArnPrefix(ctx)}:root/${org.id}/${org.rootId}`;
}

function policyArn(ctx: CallContext, policy: Policy) {
  return policy.awsManaged
    ? `arn:aws:organizations::aws:policy/service_control_policy/${policy.id}`
    : `${orgArnPrefix(ctx)}:policy/${ctx.index.model.organization.id}/service_control_policy/${policy.id}`;
}

function ancestorsOf(ctx: CallContext, parentId: string): string[] {
  const path: string[] = [];
  let current: string | undefined = parentId;
  while (current) {
    path.unshift(current);
    current = ctx.index.ous.get(current)?.parentId;
  }
  return path;
}

function describeAccount(ctx: CallContext, account: AccountModel) {
  const org = ctx.index.model.organization;
  return {
    Id: account.id,
    Arn: accountArn(ctx, account.id),
    Email: account.email,
    Name: account.name,
    // `Status` was retired in September 2026: AWS answers with `State` alone.
    State: account.status,
    Paths: [`${org.id}/${ancestorsOf(ctx, account.parentId).join('/')}/${account.id}/`],
    JoinedMethod: account.joinedMethod,
    JoinedTimestamp: new Date(account.joined),
  };
}

function describeOu(ctx: CallContext, ou: OrganizationalUnit) {
  return { Id: ou.id, Arn: ouArn(ctx, ou.id), Name: ou.name };
}

function policySummary(ctx: CallContext, policy: Policy) {
  return {
    Id: policy.id,
    Arn: policyArn(ctx, policy),
    Name: policy.name,
    Description: policy.description,
    Type: SCP,
    AwsManaged: policy.awsManaged,
  };
}

function invalidToken(): SimError {
  return new SimError('InvalidInputException', 'The provided NextToken is invalid.');
}

function page<T>(ctx: CallContext, all: readonly T[], scope: string) {
  const max = inputNumber(ctx, 'MaxResults') ?? 20;
  if (max < 1 || max > 20) {
    throw new SimError(
      'InvalidInputException',
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 20`,
    );
  }
  const result = paginate(all, inputString(ctx, 'NextToken'), max, scope, invalidToken);
  return { items: result.items, NextToken: result.next };
}

/** Reads of the whole organization: management account or a delegated administrator only. */
function requireOrgReader(ctx: CallContext): void {
  if (!isManagementOrDelegated(ctx)) {
    throw new SimError('AccessDeniedException', "You don't have permissions to access this resource.", 400);
  }
}

function requirePolicyType(ctx: CallContext): void {
  const filter = inputString(ctx, 'Filter');
  if (filter !== SCP) {
    throw new SimError(
      'InvalidInputException',
      `The policy type ${filter ?? 'null'} is not supported by this simulator.`,
    );
  }
  if (ctx.index.model.organization.featureSet !== 'ALL') {
    throw new SimError(
      'PolicyTypeNotEnabledException',
      'This operation can be performed only for enabled policy types.',
    );
  }
}

/** The ParentId input, which must name the root or an OU. */
function requireParent(ctx: CallContext): string {
  const id = requireInput(ctx, 'ParentId', 'InvalidInputException');
  if (id !== ctx.index.model.organization.rootId && !ctx.index.ous.has(id)) {
    throw new SimError(
      'ParentNotFoundException',
      "We can't find a root or OU with the ParentId that you specified.",
    );
  }
  return id;
}

/** The policy the PolicyId input names. */
function requirePolicy(ctx: CallContext): Policy {
  const policy = ctx.index.policies.get(requireInput(ctx, 'PolicyId', 'InvalidInputException'));
  if (!policy) {
    throw new SimError(
      'PolicyNotFoundException',
      "We can't find a policy with the PolicyId that you specified.",
    );
  }
  return policy;
}

function targetOf(ctx: CallContext, id: string) {
  const org = ctx.index.model.organization;
  if (id === org.rootId) return { TargetId: id, Arn: rootArn(ctx), Name: 'Root', Type: 'ROOT' };
  const ou = ctx.index.ous.get(id);
  if (ou) return { TargetId: id, Arn: ouArn(ctx, id), Name: ou.name, Type: 'ORGANIZATIONAL_UNIT' };
  const account = ctx.index.accounts.get(id);
  if (account) return { TargetId: id, Arn: accountArn(ctx, id), Name: account.name, Type: 'ACCOUNT' };
  return undefined;
}

export const organizations: ServiceHandlers = {
  DescribeOrganization(ctx) {
    const org = ctx.index.model.organization;
    const management = ctx.index.accounts.get(org.managementAccountId);
    return {
      Organization: {
        Id: org.id,
        Arn: `${orgArnPrefix(ctx)}:organization/${org.id}`,
        FeatureSet: org.featureSet,
        MasterAccountArn: accountArn(ctx, org.managementAccountId),
        MasterAccountId: org.managementAccountId,
        MasterAccountEmail: management?.email,
        AvailablePolicyTypes: org.featureSet === 'ALL' ? [{ Type: SCP, Status: 'ENABLED' }] : [],
      },
    };
  },

  ListAccounts(ctx) {
    requireOrgReader(ctx);
    const result = page(ctx, ctx.index.model.accounts, 'accounts');
    return { Accounts: result.items.map((a) => describeAccount(ctx, a)), NextToken: result.NextToken };
  },

  DescribeAccount(ctx) {
    requireOrgReader(ctx);
    const id = requireInput(ctx, 'AccountId', 'InvalidInputException');
    const account = ctx.index.accounts.get(id);
    if (!account)
      throw new SimError('AccountNotFoundException', `You specified an account that doesn't exist.`);
    return { Account: describeAccount(ctx, account) };
  },

  ListRoots(ctx) {
    requireOrgReader(ctx);
    const org = ctx.index.model.organization;
    const root = {
      Id: org.rootId,
      Arn: rootArn(ctx),
      Name: 'Root',
      PolicyTypes: org.featureSet === 'ALL' ? [{ Type: SCP, Status: 'ENABLED' }] : [],
    };
    return { Roots: page(ctx, [root], 'roots').items };
  },

  ListOrganizationalUnitsForParent(ctx) {
    requireOrgReader(ctx);
    const parentId = requireParent(ctx);
    const result = page(ctx, ctx.index.childOus.get(parentId) ?? [], `ous:${parentId}`);
    return {
      OrganizationalUnits: result.items.map((ou) => describeOu(ctx, ou)),
      NextToken: result.NextToken,
    };
  },

  DescribeOrganizationalUnit(ctx) {
    requireOrgReader(ctx);
    const ou = ctx.index.ous.get(requireInput(ctx, 'OrganizationalUnitId', 'InvalidInputException'));
    if (!ou) {
      throw new SimError(
        'OrganizationalUnitNotFoundException',
        "We can't find an OU with the OrganizationalUnitId that you specified.",
      );
    }
    return { OrganizationalUnit: describeOu(ctx, ou) };
  },

  ListAccountsForParent(ctx) {
    requireOrgReader(ctx);
    const parentId = requireParent(ctx);
    const result = page(ctx, ctx.index.childAccounts.get(parentId) ?? [], `accounts:${parentId}`);
    return { Accounts: result.items.map((a) => describeAccount(ctx, a)), NextToken: result.NextToken };
  },

  ListParents(ctx) {
    requireOrgReader(ctx);
    const childId = requireInput(ctx, 'ChildId', 'InvalidInputException');
    const parentId = ctx.index.accounts.get(childId)?.parentId ?? ctx.index.ous.get(childId)?.parentId;
    if (!parentId)
      throw new SimError(
        'ChildNotFoundException',
        "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
      );
    const type = parentId === ctx.index.model.organization.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT';
    return { Parents: [{ Id: parentId, Type: type }] };
  },

  ListPolicies(ctx) {
    requireOrgReader(ctx);
    requirePolicyType(ctx);
    const result = page(ctx, ctx.index.model.policies, 'policies');
    return { Policies: result.items.map((p) => policySummary(ctx, p)), NextToken: result.NextToken };
  },

  DescribePolicy(ctx) {
    requireOrgReader(ctx);
    const policy = requirePolicy(ctx);
    return { Policy: { PolicySummary: policySummary(ctx, policy), Content: policy.content } };
  },

  ListTargetsForPolicy(ctx) {
    requireOrgReader(ctx);
    const policy = requirePolicy(ctx);
    // Page the ids, then describe only the page: FullAWSAccess targets every account.
    const result = page(ctx, policy.targets, `targets:${policy.id}`);
    const targets = result.items.map((t) => targetOf(ctx, t)).filter((t) => t !== undefined);
    return { Targets: targets, NextToken: result.NextToken };
  },

  ListPoliciesForTarget(ctx) {
    requireOrgReader(ctx);
    const targetId = requireInput(ctx, 'TargetId', 'InvalidInputException');
    requirePolicyType(ctx);
    if (!targetOf(ctx, targetId)) {
      throw new SimError(
        'TargetNotFoundException',
        "We can't find a root, OU, account, or policy with the TargetId that you specified.",
      );
    }
    const policies = ctx.index.policiesByTarget.get(targetId) ?? [];
    const result = page(ctx, policies, `pft:${targetId}`);
    return { Policies: result.items.map((p) => policySummary(ctx, p)), NextToken: result.NextToken };
  },

  ListAWSServiceAccessForOrganization(ctx) {
    requireOrgReader(ctx);
    const org = ctx.index.model.organization;
    const management = ctx.index.accounts.get(org.managementAccountId);
    const enabled = org.trustedAccess.map((principal) => ({
      ServicePrincipal: principal,
      DateEnabled: new Date(management?.joined ?? 0),
    }));
    const result = page(ctx, enabled, 'service-access');
    return { EnabledServicePrincipals: result.items, NextToken: result.NextToken };
  },
};
