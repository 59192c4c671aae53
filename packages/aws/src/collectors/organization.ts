/**
 * The organization as the management (or delegated-admin) account sees it: DescribeOrganization,
 * ListRoots, the OU tree (ListOrganizationalUnitsForParent from the root down), the accounts of
 * each node (ListAccountsForParent, which gives every account its parent without a ListParents
 * call per account), and the services with trusted access.
 */
import {
  type Account,
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
} from '@aws-sdk/client-organizations';
import type { AccountStatus, Organization, OrganizationAccount, OrganizationalUnit } from '@rootaudit/checks';
import {
  awsCall,
  iso,
  type OrganizationCollector,
  type OrganizationCollectorContext,
  paginate,
} from '../collector.ts';
import { AwsCallError, collected } from '../errors.ts';

const DESCRIBE = 'organizations:DescribeOrganization';
const LIST_ROOTS = 'organizations:ListRoots';
const LIST_OUS = 'organizations:ListOrganizationalUnitsForParent';
const LIST_ACCOUNTS = 'organizations:ListAccountsForParent';
const LIST_SERVICE_ACCESS = 'organizations:ListAWSServiceAccessForOrganization';

const STATES: Record<string, AccountStatus> = {
  ACTIVE: 'ACTIVE',
  SUSPENDED: 'SUSPENDED',
  PENDING_CLOSURE: 'PENDING_CLOSURE',
  CLOSED: 'CLOSED',
};

/** The newer `State` field when it is one we know, else the legacy `Status`. */
export function accountStatusOf(account: Pick<Account, 'State' | 'Status'>): AccountStatus {
  return STATES[account.State ?? ''] ?? STATES[account.Status ?? ''] ?? 'SUSPENDED';
}

export async function listRoots(context: OrganizationCollectorContext) {
  const organizations = context.clients.client('organizations');
  return paginate(async (token) => {
    const page = await awsCall(context.limit, LIST_ROOTS, undefined, () =>
      organizations.send(new ListRootsCommand({ NextToken: token })),
    );
    return { items: page.Roots, next: page.NextToken };
  });
}

export const organizationCollector: OrganizationCollector<'organization'> = {
  key: 'organization',
  actions: [DESCRIBE, LIST_ROOTS, LIST_OUS, LIST_ACCOUNTS, LIST_SERVICE_ACCESS],
  collect: (context) =>
    collected(DESCRIBE, async (): Promise<Organization> => {
      const organizations = context.clients.client('organizations');
      const call = <T>(action: string, fn: () => Promise<T>) => awsCall(context.limit, action, undefined, fn);
      const described = await call(DESCRIBE, () => organizations.send(new DescribeOrganizationCommand({})));
      const org = described.Organization;
      const [root] = await listRoots(context);
      if (!org?.Id || !org.Arn || !root?.Id) {
        throw new AwsCallError({
          action: DESCRIBE,
          code: 'InvalidResponse',
          message: 'no organization or root returned',
        });
      }
      const organizationalUnits: OrganizationalUnit[] = [];
      const accounts: OrganizationAccount[] = [];
      const visit = async (parentId: string): Promise<void> => {
        const [units, members] = await Promise.all([
          paginate(async (token) => {
            const page = await call(LIST_OUS, () =>
              organizations.send(
                new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken: token }),
              ),
            );
            return { items: page.OrganizationalUnits, next: page.NextToken };
          }),
          paginate(async (token) => {
            const page = await call(LIST_ACCOUNTS, () =>
              organizations.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken: token })),
            );
            return { items: page.Accounts, next: page.NextToken };
          }),
        ]);
        for (const member of members) {
          accounts.push({
            id: member.Id ?? '',
            arn: member.Arn ?? '',
            name: member.Name ?? '',
            email: member.Email ?? '',
            status: accountStatusOf(member),
            joinedAt: iso(member.JoinedTimestamp),
            parentId,
          });
        }
        for (const unit of units) {
          organizationalUnits.push({
            id: unit.Id ?? '',
            arn: unit.Arn ?? '',
            name: unit.Name ?? '',
            parentId,
          });
        }
        await Promise.all(units.map((unit) => visit(unit.Id ?? '')));
      };
      await visit(root.Id);
      const featureSet = org.FeatureSet === 'ALL' ? 'ALL' : 'CONSOLIDATED_BILLING';
      // Trusted access exists only with all features; the call fails otherwise.
      const trustedServices =
        featureSet === 'ALL'
          ? (
              await paginate(async (token) => {
                const page = await call(LIST_SERVICE_ACCESS, () =>
                  organizations.send(new ListAWSServiceAccessForOrganizationCommand({ NextToken: token })),
                );
                return { items: page.EnabledServicePrincipals, next: page.NextToken };
              })
            ).flatMap((service) => (service.ServicePrincipal ? [service.ServicePrincipal] : []))
          : [];
      return {
        id: org.Id,
        arn: org.Arn,
        partition: org.Arn.split(':')[1] ?? context.clients.partition,
        featureSet,
        managementAccountId: org.MasterAccountId ?? '',
        rootId: root.Id,
        accounts: accounts.sort((a, b) => a.id.localeCompare(b.id)),
        organizationalUnits: organizationalUnits.sort((a, b) => a.id.localeCompare(b.id)),
        trustedServices: trustedServices.sort(),
      };
    }),
};
