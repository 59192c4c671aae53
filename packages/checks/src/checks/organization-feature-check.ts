/** org-root-credentials-management and org-root-sessions differ only in which feature they read. */
import type { CheckContext, CheckOutcome } from '../check.ts';
import type { EvidenceFor, OrganizationFeatures } from '../evidence.ts';
import { organizationResource } from './organization-resource.ts';
import { errorOutcome, outcome } from './support.ts';

/**
 * Evidence: organization (for the resource ARN) and features, both required. Features cannot be
 * enabled without all features and trusted access for IAM, so the FAIL message names the blocker
 * when the organization shows it.
 */
export function evaluateOrganizationFeature(
  evidence: EvidenceFor<'organization' | 'organizationFeatures'>,
  context: CheckContext,
  feature: keyof OrganizationFeatures,
  featureName: 'RootCredentialsManagement' | 'RootSessions',
): CheckOutcome[] {
  const { organization, organizationFeatures } = evidence;
  const resource = organizationResource(organization, context);
  if (!organization.ok || !organizationFeatures.ok) {
    const errors = [organization, organizationFeatures].flatMap((collected) =>
      collected.ok ? [] : [collected.error],
    );
    return [errorOutcome(resource, context, errors, 'organization')];
  }
  const facts = { ...organizationFeatures.value };
  if (organizationFeatures.value[feature]) {
    return [outcome('PASS', resource, `iam:ListOrganizationsFeatures lists ${featureName}.`, facts)];
  }
  const org = organization.value;
  const blockers = [
    org.featureSet !== 'ALL' ? 'the organization has only consolidated billing features' : '',
    !org.trustedServices.includes('iam.amazonaws.com') ? 'IAM has no trusted access to the organization' : '',
  ].filter(Boolean);
  return [
    outcome(
      'FAIL',
      resource,
      `iam:ListOrganizationsFeatures does not list ${featureName}${blockers.length > 0 ? ` (${blockers.join('; ')})` : ''}.`,
      facts,
    ),
  ];
}
