import t from 'tap';
import type { CollectionError } from '../evidence.ts';
import { context } from '../testing/index.ts';
import { describeError, errorOutcome } from './support.ts';

const roleArn = 'arn:aws:iam::101010101010:role/RootAuditRole';
/** What the collector records when the audit role cannot be assumed (packages/aws AssumeRoleError). */
const assumeRoleDenied: CollectionError = {
  action: 'sts:AssumeRole',
  code: 'AccessDenied',
  message: `AccessDenied on sts:AssumeRole for ${roleArn}: deploy the audit-role template to this account or check ROOTAUDIT_EXTERNAL_ID`,
};
const bob = context({ accountId: '101010101010' });

t.test('a denied AssumeRole is told in the collector words, once, without permission advice', async (t) => {
  const message = describeError(assumeRoleDenied, bob);
  t.equal(message, assumeRoleDenied.message);
  t.notMatch(message, /lacks this permission/);
  t.equal(message.match(/AccessDenied on sts:AssumeRole/g)?.length, 1);
});

t.test('a denied AssumeRole in a region is still the same sentence', async (t) => {
  t.equal(describeError({ ...assumeRoleDenied, region: 'eu-west-1' }, bob), assumeRoleDenied.message);
});

t.test('other AssumeRole failures keep their own message too', async (t) => {
  const error: CollectionError = {
    action: 'sts:AssumeRole',
    code: 'RegionDisabledException',
    message: `RegionDisabledException on sts:AssumeRole for ${roleArn}: STS is not activated in this region.`,
  };
  t.equal(describeError(error, bob), error.message.replace(/\.$/, ''));
});

t.test('a denied API call still says the audit role lacks the permission', async (t) => {
  const error: CollectionError = {
    action: 'iam:GetAccountSummary',
    code: 'AccessDenied',
    message: 'User is not authorized to perform: iam:GetAccountSummary',
  };
  t.equal(
    describeError(error, bob),
    'AccessDenied on iam:GetAccountSummary in 101010101010: User is not authorized to perform: iam:GetAccountSummary; the audit role lacks this permission; redeploy the audit-role template',
  );
});

t.test('an ERROR names each distinct error once', async (t) => {
  const listRules: CollectionError = {
    action: 'events:ListRules',
    code: 'AccessDenied',
    message: 'not authorized',
    region: 'eu-west-1',
  };
  const result = errorOutcome('arn:aws:iam::101010101010:root', bob, [
    assumeRoleDenied,
    { ...assumeRoleDenied, region: 'us-east-1' },
    { ...assumeRoleDenied, region: 'eu-west-1' },
    listRules,
    { ...listRules },
    { ...listRules, region: 'us-east-1' },
  ]);
  t.equal(result.message.match(/sts:AssumeRole/g)?.length, 1);
  t.equal(result.message.match(/events:ListRules in 101010101010 \(eu-west-1\)/g)?.length, 1);
  t.equal(result.message.match(/events:ListRules in 101010101010 \(us-east-1\)/g)?.length, 1);
  t.equal((result.evidence.errors as unknown[]).length, 3);
});
