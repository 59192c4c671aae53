import { defineFrameworkVersion } from './framework.ts';

export const cisAwsFoundationsBenchmark_1_5_0 = defineFrameworkVersion({
  framework: 'cis-aws-foundations-benchmark',
  version: '1.5.0',
  controls: [
    { id: '1.1', title: 'Maintain current contact details', checks: ['alternate-contacts-registered'] },
    {
      id: '1.2',
      title: 'Ensure security contact information is registered',
      checks: ['security-contact-registered'],
    },
    { id: '1.4', title: "Ensure no 'root' user account access key exists", checks: ['root-no-access-keys'] },
    { id: '1.5', title: "Ensure MFA is enabled for the 'root' user account", checks: ['root-mfa-enabled'] },
    {
      id: '1.6',
      title: "Ensure hardware MFA is enabled for the 'root' user account",
      checks: ['root-hardware-mfa'],
    },
    {
      id: '1.7',
      title: "Eliminate use of the 'root' user for administrative and daily tasks",
      checks: ['root-not-recently-used', 'root-signin-activity'],
    },
    { id: '3.1', title: 'Ensure CloudTrail is enabled in all regions', checks: ['cloudtrail-multi-region'] },
    {
      id: '4.3',
      title: "Ensure a log metric filter and alarm exist for usage of 'root' account",
      checks: ['root-usage-metric-alarm'],
    },
  ],
});
