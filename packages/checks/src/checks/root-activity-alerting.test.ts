import t from 'tap';
import type { Collected, EventRule, Trails } from '../evidence.ts';
import {
  disabledRootActivityRule,
  eventRule,
  multiRegionTrail,
  multiRegionTrailNotLogging,
  multiRegionTrailStatusUnreadable,
  noAlarms,
  noEventRules,
  organizationTrailSeenFromMember,
  rootActivityRule,
  rootActivityRuleWithoutTarget,
  rootSignInRuleOnly,
  singleRegionTrailOnly,
  topicWithNoSubscriber,
  trail,
} from '../fixtures/monitoring.ts';
import { context, evaluateOne, evidenceFor, failed, ok, regional } from '../testing/index.ts';
import { rootActivityAlerting } from './root-activity-alerting.ts';

/** The metric alarm chain broken at its last link: the alarm's topic has no subscriber. */
const brokenChain = { snsTopics: ok(topicWithNoSubscriber()) };
const rulesEverywhere = regional({
  'us-east-1': rootActivityRule('us-east-1'),
  'eu-west-1': rootActivityRule('eu-west-1'),
});

t.test('PASS through the metric alarm chain', async (t) => {
  const result = evaluateOne(rootActivityAlerting);
  t.equal(result.status, 'PASS');
  t.equal(result.evidence.route, 'metric-alarm');
});

t.test('PASS through the metric alarm chain even when EventBridge failed in a region', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    evidenceFor({
      eventRules: regional({
        'us-east-1': noEventRules(),
        'eu-west-1': failed('events:ListRules', 'AccessDenied', 'eu-west-1'),
      }),
    }),
  );
  t.equal(result.status, 'PASS');
});

t.test('PASS through enabled EventBridge rules with targets in every scanned region', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    evidenceFor({ ...brokenChain, eventRules: rulesEverywhere }),
  );
  t.equal(result.status, 'PASS');
  t.equal(result.evidence.route, 'eventbridge');
});

t.test('PASS through EventBridge even when the alarm chain could not be read', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    evidenceFor({
      metricAlarms: regional({ 'us-east-1': failed('cloudwatch:DescribeAlarms') }),
      eventRules: rulesEverywhere,
    }),
  );
  t.equal(result.status, 'PASS');
});

t.test('FAIL when neither route alerts, naming both gaps', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    evidenceFor({ metricAlarms: regional({ 'us-east-1': noAlarms(), 'eu-west-1': noAlarms() }) }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /no CloudWatch alarm watches metric/);
  t.match(result.message, /root console sign-ins \(us-east-1\)/);
  t.match(result.message, /root API calls in us-east-1 and root API calls in eu-west-1/);
});

t.test('a disabled rule does not alert', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    evidenceFor({
      ...brokenChain,
      eventRules: regional({
        'us-east-1': disabledRootActivityRule('us-east-1'),
        'eu-west-1': rootActivityRule('eu-west-1'),
      }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /rule root-activity \(us-east-1\) matches root activity but is DISABLED/);
});

t.test('a rule with no target does not alert', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    evidenceFor({
      ...brokenChain,
      eventRules: regional({
        'us-east-1': rootActivityRule('us-east-1'),
        'eu-west-1': rootActivityRuleWithoutTarget('eu-west-1'),
      }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /rule root-activity \(eu-west-1\) matches root activity but has no target/);
});

t.test('a sign-in rule alone leaves API calls unwatched', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    evidenceFor({
      ...brokenChain,
      eventRules: regional({
        'us-east-1': rootSignInRuleOnly('us-east-1'),
        'eu-west-1': rootActivityRule('eu-west-1'),
      }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /covers root API calls in us-east-1/);
  t.notMatch(result.message, /console sign-ins/);
});

t.test('ERROR when the chain is broken and EventBridge could not be read in a region', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    evidenceFor({
      ...brokenChain,
      eventRules: regional({
        'us-east-1': rootActivityRule('us-east-1'),
        'eu-west-1': failed('events:ListRules', 'AccessDenied', 'eu-west-1'),
      }),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDenied on events:ListRules in 111122223333 \(eu-west-1\)/);
});

t.test(
  'NOT_APPLICABLE for a member alerted through the organization trail elsewhere, with no local rule',
  async (t) => {
    const result = evaluateOne(
      rootActivityAlerting,
      evidenceFor({ trails: ok(organizationTrailSeenFromMember()) }),
    );
    t.equal(result.status, 'NOT_APPLICABLE');
    t.match(result.message, /account 999988887777/);
  },
);

t.test(
  'sign-ins are delivered to EventBridge in us-east-1: not gathered there is ERROR, even if it is not scanned',
  async (t) => {
    const result = evaluateOne(
      rootActivityAlerting,
      evidenceFor({ ...brokenChain, eventRules: regional({ 'eu-west-1': rootActivityRule('eu-west-1') }) }),
      context({ regions: ['eu-west-1'] }),
    );
    t.equal(result.status, 'ERROR');
    t.match(result.message, /NotCollected on events:ListRules in 111122223333 \(us-east-1\)/);
  },
);

t.test(
  'PASS when us-east-1 is not scanned but its sign-in rule was collected (the collector reads it)',
  async (t) => {
    const result = evaluateOne(
      rootActivityAlerting,
      evidenceFor({
        ...brokenChain,
        eventRules: regional({
          'us-east-1': rootSignInRuleOnly('us-east-1'),
          'eu-west-1': rootActivityRule('eu-west-1'),
        }),
      }),
      context({ regions: ['eu-west-1'] }),
    );
    t.equal(result.status, 'PASS');
    t.match(result.evidence, {
      route: 'eventbridge',
      eventBridge: { apiCallRules: { 'eu-west-1': [/eu-west-1/] } },
    });
    t.notOk(
      'us-east-1' in (result.evidence.eventBridge as { apiCallRules: object }).apiCallRules,
      'API calls are judged only in scanned regions',
    );
  },
);

t.test(
  'ERROR when the audit role could not be assumed: the error is said once, not per evidence and region',
  async (t) => {
    const denied: Collected<never> = {
      ok: false,
      error: {
        action: 'sts:AssumeRole',
        code: 'AccessDenied',
        message:
          'AccessDenied on sts:AssumeRole for arn:aws:iam::111122223333:role/RootAuditRole: deploy the audit-role template to this account or check ROOTAUDIT_EXTERNAL_ID',
      },
    };
    const result = evaluateOne(
      rootActivityAlerting,
      evidenceFor({
        trails: denied,
        metricFilters: { 'us-east-1': denied, 'eu-west-1': denied },
        metricAlarms: { 'us-east-1': denied, 'eu-west-1': denied },
        snsTopics: denied,
        eventRules: { 'us-east-1': denied, 'eu-west-1': denied },
      }),
    );
    t.equal(result.status, 'ERROR');
    t.equal(result.message.match(/AccessDenied on sts:AssumeRole/g)?.length, 1, result.message);
    t.match(result.message, /deploy the audit-role template/);
  },
);

// ── EventBridge as AWS delivers to it ─────────────────────────────────────────────────────────

/** The chain broken and, per region, one rule built from the fixture's root-activity rule. */
function eventBridgeOnly(
  rule: (region: string) => EventRule,
  trails: Trails = multiRegionTrail(),
): Parameters<typeof evaluateOne>[1] {
  return evidenceFor({
    ...brokenChain,
    trails: ok(trails),
    eventRules: regional({
      'us-east-1': { rules: [rule('us-east-1')] },
      'eu-west-1': { rules: [rule('eu-west-1')] },
    }),
  });
}

t.test('EventBridge does not count while no trail is logging: CloudTrail delivers nothing', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    eventBridgeOnly((region) => eventRule(region), multiRegionTrailNotLogging()),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /no CloudTrail trail is logging in us-east-1/);
  t.match(result.message, /only from a logging trail/);
});

t.test('EventBridge counts with the organization trail logging', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    eventBridgeOnly((region) => eventRule(region), organizationTrailSeenFromMember()),
  );
  t.equal(result.status, 'PASS');
  t.equal(result.evidence.route, 'eventbridge');
});

t.test('a single-region trail lets EventBridge see its home region only', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    eventBridgeOnly((region) => eventRule(region), singleRegionTrailOnly()),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /root API calls in eu-west-1/);
  t.match(result.message, /no CloudTrail trail is logging in eu-west-1/);
  t.notMatch(result.message, /sign-ins/);
});

t.test('ERROR, not PASS, when the only trail that could feed EventBridge has an unread status', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    eventBridgeOnly((region) => eventRule(region), multiRegionTrailStatusUnreadable()),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /cloudtrail:GetTrailStatus/);
});

t.test(
  'a rule in state ENABLED counts, and the result says read-only root calls are not covered',
  async (t) => {
    const result = evaluateOne(
      rootActivityAlerting,
      eventBridgeOnly((region) => eventRule(region)),
    );
    t.equal(result.status, 'PASS');
    t.match(result.message, /Read-only root calls are not covered in us-east-1 and eu-west-1/);
    t.match(result.evidence, { eventBridge: { readOnlyCallsUncovered: ['us-east-1', 'eu-west-1'] } });
  },
);

t.test(
  'a rule in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS covers read-only root calls',
  async (t) => {
    const result = evaluateOne(
      rootActivityAlerting,
      eventBridgeOnly((region) =>
        eventRule(region, { state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' }),
      ),
    );
    t.equal(result.status, 'PASS');
    t.notMatch(result.message, /Read-only/);
    t.match(result.evidence, { eventBridge: { readOnlyCallsUncovered: [] } });
  },
);

t.test(
  'a rule on a custom event bus never counts: AWS service events reach only the default bus',
  async (t) => {
    const result = evaluateOne(
      rootActivityAlerting,
      eventBridgeOnly((region) => eventRule(region, { eventBusName: 'security-events' })),
    );
    t.equal(result.status, 'FAIL');
    t.match(result.message, /is on event bus security-events/);
  },
);

const coincidences: [string, Record<string, unknown>][] = [
  ['one source network', { sourceIPAddress: [{ cidr: '198.51.100.0/24' }] }],
  [
    'MFA-authenticated sessions only',
    { userIdentity: { type: ['Root'], sessionContext: { attributes: { mfaAuthenticated: ['true'] } } } },
  ],
  ['session (ASIA) keys only', { userIdentity: { type: ['Root'], accessKeyId: [{ prefix: 'ASIA' }] } }],
  ['successful calls only', { errorCode: [{ exists: false }] }],
  [
    'programmatic callers excluded (console user agents only)',
    { userAgent: [{ 'anything-but': { prefix: 'aws-cli/' } }] },
  ],
];
for (const [name, detail] of coincidences) {
  t.test(`a pattern that matched the old samples by coincidence does not count: ${name}`, async (t) => {
    const eventPattern = JSON.stringify({
      'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'],
      detail: { userIdentity: { type: ['Root'] }, ...detail },
    });
    const result = evaluateOne(
      rootActivityAlerting,
      eventBridgeOnly((region) => eventRule(region, { eventPattern })),
    );
    t.equal(result.status, 'FAIL');
    t.match(result.message, /root API calls in us-east-1/);
    t.match(result.message, /rule root-activity \(us-east-1\) matches only some root activity: it misses a /);
  });
}

t.test("a pattern limited to the rule's own region counts there", async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    eventBridgeOnly((region) =>
      eventRule(region, {
        eventPattern: JSON.stringify({ region: [region], detail: { userIdentity: { type: ['Root'] } } }),
      }),
    ),
  );
  t.equal(result.status, 'PASS');
});

t.test('a pattern that matches every CloudTrail event alerts on everything: it does not count', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    eventBridgeOnly((region) =>
      eventRule(region, {
        eventPattern: JSON.stringify({
          'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'],
        }),
      }),
    ),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /also matches ordinary IAM-user and assumed-role events/);
});

t.test('the alarm route needs CloudTrail to be delivering to CloudWatch Logs', async (t) => {
  const result = evaluateOne(
    rootActivityAlerting,
    evidenceFor({
      trails: ok({ trails: [trail({ latestCloudWatchLogsDeliveryError: 'AccessDeniedException' })] }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(
    result.message,
    /trail management-events cannot deliver to CloudWatch Logs \(AccessDeniedException\)/,
  );
});
