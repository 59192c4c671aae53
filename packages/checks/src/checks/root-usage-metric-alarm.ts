import { defineCheck } from '../check.ts';
import { describeChainShortfall, evaluateAlarmChain } from './alerting-chain.ts';
import { errorOutcome, outcome, rootArn } from './support.ts';

/**
 * Evidence: trails (with their CloudWatch Logs delivery status), metric filters and alarms (per
 * region), SNS topics — each required only on the path that needs it (see alerting-chain.ts). Members whose only feeding trail is the organization
 * trail deliver to a log group in another account: NOT_APPLICABLE here, with the reason; that
 * account's own result covers the chain (its filter sees every member's events).
 */
export const rootUsageMetricAlarm = defineCheck({
  metadata: {
    id: 'root-usage-metric-alarm',
    title: 'A CloudWatch alarm with a subscriber fires on root usage',
    severity: 'low',
    scope: 'account',
    description:
      'Follows the CIS chain: a multi-region trail logging management events → its CloudWatch Logs log group, fed (CloudTrail ' +
      'delivered to it within the last 24 hours and reports no LatestCloudWatchLogsDeliveryError) → a metric filter matching ' +
      '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" } by meaning ' +
      '(quoting, spacing, clause order and harmless extra clauses do not matter; it must match every form of root activity and ' +
      'no ordinary IAM-user or assumed-role call) → an alarm on that metric with actions enabled → an SNS topic with at least ' +
      'one confirmed subscription. The message names the first missing link.',
    rationale:
      'Root use should be rare and noticed within minutes. A log group CloudTrail no longer delivers to, a filter without an ' +
      'alarm, an alarm without actions, or a topic nobody is subscribed to alerts nobody; a filter that also matches everyone ' +
      "else's calls ({ $.eventName = * }) fires all day and alerts on nothing. Rated low as Security Hub rates CloudWatch.1; " +
      'root-activity-alerting (medium) accepts any alert route.',
    remediation: {
      console: [
        'Make sure a multi-region trail delivers to a CloudWatch Logs log group (CloudTrail → trail → CloudWatch Logs → Edit), and that its status shows a recent CloudWatch Logs delivery and no delivery error (a deleted or changed delivery role stops it).',
        'CloudWatch → Log groups → that group → Metric filters → Create metric filter with the CIS pattern; metric namespace CISBenchmark, name RootAccountUsage, value 1.',
        'Create an alarm on that metric: Sum >= 1 over 5 minutes, action: notify an SNS topic.',
        'Subscribe the security team to the topic and confirm the subscription.',
      ],
      cli:
        'aws logs put-metric-filter --log-group-name <trail-log-group> --filter-name RootAccountUsage ' +
        '--metric-transformations metricName=RootAccountUsage,metricNamespace=CISBenchmark,metricValue=1 ' +
        '--filter-pattern \'{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }\'\n' +
        'aws sns create-topic --name security-alerts && aws sns subscribe --topic-arn <topic-arn> --protocol email --notification-endpoint security@example.com\n' +
        'aws cloudwatch put-metric-alarm --alarm-name root-usage --metric-name RootAccountUsage --namespace CISBenchmark ' +
        '--statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions <topic-arn>',
    },
    references: [
      'https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-1',
      'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html',
      'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html',
    ],
  },
  evidence: ['trails', 'metricFilters', 'metricAlarms', 'snsTopics'],
  evaluate(evidence, context) {
    const resource = rootArn(context);
    const chain = evaluateAlarmChain(evidence, context);
    switch (chain.status) {
      case 'PASS':
        return [
          outcome(
            'PASS',
            resource,
            `Root usage alerts: trail ${chain.chain.trail} → filter ${chain.chain.metricFilter} → metric ${chain.chain.metric} → alarm ${chain.chain.alarm} → ${chain.chain.topic} (${chain.chain.confirmedSubscriptions} confirmed subscription(s)).`,
            { chain: chain.chain },
          ),
        ];
      case 'FAIL':
        return [
          outcome('FAIL', resource, `No root-usage alarm reaches anyone: ${chain.missingLink}.`, {
            missingLink: chain.missingLink,
          }),
        ];
      case 'REMOTE':
        return [
          outcome(
            'NOT_APPLICABLE',
            resource,
            `Not applicable in this account: ${describeChainShortfall(chain)}.`,
            {
              logGroups: chain.logGroups,
            },
          ),
        ];
      case 'ERROR':
        return [
          errorOutcome(
            resource,
            context,
            chain.errors,
            'account',
            chain.missingLink
              ? `No complete chain found (furthest: ${chain.missingLink}) and part of it could not be read: `
              : '',
          ),
        ];
    }
  },
});
