import { inputString, requireInput, type ServiceHandlers } from '../context.ts';
import type { AlternateContactType } from '../model.ts';
import { SimError } from '../protocol.ts';

const TYPES = new Set(['BILLING', 'OPERATIONS', 'SECURITY']);

export const account: ServiceHandlers = {
  GetAlternateContact(ctx) {
    const type = requireInput(ctx, 'AlternateContactType');
    if (!TYPES.has(type)) {
      throw new SimError('ValidationException', `Invalid AlternateContactType: ${type}`);
    }
    const accountId = inputString(ctx, 'AccountId');
    const org = ctx.index.model.organization;
    let target = ctx.account;
    if (accountId !== undefined) {
      if (accountId === ctx.account.id) {
        throw new SimError(
          'ValidationException',
          'The management account cannot name itself in AccountId; call without AccountId.',
        );
      }
      // Only the management account and Account Management's own delegated administrators (not
      // IAM's or another service's) may name a member, with all features and trusted access on.
      const caller = ctx.account.id;
      const allowed =
        (caller === org.managementAccountId || (org.accountDelegatedAdministrators ?? []).includes(caller)) &&
        org.featureSet === 'ALL' &&
        org.trustedAccess.includes('account.amazonaws.com');
      const member = ctx.index.accounts.get(accountId);
      if (!allowed || !member) {
        throw new SimError(
          'AccessDeniedException',
          `User: ${ctx.principal.arn} is not authorized to perform: account:GetAlternateContact on resource: arn:aws:account::${org.managementAccountId}:account/${org.id}/${accountId}`,
          403,
        );
      }
      target = member;
    }
    const contact = target.alternateContacts[type as AlternateContactType];
    if (!contact)
      throw new SimError(
        'ResourceNotFoundException',
        'No contact of the inputted alternate contact type found.',
        404,
      );
    return {
      AlternateContact: {
        AlternateContactType: type,
        EmailAddress: contact.email,
        Name: contact.name,
        PhoneNumber: contact.phone,
        Title: contact.title,
      },
    };
  },
};
