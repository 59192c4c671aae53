import { defineFrameworkVersion } from './framework.ts';

export const awsFoundationalSecurityBestPractices_1_0_0 = defineFrameworkVersion({
  framework: 'aws-foundational-security-best-practices',
  version: '1.0.0',
  controls: [
    {
      id: 'Account.1',
      title: 'Security contact information should be provided for an AWS account',
      checks: ['security-contact-registered'],
    },
    {
      id: 'CloudTrail.1',
      title:
        'CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events',
      checks: ['cloudtrail-multi-region'],
    },
    { id: 'GuardDuty.1', title: 'GuardDuty should be enabled', checks: ['guardduty-enabled'] },
    { id: 'IAM.4', title: 'IAM root user access key should not exist', checks: ['root-no-access-keys'] },
    { id: 'IAM.6', title: 'Hardware MFA should be enabled for the root user', checks: ['root-hardware-mfa'] },
  ],
});
