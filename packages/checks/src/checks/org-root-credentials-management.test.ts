import t from 'tap';
import { ORGANIZATION_ARN } from '../fixtures/accounts.ts';
import {
  centralizedRootAccessOff,
  centralizedRootAccessOn,
  consolidatedBillingOrganization,
  iamTrustedAccessMissing,
  notInAllFeaturesMode,
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

t.test(
  'FAIL, not ERROR, when IAM refuses to list features: no trusted access or not all features',
  async (t) => {
    for (const [features, reason] of [
      [
        iamTrustedAccessMissing(),
        /IAM has no trusted access in the organization .*ServiceAccessNotEnabledException/,
      ],
      [notInAllFeaturesMode(), /does not have all features enabled .*OrganizationNotInAllFeaturesMode/],
    ] as const) {
      const result = evaluateOne(
        orgRootCredentialsManagement,
        evidenceFor({ organization: ok(organization()), organizationFeatures: ok(features) }),
        management,
      );
      t.equal(result.status, 'FAIL');
      t.match(
        result.message,
        /^RootCredentialsManagement is off: centralized root access cannot be enabled while /,
      );
      t.match(result.message, reason);
      t.equal(result.resource, ORGANIZATION_ARN);
    }
  },
);

t.test('FAIL when the features are off even though the organization could not be read', async (t) => {
  const result = evaluateOne(
    orgRootCredentialsManagement,
    evidenceFor({
      organization: failed('organizations:DescribeOrganization'),
      organizationFeatures: ok(centralizedRootAccessOff()),
    }),
    management,
  );
  t.equal(result.status, 'FAIL');
  t.match(
    result.message,
    /what blocks it is unknown: the organization could not be read \(AccessDenied on organizations:DescribeOrganization\)/,
  );
});
