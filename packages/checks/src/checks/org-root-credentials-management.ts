import { defineCheck } from '../check.ts';
import { evaluateOrganizationFeature } from './organization-feature-check.ts';

export const orgRootCredentialsManagement = defineCheck({
  metadata: {
    id: 'org-root-credentials-management',
    title: 'Centralized root credentials management is enabled',
    severity: 'high',
    scope: 'organization',
    description:
      'Checks that iam:ListOrganizationsFeatures lists RootCredentialsManagement, which lets the management account (or a ' +
      'delegated administrator) audit and delete member root credentials and keeps new member accounts credential-free. ' +
      'IAM refusing the call with ServiceAccessNotEnabled (no trusted access for IAM) or OrganizationNotInAllFeaturesMode ' +
      'means the feature is off: FAIL with that reason.',
    rationale:
      'Without it, each member root user keeps a password that anyone who controls the root email can reset, and root ' +
      'credentials can only be removed by signing in as each root user. CIS v7.0 2.1.1.',
    remediation: {
      console: [
        'In the management account, open IAM → Root access management and choose Enable.',
        'Select Root credentials management (and Privileged root actions in member accounts), optionally delegate an administrator, and confirm.',
        'Then delete existing member root credentials (see root-credentials-absent).',
      ],
      cli:
        'aws organizations enable-aws-service-access --service-principal iam.amazonaws.com\n' +
        'aws iam enable-organizations-root-credentials-management\n' +
        'aws iam list-organizations-features',
    },
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-access-management.html',
      'https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListOrganizationsFeatures.html',
      'https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOrganizationsRootCredentialsManagement.html',
    ],
  },
  evidence: ['organization', 'organizationFeatures'],
  evaluate(evidence, context) {
    return evaluateOrganizationFeature(
      evidence,
      context,
      'rootCredentialsManagement',
      'RootCredentialsManagement',
    );
  },
});
