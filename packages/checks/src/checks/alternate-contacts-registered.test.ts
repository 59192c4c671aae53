import t from 'tap';
import { allContactsRegistered, alternateContacts, noAlternateContacts } from '../fixtures/organization.ts';
import { evaluateOne, evidenceFor, failed, ok } from '../testing/index.ts';
import { alternateContactsRegistered } from './alternate-contacts-registered.ts';

t.test('PASS with billing and operations contacts', async (t) => {
  t.equal(
    evaluateOne(alternateContactsRegistered, evidenceFor({ alternateContacts: ok(allContactsRegistered()) }))
      .status,
    'PASS',
  );
});

t.test('PASS does not depend on the security contact (its own check)', async (t) => {
  const contacts = alternateContacts({ security: false });
  t.equal(
    evaluateOne(alternateContactsRegistered, evidenceFor({ alternateContacts: ok(contacts) })).status,
    'PASS',
  );
});

t.test('FAIL naming the missing operations contact', async (t) => {
  const result = evaluateOne(
    alternateContactsRegistered,
    evidenceFor({ alternateContacts: ok(alternateContacts({ operations: false })) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /No OPERATIONS alternate contact/);
});

t.test('FAIL naming both when none is set', async (t) => {
  const result = evaluateOne(
    alternateContactsRegistered,
    evidenceFor({ alternateContacts: ok(noAlternateContacts()) }),
  );
  t.match(result.message, /BILLING and OPERATIONS/);
});

t.test('ERROR when the contacts could not be read', async (t) => {
  const result = evaluateOne(
    alternateContactsRegistered,
    evidenceFor({ alternateContacts: failed('account:GetAlternateContact') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDenied on account:GetAlternateContact in 111122223333/);
});
