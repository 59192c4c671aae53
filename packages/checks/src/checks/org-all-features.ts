import { defineCheck } from '../check.ts';
import { organizationResource } from './organization-resource.ts';
import { errorOutcome, outcome } from './support.ts';

/** Evidence: the organization (required). */
export const orgAllFeatures = defineCheck({
  metadata: {
    id: 'org-all-features',
    title: 'The organization has all features enabled',
    severity: 'high',
    scope: 'organization',
    description:
      "Checks that the organization's feature set is ALL, not CONSOLIDATED_BILLING (organizations:DescribeOrganization).",
    rationale:
      'Service control policies (and so any guardrail denying root in members) and centralized root access both need all ' +
      'features. An organization with consolidated billing only cannot restrict member root users at all.',
    remediation: {
      console: [
        'In the management account, open AWS Organizations → Settings → Begin process to enable all features.',
        'Every invited member account must approve the request (accounts created by the organization approve automatically).',
        'Once all have approved, choose Finalize process to enable all features.',
      ],
      cli:
        'aws organizations enable-all-features\n' +
        '# members accept with: aws organizations accept-handshake --handshake-id <h-…>\n' +
        'aws organizations describe-organization --query Organization.FeatureSet',
    },
    references: [
      'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_org_support-all-features.html',
      'https://docs.aws.amazon.com/organizations/latest/APIReference/API_EnableAllFeatures.html',
    ],
  },
  evidence: ['organization'],
  evaluate({ organization }, context) {
    const resource = organizationResource(organization, context);
    if (!organization.ok) return [errorOutcome(resource, context, [organization.error], 'organization')];
    const { featureSet, id } = organization.value;
    if (featureSet === 'ALL')
      return [outcome('PASS', resource, `Organization ${id} has all features enabled.`, { featureSet })];
    return [
      outcome(
        'FAIL',
        resource,
        `Organization ${id} has only consolidated billing features: SCPs and centralized root access are unavailable.`,
        {
          featureSet,
        },
      ),
    ];
  },
});
