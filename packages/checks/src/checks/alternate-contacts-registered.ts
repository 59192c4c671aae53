import { defineCheck } from '../check.ts';
import { describeContacts, isRegistered } from './alternate-contacts.ts';
import { errorOutcome, listOf, outcome, rootArn } from './support.ts';

/** Evidence: alternate contacts (required). The security contact has its own check. */
export const alternateContactsRegistered = defineCheck({
  metadata: {
    id: 'alternate-contacts-registered',
    title: 'Billing and operations alternate contacts are registered',
    severity: 'low',
    scope: 'account',
    description:
      'Checks that the account has BILLING and OPERATIONS alternate contacts (account:GetAlternateContact).' +
      ' Read with AccountId by the organization role (the management account or an Account Management delegated ' +
      'administrator) when trusted access for account.amazonaws.com is on; on AccessDenied, inside the account with its audit role.',
    rationale:
      'Without them, billing and operational notices (service retirements, maintenance, payment problems) reach only ' +
      'the root email, which should not be a mailbox read every day. CIS "Maintain current contact details".',
    remediation: {
      console: [
        'Open the account menu → Account (or AWS Organizations → the account → Contact info from the management account).',
        'Under Alternate contacts, choose Edit and fill in Billing contact and Operations contact with team mailboxes.',
      ],
      cli:
        'aws account put-alternate-contact [--account-id <member-account-id>] --alternate-contact-type BILLING ' +
        '--name "Finance" --title "Billing" --email-address aws-billing@example.com --phone-number "+1 206 555 0100"\n' +
        'aws account put-alternate-contact [--account-id <member-account-id>] --alternate-contact-type OPERATIONS ' +
        '--name "Platform" --title "Operations" --email-address aws-ops@example.com --phone-number "+1 206 555 0100"',
    },
    references: [
      'https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html',
      'https://docs.aws.amazon.com/accounts/latest/reference/API_PutAlternateContact.html',
    ],
  },
  evidence: ['alternateContacts'],
  evaluate({ alternateContacts }, context) {
    const resource = rootArn(context);
    if (!alternateContacts.ok) return [errorOutcome(resource, context, [alternateContacts.error])];
    const contacts = alternateContacts.value;
    const facts = describeContacts(contacts, ['billing', 'operations']);
    const missing = (['billing', 'operations'] as const).filter((type) => !isRegistered(contacts[type]));
    if (missing.length === 0)
      return [outcome('PASS', resource, 'Billing and operations contacts are registered.', facts)];
    return [
      outcome(
        'FAIL',
        resource,
        `No ${listOf(missing.map((type) => type.toUpperCase()))} alternate contact is registered.`,
        facts,
      ),
    ];
  },
});
