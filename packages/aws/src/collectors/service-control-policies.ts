/**
 * Service control policies with their documents and targets. `enabledOnRoot` comes from the root's
 * PolicyTypes: when the SCP type is not enabled no SCP has any effect, and none is listed.
 *
 * Limited to some accounts (`accountIds`), it reads only the policies in effect on them: those
 * attached to each account, to each OU above it and to the root (ListPoliciesForTarget per node,
 * DescribePolicy per policy), each with those targets only, and says so (`scope`).
 */
import {
  DescribePolicyCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListTargetsForPolicyCommand,
  type PolicySummary,
} from '@aws-sdk/client-organizations';
import type { ServiceControlPolicies, ServiceControlPolicy } from '@rootaudit/checks';
import {
  awsCall,
  type OrganizationCollector,
  type OrganizationCollectorContext,
  paginate,
  scopedAccountIds,
} from '../collector.ts';
import { collected } from '../errors.ts';
import { listRoots, parentChain } from './organization.ts';

const SCP = 'SERVICE_CONTROL_POLICY';
const LIST = 'organizations:ListPolicies';
const DESCRIBE = 'organizations:DescribePolicy';
const TARGETS = 'organizations:ListTargetsForPolicy';
const FOR_TARGET = 'organizations:ListPoliciesForTarget';

type Call = <T>(action: string, fn: () => Promise<T>) => Promise<T>;

async function describedPolicy(
  context: OrganizationCollectorContext,
  call: Call,
  summary: PolicySummary,
  targetIds: string[],
): Promise<ServiceControlPolicy> {
  const organizations = context.clients.client('organizations');
  const id = summary.Id ?? '';
  const described = await call(DESCRIBE, () =>
    organizations.send(new DescribePolicyCommand({ PolicyId: id })),
  );
  return {
    id,
    arn: summary.Arn ?? '',
    name: summary.Name ?? '',
    awsManaged: summary.AwsManaged === true,
    content: described.Policy?.Content ?? '',
    targetIds: [...targetIds].sort(),
  };
}

/** Every SCP of the organization with every target it is attached to. */
async function everyPolicy(
  context: OrganizationCollectorContext,
  call: Call,
): Promise<ServiceControlPolicy[]> {
  const organizations = context.clients.client('organizations');
  const summaries = await paginate(async (token) => {
    const page = await call(LIST, () =>
      organizations.send(new ListPoliciesCommand({ Filter: SCP, NextToken: token })),
    );
    return { items: page.Policies, next: page.NextToken };
  });
  return Promise.all(
    summaries.map(async (summary) => {
      const [targets, policy] = await Promise.all([
        paginate(async (token) => {
          const page = await call(TARGETS, () =>
            organizations.send(
              new ListTargetsForPolicyCommand({ PolicyId: summary.Id ?? '', NextToken: token }),
            ),
          );
          return { items: page.Targets, next: page.NextToken };
        }),
        describedPolicy(context, call, summary, []),
      ]);
      const targetIds = targets.flatMap((target) => (target.TargetId ? [target.TargetId] : []));
      return { ...policy, targetIds: targetIds.sort() };
    }),
  );
}

/**
 * The SCPs attached to the named accounts and every container above them, each with the targets
 * among those it is attached to. An account the organization does not know has no policies.
 */
async function policiesInEffectOn(
  context: OrganizationCollectorContext,
  call: Call,
  accountIds: readonly string[],
): Promise<ServiceControlPolicy[]> {
  const organizations = context.clients.client('organizations');
  const chains = await Promise.all(accountIds.map((accountId) => parentChain(context, accountId)));
  const nodes = new Set<string>();
  accountIds.forEach((accountId, index) => {
    const chain = chains[index];
    if (!chain) return;
    nodes.add(accountId);
    for (const parent of chain) nodes.add(parent.id);
  });
  const attached = await Promise.all(
    [...nodes].map(async (targetId) => ({
      targetId,
      policies: await paginate(async (token) => {
        const page = await call(FOR_TARGET, () =>
          organizations.send(
            new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: SCP, NextToken: token }),
          ),
        );
        return { items: page.Policies, next: page.NextToken };
      }),
    })),
  );
  const byPolicy = new Map<string, { summary: PolicySummary; targetIds: string[] }>();
  for (const { targetId, policies } of attached) {
    for (const summary of policies) {
      const id = summary.Id ?? '';
      const entry = byPolicy.get(id) ?? { summary, targetIds: [] };
      entry.targetIds.push(targetId);
      byPolicy.set(id, entry);
    }
  }
  return Promise.all(
    [...byPolicy.values()].map(({ summary, targetIds }) =>
      describedPolicy(context, call, summary, targetIds),
    ),
  );
}

export const serviceControlPoliciesCollector: OrganizationCollector<'serviceControlPolicies'> = {
  key: 'serviceControlPolicies',
  actions: [LIST, DESCRIBE, TARGETS, FOR_TARGET, 'organizations:ListRoots', 'organizations:ListParents'],
  collect: (context) =>
    collected(LIST, async (): Promise<ServiceControlPolicies> => {
      const call: Call = (action, fn) => awsCall(context.limit, action, undefined, fn);
      const scope = scopedAccountIds(context);
      const [root] = await listRoots(context);
      const enabledOnRoot = (root?.PolicyTypes ?? []).some(
        (type) => type.Type === SCP && type.Status === 'ENABLED',
      );
      const scoped = scope ? { scope: { accountIds: scope } } : {};
      if (!enabledOnRoot) return { enabledOnRoot, policies: [], ...scoped };
      const policies = scope
        ? await policiesInEffectOn(context, call, scope)
        : await everyPolicy(context, call);
      return { enabledOnRoot, policies: policies.sort((a, b) => a.id.localeCompare(b.id)), ...scoped };
    }),
};
