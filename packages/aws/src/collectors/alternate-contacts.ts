/**
 * account:GetAlternateContact for BILLING, OPERATIONS and SECURITY. Read from the management
 * account with AccountId when the organization has trusted access for `account.amazonaws.com`
 * (no member-side permission needed), else inside the account with the audit role.
 */
import { type AlternateContactType, GetAlternateContactCommand } from '@aws-sdk/client-account';
import type { AlternateContact, AlternateContacts } from '@rootaudit/checks';
import { type AccountCollector, awsCall } from '../collector.ts';
import { AwsCallError, collected } from '../errors.ts';

const ACTION = 'account:GetAlternateContact';
export const ACCOUNT_SERVICE_PRINCIPAL = 'account.amazonaws.com';

export const alternateContactsCollector: AccountCollector<'alternateContacts'> = {
  key: 'alternateContacts',
  actions: [ACTION],
  principals: ['organization', 'audit-role'],
  needs: ['organization'],
  collect: ({ account, clients, organizationClients, evidence }) =>
    collected(ACTION, async (): Promise<AlternateContacts> => {
      const organization = await evidence('organization');
      // The management account reads its own contacts without AccountId, so it goes the member way.
      const viaManagement =
        organizationClients !== null &&
        !account.isManagementAccount &&
        organization.ok &&
        organization.value.trustedServices.includes(ACCOUNT_SERVICE_PRINCIPAL);
      const client = viaManagement ? organizationClients.client('account') : clients.client('account');
      const read = async (type: AlternateContactType): Promise<AlternateContact | null> => {
        try {
          const response = await awsCall(clients.limit, ACTION, undefined, () =>
            client.send(
              new GetAlternateContactCommand({
                AlternateContactType: type,
                ...(viaManagement ? { AccountId: account.id } : {}),
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
      const [billing, operations, security] = await Promise.all([
        read('BILLING'),
        read('OPERATIONS'),
        read('SECURITY'),
      ]);
      return {
        billing,
        operations,
        security,
        readVia: viaManagement ? 'management-account' : 'member-account',
      };
    }),
};
