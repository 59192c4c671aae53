/**
 * The organization as last discovered: organization row, OU tree with paths, accounts. Accounts
 * that are no longer listed are marked (leftOrganizationAt), never deleted: their history stays.
 * A read limited to some accounts (`scope`) updates what it read and nothing else: only accounts it
 * asked for and did not find are marked as gone, and no OU it did not read is dropped.
 */
import {
  accountSkipReason,
  type Collected,
  type Organization,
  type OrganizationFeatures,
} from '@rootaudit/checks';
import type { AccountStatus, PrismaClient } from '@rootaudit/db';

/** What discovery gathered (the scanner's OrganizationEvidence has this shape). */
export interface OrganizationDiscovery {
  organization?: Collected<Organization> | undefined;
  organizationFeatures?: Collected<OrganizationFeatures> | undefined;
}

/** "/r-ab12/ou-1/ou-2/" for every OU (and the root), from the parent links. */
export function organizationalUnitPaths(organization: Organization): Map<string, string> {
  const parents = new Map(organization.organizationalUnits.map((ou) => [ou.id, ou.parentId]));
  const paths = new Map<string, string>([[organization.rootId, `/${organization.rootId}/`]]);
  const pathOf = (id: string, seen: Set<string>): string => {
    const known = paths.get(id);
    if (known) return known;
    const parent = parents.get(id);
    // An OU whose parent is unknown (or a cycle, which AWS never returns) hangs off the root.
    const parentPath =
      parent === undefined || seen.has(parent) ? `/${organization.rootId}/` : pathOf(parent, seen.add(id));
    const path = `${parentPath}${id}/`;
    paths.set(id, path);
    return path;
  };
  for (const ou of organization.organizationalUnits) pathOf(ou.id, new Set());
  return paths;
}

export interface PersistedOrganization {
  organizationId: string;
  managementAccountId: string;
  /** Accounts listed now, with the status they were listed with. */
  accounts: { id: string; status: AccountStatus }[];
  /** Accounts marked as having left by this call. */
  leftAccountIds: string[];
}

/**
 * Upserts the organization, its OU tree (paths included) and its accounts, and marks accounts
 * no longer listed. Idempotent: persisting the same discovery twice changes nothing more.
 * Throws when the organization itself could not be read (nothing is written then).
 */
export async function persistOrganization(
  prisma: PrismaClient,
  discovery: OrganizationDiscovery,
  options: { now?: Date } = {},
): Promise<PersistedOrganization> {
  const collected = discovery.organization;
  if (!collected?.ok) {
    const reason = collected
      ? `${collected.error.code} on ${collected.error.action}: ${collected.error.message}`
      : 'not gathered';
    throw new Error(`the organization could not be read: ${reason}`);
  }
  const organization = collected.value;
  const now = options.now ?? new Date();
  const features = discovery.organizationFeatures?.ok ? discovery.organizationFeatures.value : null;
  const enabledFeatures = features
    ? [
        ...(features.rootCredentialsManagement ? ['RootCredentialsManagement'] : []),
        ...(features.rootSessions ? ['RootSessions'] : []),
      ]
    : undefined;
  const management = organization.accounts.find((account) => account.id === organization.managementAccountId);
  const paths = organizationalUnitPaths(organization);
  const listedIds = organization.accounts.map((account) => account.id);
  const scope = organization.scope?.accountIds ?? null;

  const leftAccountIds = await prisma.$transaction(
    async (tx) => {
      const organizationData = {
        arn: organization.arn,
        featureSet: organization.featureSet,
        managementAccountId: organization.managementAccountId,
        // A scoped read that did not name the management account does not know its email.
        ...(management || !scope ? { managementAccountEmail: management?.email ?? null } : {}),
        rootId: organization.rootId,
        // Unknown features (the call failed) keep what was known before.
        ...(enabledFeatures ? { enabledFeatures } : {}),
      };
      // Discovered: the whole organization read; a scoped read is not a discovery of it.
      await tx.organization.upsert({
        where: { id: organization.id },
        create: { id: organization.id, ...organizationData, discoveredAt: now },
        update: scope ? organizationData : { ...organizationData, discoveredAt: now },
      });

      // Parents before children (shorter paths first), so parentId always points at a row.
      const units = [
        { id: organization.rootId, parentId: null as string | null, name: 'Root' },
        ...organization.organizationalUnits.map((ou) => ({
          id: ou.id,
          parentId: ou.parentId,
          name: ou.name,
        })),
      ].sort((a, b) => (paths.get(a.id)?.length ?? 0) - (paths.get(b.id)?.length ?? 0));
      for (const unit of units) {
        const data = {
          organizationId: organization.id,
          parentId: unit.parentId,
          name: unit.name,
          path: paths.get(unit.id) ?? `/${organization.rootId}/${unit.id}/`,
        };
        await tx.organizationalUnit.upsert({
          where: { id: unit.id },
          create: { id: unit.id, ...data },
          update: data,
        });
      }
      if (!scope) {
        await tx.organizationalUnit.deleteMany({
          where: { organizationId: organization.id, id: { notIn: units.map((unit) => unit.id) } },
        });
      }

      for (const account of organization.accounts) {
        const data = {
          organizationId: organization.id,
          name: account.name,
          email: account.email,
          status: account.status,
          isManagementAccount: account.id === organization.managementAccountId,
          ouId: account.parentId,
          ouPath: paths.get(account.parentId) ?? null,
          joinedAt: account.joinedAt ? new Date(account.joinedAt) : null,
          leftOrganizationAt: null,
          skipReason: accountSkipReason(account.status),
        };
        await tx.account.upsert({
          where: { id: account.id },
          create: { id: account.id, ...data },
          update: data,
        });
      }

      const leaving = await tx.account.findMany({
        where: {
          organizationId: organization.id,
          leftOrganizationAt: null,
          // Scoped: only the accounts asked for are known to be gone when not found.
          id: scope ? { in: scope.filter((id) => !listedIds.includes(id)) } : { notIn: listedIds },
        },
        select: { id: true },
      });
      if (leaving.length > 0) {
        await tx.account.updateMany({
          where: { id: { in: leaving.map((account) => account.id) } },
          data: { leftOrganizationAt: now, skipReason: 'the account left the organization' },
        });
      }
      return leaving.map((account) => account.id);
    },
    { timeout: 300_000, maxWait: 30_000 },
  );

  return {
    organizationId: organization.id,
    managementAccountId: organization.managementAccountId,
    accounts: organization.accounts.map((account) => ({ id: account.id, status: account.status })),
    leftAccountIds,
  };
}
