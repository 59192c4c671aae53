import t from 'tap';
import {
  alarmOnOtherNamespace,
  metricFilter,
  multiRegionTrailNotLogging,
  multiRegionTrailStatusUnreadable,
  noAlarms,
  noMetricFilters,
  noTrails,
  onlySingleRegionTrailFeedsLogs,
  organizationTrailSeenFromMember,
  rootUsageAlarmActionsDisabled,
  rootUsageAlarmWithoutActions,
  rootUsageFilter,
  rootUsageFilterOnUnfedLogGroup,
  rootUsageMetricMathAlarm,
  topicSubscriptionsUnreadable,
  topicWithNoSubscriber,
  topicWithPendingSubscriptionOnly,
  trail,
  unrelatedFilterOnly,
} from '../fixtures/monitoring.ts';
import { evaluateOne, evidenceFor, failed, ok, regional } from '../testing/index.ts';
import { rootUsageMetricAlarm } from './root-usage-metric-alarm.ts';

const filtersInUsEast1 = (filters: ReturnType<typeof rootUsageFilter>) =>
  regional({ 'us-east-1': filters, 'eu-west-1': { filters: [] } });
const alarmsInUsEast1 = (alarms: ReturnType<typeof noAlarms>) =>
  regional({ 'us-east-1': alarms, 'eu-west-1': { alarms: [] } });

t.test('PASS with the full chain, naming each link', async (t) => {
  const result = evaluateOne(rootUsageMetricAlarm);
  t.equal(result.status, 'PASS');
  t.match(
    result.message,
    /trail management-events → filter root-usage → metric CISBenchmark\/RootAccountUsage → alarm root-usage/,
  );
});

t.test('PASS with a CIS filter written differently (quoting, order, spacing)', async (t) => {
  const filters = rootUsageFilter();
  filters.filters[0]!.filterPattern =
    '{($.eventType!=AwsServiceEvent)&&($.userIdentity.invokedBy NOT EXISTS)&&($.userIdentity.type=Root)}';
  t.equal(
    evaluateOne(rootUsageMetricAlarm, evidenceFor({ metricFilters: filtersInUsEast1(filters) })).status,
    'PASS',
  );
});

t.test('PASS with a metric-math alarm on the metric', async (t) => {
  const result = evaluateOne(
    rootUsageMetricAlarm,
    evidenceFor({ metricAlarms: alarmsInUsEast1(rootUsageMetricMathAlarm()) }),
  );
  t.equal(result.status, 'PASS');
});

t.test('the first missing link is named', async (t) => {
  const cases = [
    ['no trail', { trails: ok(noTrails()) }, /no CloudTrail trail exists/],
    [
      'trail not logging',
      { trails: ok(multiRegionTrailNotLogging()) },
      /no multi-region trail is logging.*is not logging/,
    ],
    [
      'multi-region trail without CloudWatch Logs',
      { trails: ok({ trails: [trail({ cloudWatchLogsLogGroupArn: null })] }) },
      /trail management-events does not deliver to CloudWatch Logs/,
    ],
    [
      'no metric filter',
      { metricFilters: filtersInUsEast1(noMetricFilters()) },
      /log group aws-cloudtrail-logs \(us-east-1\) has no metric filter matching/,
    ],
    [
      'an unrelated filter only',
      { metricFilters: filtersInUsEast1(unrelatedFilterOnly()) },
      /has no metric filter matching/,
    ],
    [
      'no alarm',
      { metricAlarms: alarmsInUsEast1(noAlarms()) },
      /no CloudWatch alarm watches metric CISBenchmark\/RootAccountUsage/,
    ],
    [
      'alarm on the same name in another namespace',
      { metricAlarms: alarmsInUsEast1(alarmOnOtherNamespace()) },
      /no CloudWatch alarm watches/,
    ],
    [
      'alarm actions disabled',
      { metricAlarms: alarmsInUsEast1(rootUsageAlarmActionsDisabled()) },
      /alarm root-usage .* has its actions disabled/,
    ],
    [
      'alarm without actions',
      { metricAlarms: alarmsInUsEast1(rootUsageAlarmWithoutActions()) },
      /alarm root-usage .* notifies no SNS topic/,
    ],
    [
      'alarm with no subscriber',
      { snsTopics: ok(topicWithNoSubscriber()) },
      /security-alerts of alarm root-usage has no confirmed subscription$/,
    ],
    [
      'subscription pending',
      { snsTopics: ok(topicWithPendingSubscriptionOnly()) },
      /no confirmed subscription \(1 pending confirmation\)/,
    ],
  ] as const;
  for (const [situation, overrides, link] of cases) {
    const result = evaluateOne(rootUsageMetricAlarm, evidenceFor(overrides));
    t.equal(result.status, 'FAIL', situation);
    t.match(result.message.replace(/\.$/, ''), link, situation);
  }
});

t.test('a filter on a log group no multi-region trail feeds does not count', async (t) => {
  const result = evaluateOne(
    rootUsageMetricAlarm,
    evidenceFor({ metricFilters: filtersInUsEast1(rootUsageFilterOnUnfedLogGroup()) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(
    result.message,
    /filter root-usage on log group application-logs matches, but no multi-region trail feeds that log group/,
  );
});

t.test("a single-region trail's log group does not count", async (t) => {
  const result = evaluateOne(
    rootUsageMetricAlarm,
    evidenceFor({ trails: ok(onlySingleRegionTrailFeedsLogs()) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /trail everywhere does not deliver to CloudWatch Logs/);
});

t.test('NOT_APPLICABLE for a member whose organization trail delivers to another account', async (t) => {
  const result = evaluateOne(
    rootUsageMetricAlarm,
    evidenceFor({ trails: ok(organizationTrailSeenFromMember()) }),
  );
  t.equal(result.status, 'NOT_APPLICABLE');
  t.match(result.message, /log group org-trail-logs in account 999988887777/);
});

t.test('ERROR, never PASS, when evidence on the path failed', async (t) => {
  const cases = [
    [
      'trails',
      { trails: failed('cloudtrail:DescribeTrails') },
      /AccessDenied on cloudtrail:DescribeTrails in 111122223333/,
    ],
    [
      'metric filters in the log group region',
      {
        metricFilters: regional({
          'us-east-1': failed('logs:DescribeMetricFilters', 'AccessDeniedException', 'us-east-1'),
        }),
      },
      /AccessDeniedException on logs:DescribeMetricFilters in 111122223333 \(us-east-1\)/,
    ],
    [
      'alarms in the log group region',
      { metricAlarms: regional({ 'us-east-1': failed('cloudwatch:DescribeAlarms') }) },
      /AccessDenied on cloudwatch:DescribeAlarms in 111122223333 \(us-east-1\)/,
    ],
    ['SNS topics', { snsTopics: failed('sns:ListSubscriptionsByTopic') }, /on sns:ListSubscriptionsByTopic/],
    [
      'one topic',
      { snsTopics: ok(topicSubscriptionsUnreadable()) },
      /AuthorizationError on sns:ListSubscriptionsByTopic/,
    ],
    [
      'a region never gathered',
      { metricFilters: regional({ 'eu-west-1': { filters: [] } }) },
      /NotCollected on logs:DescribeMetricFilters .*us-east-1/,
    ],
  ] as const;
  for (const [situation, overrides, message] of cases) {
    const result = evaluateOne(rootUsageMetricAlarm, evidenceFor(overrides));
    t.equal(result.status, 'ERROR', situation);
    t.match(result.message, message, situation);
  }
});

t.test('a failure in a region the chain does not go through does not matter', async (t) => {
  const result = evaluateOne(
    rootUsageMetricAlarm,
    evidenceFor({
      metricFilters: regional({
        'us-east-1': rootUsageFilter(),
        'eu-west-1': failed('logs:DescribeMetricFilters', 'AccessDenied', 'eu-west-1'),
      }),
    }),
  );
  t.equal(result.status, 'PASS');
});

t.test('a feeding trail whose status could not be read: ERROR, not FAIL', async (t) => {
  const result = evaluateOne(
    rootUsageMetricAlarm,
    evidenceFor({ trails: ok(multiRegionTrailStatusUnreadable()) }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDeniedException on cloudtrail:GetTrailStatus in 111122223333/);
});

t.test('a trail whose selectors could not be read: ERROR', async (t) => {
  const unreadable = trail({
    managementEvents: null,
    selectorsError: {
      action: 'cloudtrail:GetEventSelectors',
      code: 'AccessDeniedException',
      message: 'denied',
    },
  });
  const result = evaluateOne(rootUsageMetricAlarm, evidenceFor({ trails: ok({ trails: [unreadable] }) }));
  t.equal(result.status, 'ERROR');
  t.match(result.message, /on cloudtrail:GetEventSelectors/);
});

t.test('an unreadable second trail does not stop a complete chain from passing', async (t) => {
  const trails = {
    trails: [
      trail(),
      ...multiRegionTrailStatusUnreadable().trails.map((entry) => ({ ...entry, name: 'other' })),
    ],
  };
  t.equal(evaluateOne(rootUsageMetricAlarm, evidenceFor({ trails: ok(trails) })).status, 'PASS');
});

t.test('an alarm topic whose subscriptions were not gathered: ERROR', async (t) => {
  const result = evaluateOne(rootUsageMetricAlarm, evidenceFor({ snsTopics: ok({ topics: [] }) }));
  t.equal(result.status, 'ERROR');
  t.match(result.message, /NotCollected on sns:ListSubscriptionsByTopic/);
});

t.test('a log group ARN that cannot be parsed is a missing link', async (t) => {
  const result = evaluateOne(
    rootUsageMetricAlarm,
    evidenceFor({ trails: ok({ trails: [trail({ cloudWatchLogsLogGroupArn: 'not-an-arn' })] }) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /names a log group ARN that cannot be read/);
});

// ── A filter that alerts on everything alerts on nothing ──────────────────────────────────────

const wideFilters: [string, string][] = [
  ['every event', '{ $.eventName = * }'],
  [
    'the CIS clauses joined with ||',
    '{ $.userIdentity.type = "Root" || $.userIdentity.invokedBy NOT EXISTS || $.eventType != "AwsServiceEvent" }',
  ],
];
for (const [name, filterPattern] of wideFilters) {
  t.test(`FAIL with a filter wider than root usage (${name}): it matches ordinary calls`, async (t) => {
    const result = evaluateOne(
      rootUsageMetricAlarm,
      evidenceFor({ metricFilters: filtersInUsEast1({ filters: [metricFilter({ filterPattern })] }) }),
    );
    t.equal(result.status, 'FAIL');
    t.match(result.message, /filter root-usage also matches ordinary IAM-user and assumed-role calls/);
  });
}

// ── The log group must be fed: CloudTrail delivering to CloudWatch Logs ──────────────────────

t.test('FAIL when CloudTrail reports a CloudWatch Logs delivery error', async (t) => {
  const result = evaluateOne(
    rootUsageMetricAlarm,
    evidenceFor({
      trails: ok({
        trails: [trail({ latestCloudWatchLogsDeliveryError: 'CloudWatch Logs role could not be assumed' })],
      }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(
    result.message,
    /trail management-events cannot deliver to CloudWatch Logs \(CloudWatch Logs role could not be assumed\)/,
  );
});

t.test('FAIL when the last delivery to CloudWatch Logs is more than 24 hours old', async (t) => {
  const result = evaluateOne(
    rootUsageMetricAlarm,
    evidenceFor({
      trails: ok({ trails: [trail({ latestCloudWatchLogsDeliveryTime: '2026-11-21T01:00:00.000Z' })] }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(
    result.message,
    /last delivered to CloudWatch Logs at 2026-11-21T01:00:00.000Z, more than 24 hours before the scan/,
  );
});

t.test('FAIL when CloudTrail has never delivered to the log group', async (t) => {
  const result = evaluateOne(
    rootUsageMetricAlarm,
    evidenceFor({ trails: ok({ trails: [trail({ latestCloudWatchLogsDeliveryTime: null })] }) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /has never delivered to its CloudWatch Logs log group/);
});

t.test('PASS with a delivery 23 hours before the scan', async (t) => {
  const result = evaluateOne(
    rootUsageMetricAlarm,
    evidenceFor({
      trails: ok({ trails: [trail({ latestCloudWatchLogsDeliveryTime: '2026-11-22T03:00:00.000Z' })] }),
    }),
  );
  t.equal(result.status, 'PASS');
});
