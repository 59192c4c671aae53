import t from 'tap';
import {
  centralizedRootAccessOn,
  iamTrustedAccessMissing,
  organization,
  rootCredentialsManagementOnly,
} from '../fixtures/organization.ts';
import { evaluateOne, evidenceFor, failed, managementAccountContext, ok } from '../testing/index.ts';
import { orgRootSessions } from './org-root-sessions.ts';

const management = managementAccountContext();

t.test('PASS when RootSessions is listed', async (t) => {
  t.equal(
    evaluateOne(
      orgRootSessions,
      evidenceFor({ organizationFeatures: ok(centralizedRootAccessOn()) }),
      management,
    ).status,
    'PASS',
  );
});

t.test('FAIL when only RootCredentialsManagement is listed', async (t) => {
  const result = evaluateOne(
    orgRootSessions,
    evidenceFor({ organizationFeatures: ok(rootCredentialsManagementOnly()) }),
    management,
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /does not list RootSessions/);
});

t.test('ERROR when the organization could not be read', async (t) => {
  const result = evaluateOne(
    orgRootSessions,
    evidenceFor({ organization: failed('organizations:DescribeOrganization') }),
    management,
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDenied on organizations:DescribeOrganization/);
});

t.test(
  "FAIL with IAM's reason when ListOrganizationsFeatures answered ServiceAccessNotEnabled",
  async (t) => {
    const result = evaluateOne(
      orgRootSessions,
      evidenceFor({ organization: ok(organization()), organizationFeatures: ok(iamTrustedAccessMissing()) }),
      management,
    );
    t.equal(result.status, 'FAIL');
    t.match(result.message, /^RootSessions is off: .*IAM has no trusted access in the organization/);
  },
);
