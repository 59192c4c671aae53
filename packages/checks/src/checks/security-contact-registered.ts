import { defineCheck } from '../check.ts';
import { describeContacts, isRegistered } from './alternate-contacts.ts';
import { errorOutcome, outcome, rootArn } from './support.ts';

/**
 * Evidence: alternate contacts (required), read with AccountId by the organization role when trusted
 * access is on, else (or when that is refused) inside the account.
 */
export const securityContactRegistered = defineCheck({
  metadata: {
    id: 'security-contact-registered',
    title: 'A security alternate contact is registered',
    severity: 'medium',
    scope: 'account',
    description:
      'Checks that the account has a SECURITY alternate contact (account:GetAlternateContact).' +
      ' Read with AccountId by the organization role (the management account or an Account Management delegated ' +
      'administrator) when trusted access for account.amazonaws.com is on; on AccessDenied, inside the account with its audit role.',
    rationale:
      'AWS sends security notifications (abuse reports, exposed credentials, compromised resources) to the security ' +
      'contact; without one they go only to the root email, often an unmonitored mailbox. AWS Security Hub rates Account.1 medium.',
    remediation: {
      console: [
        'Open the account menu → Account (or, from the management account, AWS Organizations → the account → Contact info).',
        'Under Alternate contacts, choose Edit and fill in Security contact with a team mailbox and phone number.',
      ],
      cli:
        'aws account put-alternate-contact [--account-id <member-account-id>] --alternate-contact-type SECURITY ' +
        '--name "Security team" --title "Security" --email-address security@example.com --phone-number "+1 206 555 0100"',
    },
    references: [
      'https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html',
      'https://docs.aws.amazon.com/securityhub/latest/userguide/account-controls.html#account-1',
    ],
  },
  evidence: ['alternateContacts'],
  evaluate({ alternateContacts }, context) {
    const resource = rootArn(context);
    if (!alternateContacts.ok) return [errorOutcome(resource, context, [alternateContacts.error])];
    const contacts = alternateContacts.value;
    const facts = describeContacts(contacts, ['security']);
    if (isRegistered(contacts.security)) {
      return [
        outcome(
          'PASS',
          resource,
          `A security contact is registered (${contacts.security.emailAddress}).`,
          facts,
        ),
      ];
    }
    return [
      outcome(
        'FAIL',
        resource,
        'No SECURITY alternate contact is registered: AWS security notices reach only the root email.',
        facts,
      ),
    ];
  },
});
