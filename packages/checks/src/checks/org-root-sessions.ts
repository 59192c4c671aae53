import { defineCheck } from '../check.ts';
import { evaluateOrganizationFeature } from './organization-feature-check.ts';

export const orgRootSessions = defineCheck({
  metadata: {
    id: 'org-root-sessions',
    title: 'Privileged root sessions (sts:AssumeRoot) are enabled',
    severity: 'medium',
    scope: 'organization',
    description:
      'Checks that iam:ListOrganizationsFeatures lists RootSessions, which lets the management account run short, ' +
      'task-scoped root sessions in member accounts (sts:AssumeRoot) instead of signing in as root. IAM refusing the ' +
      'call with ServiceAccessNotEnabled or OrganizationNotInAllFeaturesMode means the feature is off: FAIL with that reason.',
    rationale:
      'The few tasks that need root in a member (unlocking a misconfigured S3 bucket or SQS queue policy, auditing or ' +
      'deleting root credentials) can then be done without root credentials existing at all. Medium: it enables ' +
      'the credential-free model rather than enforcing it.',
    remediation: {
      console: [
        'In the management account, open IAM → Root access management and choose Enable (or Edit).',
        'Select Privileged root actions in member accounts and confirm.',
      ],
      cli:
        'aws organizations enable-aws-service-access --service-principal iam.amazonaws.com\n' +
        'aws iam enable-organizations-root-sessions\n' +
        'aws iam list-organizations-features',
    },
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-access-management.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html',
      'https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOrganizationsRootSessions.html',
    ],
  },
  evidence: ['organization', 'organizationFeatures'],
  evaluate(evidence, context) {
    return evaluateOrganizationFeature(evidence, context, 'rootSessions', 'RootSessions');
  },
});
