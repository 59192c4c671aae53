/** Shared by security-contact-registered and alternate-contacts-registered. */
import type { AlternateContact, AlternateContacts } from '../evidence.ts';

export type ContactType = 'billing' | 'operations' | 'security';

/** A contact counts when it is set with an email address (AWS requires one; an empty one reaches nobody). */
export function isRegistered(contact: AlternateContact | null): contact is AlternateContact {
  return contact !== null && (contact.emailAddress ?? '').trim() !== '';
}

export function describeContacts(
  contacts: AlternateContacts,
  types: readonly ContactType[],
): Record<string, unknown> {
  return {
    readVia: contacts.readVia,
    ...(contacts.organizationReadDenied
      ? { organizationReadDenied: { ...contacts.organizationReadDenied } }
      : {}),
    contacts: Object.fromEntries(types.map((type) => [type, contacts[type]])),
  };
}
