import t from 'tap';
import { MANAGEMENT_ACCOUNT_ID, ORGANIZATION_ARN } from '../fixtures/accounts.ts';
import { consolidatedBillingOrganization, organization } from '../fixtures/organization.ts';
import { evaluateOne, evidenceFor, failed, managementAccountContext, ok } from '../testing/index.ts';
import { orgAllFeatures } from './org-all-features.ts';

t.test('PASS with all features, on the organization ARN', async (t) => {
  const result = evaluateOne(
    orgAllFeatures,
    evidenceFor({ organization: ok(organization()) }),
    managementAccountContext(),
  );
  t.equal(result.status, 'PASS');
  t.equal(result.resource, ORGANIZATION_ARN);
});

t.test('FAIL with consolidated billing only', async (t) => {
  const result = evaluateOne(
    orgAllFeatures,
    evidenceFor({ organization: ok(consolidatedBillingOrganization()) }),
    managementAccountContext(),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /only consolidated billing/);
});

t.test('ERROR when the organization could not be read, on a fallback organization resource', async (t) => {
  const result = evaluateOne(
    orgAllFeatures,
    evidenceFor({ organization: failed('organizations:DescribeOrganization') }),
    managementAccountContext(),
  );
  t.equal(result.status, 'ERROR');
  t.equal(result.resource, `arn:aws:organizations::${MANAGEMENT_ACCOUNT_ID}:organization`);
  t.match(
    result.message,
    /AccessDenied on organizations:DescribeOrganization reading the organization for 999988887777/,
  );
});
