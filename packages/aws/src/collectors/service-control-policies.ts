/**
 * Service control policies with their documents and targets. `enabledOnRoot` comes from the root's
 * PolicyTypes: when the SCP type is not enabled no SCP has any effect, and none is listed.
 */
import {
  DescribePolicyCommand,
  ListPoliciesCommand,
  ListTargetsForPolicyCommand,
} from '@aws-sdk/client-organizations';
import type { ServiceControlPolicies } from '@rootaudit/checks';
import { awsCall, type OrganizationCollector, paginate } from '../collector.ts';
import { collected } from '../errors.ts';
import { listRoots } from './organization.ts';

const LIST = 'organizations:ListPolicies';
const DESCRIBE = 'organizations:DescribePolicy';
const TARGETS = 'organizations:ListTargetsForPolicy';

export const serviceControlPoliciesCollector: OrganizationCollector<'serviceControlPolicies'> = {
  key: 'serviceControlPolicies',
  actions: [LIST, DESCRIBE, TARGETS, 'organizations:ListRoots'],
  collect: (context) =>
    collected(LIST, async (): Promise<ServiceControlPolicies> => {
      const organizations = context.clients.client('organizations');
      const call = <T>(action: string, fn: () => Promise<T>) => awsCall(context.limit, action, undefined, fn);
      const [root] = await listRoots(context);
      const enabledOnRoot = (root?.PolicyTypes ?? []).some(
        (type) => type.Type === 'SERVICE_CONTROL_POLICY' && type.Status === 'ENABLED',
      );
      if (!enabledOnRoot) return { enabledOnRoot, policies: [] };
      const summaries = await paginate(async (token) => {
        const page = await call(LIST, () =>
          organizations.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY', NextToken: token })),
        );
        return { items: page.Policies, next: page.NextToken };
      });
      const policies = await Promise.all(
        summaries.map(async (summary) => {
          const id = summary.Id ?? '';
          const [described, targets] = await Promise.all([
            call(DESCRIBE, () => organizations.send(new DescribePolicyCommand({ PolicyId: id }))),
            paginate(async (token) => {
              const page = await call(TARGETS, () =>
                organizations.send(new ListTargetsForPolicyCommand({ PolicyId: id, NextToken: token })),
              );
              return { items: page.Targets, next: page.NextToken };
            }),
          ]);
          return {
            id,
            arn: summary.Arn ?? '',
            name: summary.Name ?? '',
            awsManaged: summary.AwsManaged === true,
            content: described.Policy?.Content ?? '',
            targetIds: targets.flatMap((target) => (target.TargetId ? [target.TargetId] : [])).sort(),
          };
        }),
      );
      return { enabledOnRoot, policies: policies.sort((a, b) => a.id.localeCompare(b.id)) };
    }),
};
