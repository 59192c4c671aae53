import t from 'tap';
import { allContactsRegistered, alternateContacts, noSecurityContact } from '../fixtures/organization.ts';
import { evaluateOne, evidenceFor, failed, ok } from '../testing/index.ts';
import { securityContactRegistered } from './security-contact-registered.ts';

t.test('PASS when a security contact exists', async (t) => {
  const result = evaluateOne(
    securityContactRegistered,
    evidenceFor({ alternateContacts: ok(allContactsRegistered()) }),
  );
  t.equal(result.status, 'PASS');
  t.match(result.message, /aws-security@example.com/);
});

t.test('FAIL without a security contact, whatever the other contacts', async (t) => {
  t.equal(
    evaluateOne(securityContactRegistered, evidenceFor({ alternateContacts: ok(noSecurityContact()) }))
      .status,
    'FAIL',
  );
});

t.test('a contact with an empty email reaches nobody: FAIL', async (t) => {
  const contacts = alternateContacts();
  contacts.security = { name: 'x', title: null, emailAddress: '', phoneNumber: null };
  t.equal(
    evaluateOne(securityContactRegistered, evidenceFor({ alternateContacts: ok(contacts) })).status,
    'FAIL',
  );
});

t.test('ERROR when the contacts could not be read', async (t) => {
  const result = evaluateOne(
    securityContactRegistered,
    evidenceFor({ alternateContacts: failed('account:GetAlternateContact') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDenied on account:GetAlternateContact in 111122223333/);
});
