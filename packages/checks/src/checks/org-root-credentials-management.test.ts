import t from 'tap';
import { ORGANIZATION_ARN } from '../fixtures/accounts.ts';
import {
  centralizedRootAccessOff,
  centralizedRootAccessOn,
  consolidatedBillingOrganization,
  organization,
} from '../fixtures/organization.ts';
import { evaluateOne, evidenceFor, failed, managementAccountContext, ok } from '../testing/index.ts';
import { orgRootCredentialsManagement } from './org-root-credentials-management.ts';

const management = managementAccountContext();

t.test('PASS when RootCredentialsManagement is listed', async (t) => {
  const result = evaluateOne(
    orgRootCredentialsManagement,
    evidenceFor({ organizationFeatures: ok(centralizedRootAccessOn()) }),
    management,
  );
  t.equal(result.status, 'PASS');
  t.equal(result.resource, ORGANIZATION_ARN);
});

t.test('FAIL when it is not', async (t) => {
  const result = evaluateOne(
    orgRootCredentialsManagement,
    evidenceFor({ organizationFeatures: ok(centralizedRootAccessOff()) }),
    management,
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /does not list RootCredentialsManagement\.$/);
});

t.test('FAIL names what blocks it: consolidated billing, no IAM trusted access', async (t) => {
  const org = { ...consolidatedBillingOrganization(), trustedServices: [] };
  const result = evaluateOne(
    orgRootCredentialsManagement,
    evidenceFor({ organization: ok(org), organizationFeatures: ok(centralizedRootAccessOff()) }),
    management,
  );
  t.match(result.message, /only consolidated billing features; IAM has no trusted access/);
});

t.test('ERROR when ListOrganizationsFeatures failed', async (t) => {
  const result = evaluateOne(
    orgRootCredentialsManagement,
    evidenceFor({
      organization: ok(organization()),
      organizationFeatures: failed('iam:ListOrganizationsFeatures', 'InternalFailure'),
    }),
    management,
  );
  t.equal(result.status, 'ERROR');
  t.equal(result.resource, ORGANIZATION_ARN);
  t.match(
    result.message,
    /InternalFailure on iam:ListOrganizationsFeatures reading the organization for 999988887777/,
  );
});
