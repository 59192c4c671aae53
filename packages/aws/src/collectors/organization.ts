/**
 * The organization as the management (or delegated-admin) account sees it: DescribeOrganization,
 * ListRoots, the OU tree (ListOrganizationalUnitsForParent from the root down), the accounts of
 * each node (ListAccountsForParent, which gives every account its parent without a ListParents
 * call per account), and the services with trusted access.
 *
 * Limited to some accounts (`accountIds`, a scan with `--accounts`), it reads only those accounts
 * (DescribeAccount) and the OUs on their way to the root (ListParents, DescribeOrganizationalUnit),
 * and says so (`scope`): a handful of calls instead of two per OU of the organization.
 */
import {
  type Account,
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  type Root,
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
  readOnce,
  scopedAccountIds,
} from '../collector.ts';
import { AwsCallError, collected } from '../errors.ts';

const DESCRIBE = 'organizations:DescribeOrganization';
const LIST_ROOTS = 'organizations:ListRoots';
const LIST_OUS = 'organizations:ListOrganizationalUnitsForParent';
const LIST_ACCOUNTS = 'organizations:ListAccountsForParent';
const LIST_SERVICE_ACCESS = 'organizations:ListAWSServiceAccessForOrganization';
const DESCRIBE_ACCOUNT = 'organizations:DescribeAccount';
const LIST_PARENTS = 'organizations:ListParents';
const DESCRIBE_OU = 'organizations:DescribeOrganizationalUnit';
/** AWS nests OUs five deep under the root: a longer chain is a bad answer, not an organization. */
const MAX_CHAIN = 6;

/**
 * The account's `State`, each of Organizations' five states kept as it is (the scanner skips all
 * but ACTIVE, each with its reason). The retired `Status` is not read. AWS documents no other
 * state: a missing or unknown one is an invalid answer, never guessed as active or suspended.
 */
export function accountStatusOf(
  account: Pick<Account, 'Id' | 'State'>,
  action: string = LIST_ACCOUNTS,
): AccountStatus {
  if (isAccountStatus(account.State)) return account.State;
  throw new AwsCallError({
    action,
    code: 'InvalidResponse',
    message: `account ${account.Id ?? '(no id)'} has ${account.State === undefined ? 'no State' : `State ${account.State}`}; rootaudit knows ${accountStatuses.join(', ')}`,
  });
}

/** ListRoots, once per organization read (the SCP collector reads the root's policy types too). */
export function listRoots(context: OrganizationCollectorContext): Promise<Root[]> {
  const organizations = context.clients.client('organizations');
  return readOnce(context, 'roots', () =>
    paginate(async (token) => {
      const page = await awsCall(context.limit, LIST_ROOTS, undefined, () =>
        organizations.send(new ListRootsCommand({ NextToken: token })),
      );
      return { items: page.Roots, next: page.NextToken };
    }),
  );
}

function invalid(action: string, message: string): AwsCallError {
  return new AwsCallError({ action, code: 'InvalidResponse', message });
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof AwsCallError && error.collectionError.code === code;
}

export interface Parent {
  id: string;
  type: 'ROOT' | 'ORGANIZATIONAL_UNIT';
}

/** ListParents of an account or OU (each has exactly one); null when AWS does not know the child. */
function parentOf(context: OrganizationCollectorContext, childId: string): Promise<Parent | null> {
  const organizations = context.clients.client('organizations');
  return readOnce(context, `parent:${childId}`, async () => {
    try {
      const parents = await paginate(async (token) => {
        const page = await awsCall(context.limit, LIST_PARENTS, undefined, () =>
          organizations.send(new ListParentsCommand({ ChildId: childId, NextToken: token })),
        );
        return { items: page.Parents, next: page.NextToken };
      });
      const [parent] = parents;
      if (
        parents.length !== 1 ||
        !parent?.Id ||
        (parent.Type !== 'ROOT' && parent.Type !== 'ORGANIZATIONAL_UNIT')
      )
        throw invalid(
          LIST_PARENTS,
          `${childId} has ${parents.length} parents (${JSON.stringify(parents)}); AWS gives each exactly one`,
        );
      return { id: parent.Id, type: parent.Type };
    } catch (error) {
      if (isCode(error, 'ChildNotFoundException')) return null;
      throw error;
    }
  });
}

/**
 * The containers above an account, nearest first, ending with the root (ListParents up the tree,
 * each answer shared by the accounts below it); null when the organization does not know the account.
 */
export async function parentChain(
  context: OrganizationCollectorContext,
  accountId: string,
): Promise<Parent[] | null> {
  const chain: Parent[] = [];
  let child = accountId;
  for (;;) {
    const parent = await parentOf(context, child);
    if (!parent) {
      if (chain.length === 0) return null;
      throw invalid(LIST_PARENTS, `OU ${child}, a parent of ${accountId}, has no parent`);
    }
    chain.push(parent);
    if (parent.type === 'ROOT') return chain;
    if (chain.length >= MAX_CHAIN)
      throw invalid(LIST_PARENTS, `${accountId} is more than ${MAX_CHAIN} levels below the root`);
    child = parent.id;
  }
}

/** What every read of the organization starts with: DescribeOrganization and its root. */
function describeOrganization(context: OrganizationCollectorContext) {
  return readOnce(context, 'organization', async () => {
    const organizations = context.clients.client('organizations');
    const [described, [root]] = await Promise.all([
      awsCall(context.limit, DESCRIBE, undefined, () =>
        organizations.send(new DescribeOrganizationCommand({})),
      ),
      listRoots(context),
    ]);
    const org = described.Organization;
    if (!org?.Id || !org.Arn || !root?.Id) throw invalid(DESCRIBE, 'no organization or root returned');
    return {
      id: org.Id,
      arn: org.Arn,
      featureSet: org.FeatureSet,
      managementAccountId: org.MasterAccountId,
      rootId: root.Id,
    };
  });
}

/** DescribeAccount, once per account and organization read; null: AWS does not know the account. */
function describeAccount(context: OrganizationCollectorContext, accountId: string) {
  return readOnce(context, `account:${accountId}`, async () => {
    const organizations = context.clients.client('organizations');
    const member = await awsCall(context.limit, DESCRIBE_ACCOUNT, undefined, () =>
      organizations.send(new DescribeAccountCommand({ AccountId: accountId })),
    ).then(
      (answer) => answer.Account ?? null,
      (error: unknown) => {
        if (isCode(error, 'AccountNotFoundException')) return null;
        throw error;
      },
    );
    if (member && member.Id !== accountId)
      throw invalid(DESCRIBE_ACCOUNT, `asked for ${accountId}, answered ${member.Id ?? 'no account'}`);
    return member;
  });
}

/** A named account as a scan needs it to start: its id and state. */
export interface NamedAccount {
  id: string;
  status: AccountStatus;
}

/**
 * The first answers of a read limited to some accounts, which are all a scan needs to start those
 * accounts: the management account (DescribeOrganization) and each named account's state
 * (DescribeAccount; an account AWS does not know is left out). Read through `context.shared`, so
 * the organization collector of the same read makes none of these calls again; the rest of its
 * read (the OU path, the SCPs) can go on while the accounts are scanned.
 */
export async function namedAccounts(
  context: OrganizationCollectorContext,
  accountIds: readonly string[],
): Promise<{ managementAccountId: string; accounts: NamedAccount[] }> {
  const [org, members] = await Promise.all([
    describeOrganization(context),
    Promise.all(accountIds.map((accountId) => describeAccount(context, accountId))),
  ]);
  return {
    managementAccountId: org.managementAccountId ?? '',
    accounts: members.flatMap((member) =>
      member?.Id ? [{ id: member.Id, status: accountStatusOf(member, DESCRIBE_ACCOUNT) }] : [],
    ),
  };
}

/** The services with trusted access, which exists only with all features (the call fails otherwise). */
async function trustedServicesOf(
  context: OrganizationCollectorContext,
  featureSet: Organization['featureSet'],
) {
  if (featureSet !== 'ALL') return [];
  const organizations = context.clients.client('organizations');
  const services = await paginate(async (token) => {
    const page = await awsCall(context.limit, LIST_SERVICE_ACCESS, undefined, () =>
      organizations.send(new ListAWSServiceAccessForOrganizationCommand({ NextToken: token })),
    );
    return { items: page.EnabledServicePrincipals, next: page.NextToken };
  });
  return services.flatMap((service) => (service.ServicePrincipal ? [service.ServicePrincipal] : [])).sort();
}

function organizationAccount(member: Account, parentId: string, action: string): OrganizationAccount {
  return {
    id: member.Id ?? '',
    arn: member.Arn ?? '',
    name: member.Name ?? '',
    email: member.Email ?? '',
    status: accountStatusOf(member, action),
    joinedAt: iso(member.JoinedTimestamp),
    parentId,
  };
}

/** Every account and OU: the tree walked from the root, two calls per node. */
async function wholeTree(context: OrganizationCollectorContext, rootId: string) {
  const organizations = context.clients.client('organizations');
  const call = <T>(action: string, fn: () => Promise<T>) => awsCall(context.limit, action, undefined, fn);
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
    for (const member of members) accounts.push(organizationAccount(member, parentId, LIST_ACCOUNTS));
    for (const unit of units) {
      organizationalUnits.push({ id: unit.Id ?? '', arn: unit.Arn ?? '', name: unit.Name ?? '', parentId });
    }
    await Promise.all(units.map((unit) => visit(unit.Id ?? '')));
  };
  await visit(rootId);
  return { accounts, organizationalUnits };
}

/**
 * The named accounts (DescribeAccount; one AWS does not know is left out, which the scope then
 * proves absent) and the OUs above them, each described once however many accounts it holds.
 */
async function scopedTree(context: OrganizationCollectorContext, accountIds: readonly string[]) {
  const organizations = context.clients.client('organizations');
  const units = new Map<string, Promise<OrganizationalUnit>>();
  const describeUnit = (id: string, parentId: string) => {
    let unit = units.get(id);
    if (!unit) {
      unit = awsCall(context.limit, DESCRIBE_OU, undefined, () =>
        organizations.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: id })),
      ).then((answer) => {
        const ou = answer.OrganizationalUnit;
        if (ou?.Id !== id) throw invalid(DESCRIBE_OU, `asked for ${id}, answered ${ou?.Id ?? 'no OU'}`);
        return { id, arn: ou.Arn ?? '', name: ou.Name ?? '', parentId };
      });
      units.set(id, unit);
    }
    return unit;
  };
  const found = await Promise.all(
    accountIds.map(async (accountId): Promise<OrganizationAccount | null> => {
      const [member, chain] = await Promise.all([
        describeAccount(context, accountId),
        parentChain(context, accountId),
      ]);
      // Known to one call and not the other: it joined or left between them; it is not read.
      if (!member || !chain) return null;
      await Promise.all(
        chain.flatMap((parent, index) =>
          parent.type === 'ORGANIZATIONAL_UNIT' ? [describeUnit(parent.id, chain[index + 1]?.id ?? '')] : [],
        ),
      );
      return organizationAccount(member, chain[0]?.id ?? '', DESCRIBE_ACCOUNT);
    }),
  );
  return {
    accounts: found.filter((account) => account !== null),
    organizationalUnits: await Promise.all(units.values()),
  };
}

export const organizationCollector: OrganizationCollector<'organization'> = {
  key: 'organization',
  actions: [
    DESCRIBE,
    LIST_ROOTS,
    LIST_OUS,
    LIST_ACCOUNTS,
    LIST_SERVICE_ACCESS,
    DESCRIBE_ACCOUNT,
    LIST_PARENTS,
    DESCRIBE_OU,
  ],
  collect: (context) =>
    collected(DESCRIBE, async (): Promise<Organization> => {
      const scope = scopedAccountIds(context);
      // The named accounts' path does not wait for DescribeOrganization; the whole tree needs its root.
      const described = describeOrganization(context);
      const reading = scope
        ? scopedTree(context, scope)
        : described.then((org) => wholeTree(context, org.rootId));
      // Neither may go unobserved while the other is awaited (each rejects the read the same way).
      reading.catch(() => undefined);
      const org = await described;
      const featureSet = org.featureSet === 'ALL' ? 'ALL' : 'CONSOLIDATED_BILLING';
      const [tree, trustedServices] = await Promise.all([reading, trustedServicesOf(context, featureSet)]);
      return {
        id: org.id,
        arn: org.arn,
        partition: org.arn.split(':')[1] ?? context.clients.partition,
        featureSet,
        managementAccountId: org.managementAccountId ?? '',
        rootId: org.rootId,
        accounts: tree.accounts.sort((a, b) => a.id.localeCompare(b.id)),
        organizationalUnits: tree.organizationalUnits.sort((a, b) => a.id.localeCompare(b.id)),
        trustedServices,
        ...(scope ? { scope: { accountIds: scope } } : {}),
      };
    }),
};
