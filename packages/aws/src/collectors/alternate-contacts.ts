/**
 * account:GetAlternateContact for BILLING, OPERATIONS and SECURITY. Read by the organization role
 * with AccountId when the organization has trusted access for `account.amazonaws.com` (no
 * member-side permission needed, but the role must be in the management account or an Account
 * Management delegated administrator); on AccessDenied, inside the account with its audit role.
 * The management account reads its own contacts without AccountId, so it always goes the member way.
 *
 * Each contact is read once per account: the AccountId path is tried with one contact first, and a
 * refusal is remembered for the rest of the scan (on the organization clients), so later accounts
 * go straight to their audit role instead of asking to be refused again.
 */
import { type AlternateContactType, GetAlternateContactCommand } from '@aws-sdk/client-account';
import type { AlternateContact, AlternateContacts, CollectionError } from '@rootaudit/checks';
import type { AccountClients, OrganizationClients } from '../clients.ts';
import { type AccountCollector, awsCall } from '../collector.ts';
import { AwsCallError, collected } from '../errors.ts';

const ACTION = 'account:GetAlternateContact';
export const ACCOUNT_SERVICE_PRINCIPAL = 'account.amazonaws.com';
const TYPES = ['SECURITY', 'BILLING', 'OPERATIONS'] as const satisfies readonly AlternateContactType[];

/** What the Account API answers a caller that may not name AccountId (or lacks the permission). */
function isAccessDenied(error: unknown): error is AwsCallError {
  return error instanceof AwsCallError && /^AccessDenied(Exception)?$/.test(error.collectionError.code);
}

type Contacts = Omit<AlternateContacts, 'readVia' | 'organizationReadDenied'>;

export const alternateContactsCollector: AccountCollector<'alternateContacts'> = {
  key: 'alternateContacts',
  actions: [ACTION],
  principals: ['organization', 'audit-role'],
  needs: ['organization'],
  collect: ({ account, clients, organizationClients, evidence }) =>
    collected(ACTION, async (): Promise<AlternateContacts> => {
      const organization = await evidence('organization');
      const read = (client: OrganizationClients | AccountClients, accountId?: string) => {
        const accountApi = client.client('account');
        return async (type: AlternateContactType): Promise<AlternateContact | null> => {
          try {
            const response = await awsCall(clients.limit, ACTION, undefined, () =>
              accountApi.send(
                new GetAlternateContactCommand({
                  AlternateContactType: type,
                  ...(accountId ? { AccountId: accountId } : {}),
                }),
              ),
            );
            const contact = response.AlternateContact;
            if (!contact) return null;
            return {
              name: contact.Name ?? null,
              title: contact.Title ?? null,
              emailAddress: contact.EmailAddress ?? null,
              phoneNumber: contact.PhoneNumber ?? null,
            };
          } catch (error) {
            if (error instanceof AwsCallError && error.collectionError.code === 'ResourceNotFoundException')
              return null;
            throw error;
          }
        };
      };
      const byType = (values: readonly (AlternateContact | null)[]): Contacts => {
        const [security = null, billing = null, operations = null] = values;
        return { billing, operations, security };
      };

      let organizationReadDenied: CollectionError | undefined;
      if (
        organizationClients !== null &&
        !account.isManagementAccount &&
        organization.ok &&
        organization.value.trustedServices.includes(ACCOUNT_SERVICE_PRINCIPAL)
      ) {
        organizationReadDenied = organizationClients.denied.get(ACTION);
        if (!organizationReadDenied) {
          const readWithAccountId = read(organizationClients, account.id);
          const [first, ...rest] = TYPES;
          try {
            const security = await readWithAccountId(first);
            const others = await Promise.all(rest.map(readWithAccountId));
            return { ...byType([security, ...others]), readVia: 'management-account' };
          } catch (error) {
            if (!isAccessDenied(error)) throw error;
            organizationReadDenied = error.collectionError;
            organizationClients.denied.set(ACTION, organizationReadDenied);
          }
        }
      }
      const contacts = byType(await Promise.all(TYPES.map(read(clients))));
      return {
        ...contacts,
        readVia: 'member-account',
        ...(organizationReadDenied ? { organizationReadDenied } : {}),
      };
    }),
};
