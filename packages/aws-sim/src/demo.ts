import { loadOrganization } from './fixture.ts';
import { generateOrganization } from './generate.ts';
import type { OrganizationModel } from './model.ts';

export interface DemoOrganizationOptions {
  /** Accounts in all, at least the sample's 12 [36]. */
  accounts?: number;
  /** Seed of the generated accounts [7]. */
  seed?: number;
  now?: number;
}

export const DEMO_ACCOUNTS = 36;

/**
 * The organization `rootaudit demo` scans: the hand-made sample organization (every check has a
 * passing and a failing account there, see README) plus generated members spread over its OUs, for
 * the look of a real organization. Deterministic for a seed; members are named after their OU.
 */
export function demoOrganization(options: DemoOrganizationOptions = {}): OrganizationModel {
  const now = options.now ?? Date.now();
  const model = loadOrganization(undefined, now);
  const total = options.accounts ?? DEMO_ACCOUNTS;
  if (!Number.isInteger(total) || total < model.accounts.length) {
    throw new RangeError(`a demo organization has at least ${model.accounts.length} accounts, not ${total}`);
  }
  const generated = generateOrganization({
    // Its first account is a management account of its own: left out.
    accounts: total - model.accounts.length + 1,
    seed: options.seed ?? 7,
    now,
    regions: model.regions,
    externalId: model.auditRole.externalId,
  });
  const ouByName = new Map(model.ous.map((ou) => [ou.name, ou.id]));
  const ouNameById = new Map(generated.ous.map((ou) => [ou.id, ou.name]));
  const taken = new Set(model.accounts.map((account) => account.id));
  const perOu = new Map<string, number>();
  const everywhere = model.policies.find((policy) => policy.name === 'FullAWSAccess');
  for (const account of generated.accounts.slice(1)) {
    const ouName = ouNameById.get(account.parentId);
    const parentId = (ouName && ouByName.get(ouName)) ?? model.organization.rootId;
    if (taken.has(account.id)) continue;
    taken.add(account.id);
    const prefix = (ouName ?? 'member').toLowerCase();
    const number = (perOu.get(prefix) ?? 0) + 1;
    perOu.set(prefix, number);
    const name = `${prefix}-${String(number).padStart(2, '0')}`;
    model.accounts.push({
      ...account,
      name,
      email: account.email.replace(account.name, name),
      parentId,
    });
    everywhere?.targets.push(account.id);
  }
  return model;
}
