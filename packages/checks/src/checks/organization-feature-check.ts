/** org-root-credentials-management and org-root-sessions differ only in which feature they read. */
import type { CheckContext, CheckOutcome } from '../check.ts';
import type { EvidenceFor } from '../evidence.ts';
import { organizationResource } from './organization-resource.ts';
import { errorOutcome, outcome } from './support.ts';

/**
 * Evidence: organization (for the resource ARN and what blocks the feature) and features. Features
 * cannot be enabled without all features and trusted access for IAM, so the FAIL message names the
 * blocker: the one IAM gave when it refused to list features, else the one the organization shows.
 * Features read as off FAIL even when the organization could not be read (the message says so);
 * PASS needs both.
 */
export function evaluateOrganizationFeature(
  evidence: EvidenceFor<'organization' | 'organizationFeatures'>,
  context: CheckContext,
  feature: 'rootCredentialsManagement' | 'rootSessions',
  featureName: 'RootCredentialsManagement' | 'RootSessions',
): CheckOutcome[] {
  const { organization, organizationFeatures } = evidence;
  const resource = organizationResource(organization, context);
  const errors = [organization, organizationFeatures].flatMap((collected) =>
    collected.ok ? [] : [collected.error],
  );
  if (!organizationFeatures.ok) return [errorOutcome(resource, context, errors, 'organization')];
  const features = organizationFeatures.value;
  const facts: Record<string, unknown> = { ...features };
  if (features[feature]) {
    if (!organization.ok) return [errorOutcome(resource, context, errors, 'organization')];
    return [outcome('PASS', resource, `iam:ListOrganizationsFeatures lists ${featureName}.`, facts)];
  }
  if (features.offBecause) {
    return [
      outcome(
        'FAIL',
        resource,
        `${featureName} is off: centralized root access cannot be enabled while ${features.offBecause.reason}.`,
        facts,
      ),
    ];
  }
  const blockers = organization.ok
    ? [
        organization.value.featureSet !== 'ALL'
          ? 'the organization has only consolidated billing features'
          : '',
        !organization.value.trustedServices.includes('iam.amazonaws.com')
          ? 'IAM has no trusted access to the organization'
          : '',
      ].filter(Boolean)
    : [];
  if (!organization.ok) {
    facts.organizationError = { ...organization.error };
    blockers.push(
      `what blocks it is unknown: the organization could not be read (${organization.error.code} on ${organization.error.action})`,
    );
  }
  return [
    outcome(
      'FAIL',
      resource,
      `iam:ListOrganizationsFeatures does not list ${featureName}${blockers.length > 0 ? ` (${blockers.join('; ')})` : ''}.`,
      facts,
    ),
  ];
}
