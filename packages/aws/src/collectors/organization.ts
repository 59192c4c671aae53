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
import {
  type AccountStatus,
  accountStatuses,
  isAccountStatus,
  type Organization,
  type OrganizationAccount,
  type OrganizationalUnit,
} from '@rootaudit/checks';
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

/**
 * The account's `State`, each of Organizations' five states kept as it is (the scanner skips all
 * but ACTIVE, each with its reason). The retired `Status` is not read. AWS documents no other
 * state: a missing or unknown one is an invalid answer, never guessed as active or suspended.
 */
export function accountStatusOf(account: Pick<Account, 'Id' | 'State'>): AccountStatus {
  if (isAccountStatus(account.State)) return account.State;
  throw new AwsCallError({
    action: LIST_ACCOUNTS,
    code: 'InvalidResponse',
    message: `account ${account.Id ?? '(no id)'} has ${account.State === undefined ? 'no State' : `State ${account.State}`}; rootaudit knows ${accountStatuses.join(', ')}`,
  });
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
