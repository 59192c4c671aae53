import t from 'tap';
import { MEMBER_ACCOUNT_ID, OTHER_MEMBER_ACCOUNT_ID } from '../fixtures/accounts.ts';
import {
  memberEmailOn,
  memberSuspended,
  organization,
  organizationWithoutMember,
  readForMemberAndAnUnknownAccount,
  readForSandboxOnly,
} from '../fixtures/organization.ts';
import { context, evaluateOne, evidenceFor, failed, ok } from '../testing/index.ts';
import { accountEmailDomain, isFreeMailDomain } from './account-email-domain.ts';

const withEmail = (email: string) => evidenceFor({ organization: ok(memberEmailOn(email)) });

t.test('without an allow-list', async (t) => {
  t.test('PASS on a company domain, suggesting the allow-list', async (t) => {
    const result = evaluateOne(accountEmailDomain, withEmail('aws-prod@example.com'));
    t.equal(result.status, 'PASS');
    t.match(result.message, /ROOTAUDIT_ALLOWED_EMAIL_DOMAINS/);
  });
  for (const email of [
    'someone@gmail.com',
    'Someone@GMAIL.COM',
    'x@googlemail.com',
    'x@hotmail.co.uk',
    'x@gmx.de',
    'x@yandex.ru',
    'x@proton.me',
    'x@qq.com',
    'x@163.com',
    'x@yahoo.co.jp',
  ]) {
    t.test(`FAIL on free-mail ${email}`, async (t) => {
      const result = evaluateOne(accountEmailDomain, withEmail(email));
      t.equal(result.status, 'FAIL');
      t.match(result.message, /free-mail provider/);
    });
  }
  t.test('a company subdomain named like a brand is not free mail', async (t) => {
    t.notOk(isFreeMailDomain('live.example.com'));
    t.notOk(isFreeMailDomain('gmail.example.com'));
  });
});

t.test('with an allow-list', async (t) => {
  const allowList = context({ allowedEmailDomains: ['example.com', 'Corp.Example.NET'] });
  t.test('PASS on an allowed domain, case-insensitive', async (t) => {
    t.equal(evaluateOne(accountEmailDomain, withEmail('AWS@Example.com'), allowList).status, 'PASS');
    t.equal(evaluateOne(accountEmailDomain, withEmail('aws@corp.example.net'), allowList).status, 'PASS');
  });
  t.test('PASS on a subdomain of an allowed domain', async (t) => {
    t.equal(evaluateOne(accountEmailDomain, withEmail('aws@mail.example.com'), allowList).status, 'PASS');
  });
  t.test('FAIL on a domain that merely ends with the same letters', async (t) => {
    t.equal(evaluateOne(accountEmailDomain, withEmail('aws@badexample.com'), allowList).status, 'FAIL');
  });
  t.test('FAIL on a company domain not in the list', async (t) => {
    const result = evaluateOne(accountEmailDomain, withEmail('aws@acquired-company.io'), allowList);
    t.equal(result.status, 'FAIL');
    t.match(result.message, /not on an allowed domain/);
  });
});

t.test('ERROR when the organization could not be read', async (t) => {
  const result = evaluateOne(
    accountEmailDomain,
    evidenceFor({ organization: failed('organizations:ListAccounts') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(
    result.message,
    /AccessDenied on organizations:ListAccounts reading the organization for 111122223333/,
  );
});

t.test('ERROR when the account is not in the organization list', async (t) => {
  const result = evaluateOne(
    accountEmailDomain,
    evidenceFor({ organization: ok(organizationWithoutMember()) }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /not in the ListAccounts answer/);
});

t.test('a suspended account is not audited (the runner skips it; a direct call says so)', async (t) => {
  const result = evaluateOne(accountEmailDomain, evidenceFor({ organization: ok(memberSuspended()) }));
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(result.message, /is SUSPENDED/);
});

t.test('a read limited to some accounts (--accounts)', async (t) => {
  t.test('judges an account it was read for as the whole read does', async (t) => {
    const sandbox = context({ accountId: OTHER_MEMBER_ACCOUNT_ID });
    const scoped = evaluateOne(
      accountEmailDomain,
      evidenceFor({ organization: ok(readForSandboxOnly()) }),
      sandbox,
    );
    const whole = evaluateOne(accountEmailDomain, evidenceFor({ organization: ok(organization()) }), sandbox);
    t.equal(scoped.status, 'PASS');
    t.same(scoped, whole);
  });
  t.test('ERROR for an account it left out, never "not in the organization"', async (t) => {
    const result = evaluateOne(accountEmailDomain, evidenceFor({ organization: ok(readForSandboxOnly()) }));
    t.equal(result.status, 'ERROR');
    t.match(
      result.message,
      `organization was read for ${OTHER_MEMBER_ACCOUNT_ID} only, not for ${MEMBER_ACCOUNT_ID}`,
    );
  });
  t.test('an account it was asked for and did not find is not in the organization', async (t) => {
    const result = evaluateOne(
      accountEmailDomain,
      evidenceFor({ organization: ok(readForMemberAndAnUnknownAccount()) }),
    );
    t.equal(result.status, 'ERROR');
    t.match(
      result.message,
      `Account ${MEMBER_ACCOUNT_ID} is not in organization o-a1b2c3d4e5 (DescribeAccount`,
    );
  });
});
