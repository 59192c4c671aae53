import { defineCheck } from '../check.ts';
import type { CollectionError, EventRule, EvidenceFor } from '../evidence.ts';
import { matchesRootActivity } from '../rules/event-pattern.ts';
import { describeChainShortfall, evaluateAlarmChain } from './alerting-chain.ts';
import { errorOutcome, inRegion, listOf, outcome, rootArn, signInRegionOf, withRegion } from './support.ts';

interface EventBridgeCoverage {
  /** Rules that alert on root sign-ins in the sign-in region. */
  signIn: EventRule[];
  /** Scanned regions → rules that alert on root API calls there. */
  apiCalls: Record<string, EventRule[]>;
  uncovered: string[];
  /** Rules that match root activity but cannot alert: disabled, or no target. */
  nearMisses: string[];
  errors: CollectionError[];
}

/** Which root activity a rule's pattern matches; a scheduled rule (no pattern) matches none. */
function rootMatches(rule: EventRule): { signIn: boolean; apiCalls: boolean } {
  if (rule.eventPattern === null) return { signIn: false, apiCalls: false };
  return matchesRootActivity(rule.eventPattern);
}

/** An enabled rule with a target, and which root activity it matches. */
interface AlertingRule {
  rule: EventRule;
  signIn: boolean;
  apiCalls: boolean;
}

function eventBridgeCoverage(
  evidence: EvidenceFor<'eventRules'>,
  regions: string[],
  signInRegion: string,
): EventBridgeCoverage {
  const coverage: EventBridgeCoverage = {
    signIn: [],
    apiCalls: {},
    uncovered: [],
    nearMisses: [],
    errors: [],
  };
  const alerting = new Map<string, AlertingRule[]>();
  for (const region of [...new Set([signInRegion, ...regions])]) {
    const answer = inRegion(evidence.eventRules, region, 'eventRules');
    if (!answer.ok) {
      coverage.errors.push(withRegion(answer.error, region));
      continue;
    }
    const usable: AlertingRule[] = [];
    for (const rule of answer.value.rules) {
      const matches = rootMatches(rule);
      if (!matches.signIn && !matches.apiCalls) continue;
      // A rule alerts when it is enabled (ENABLED or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS) and has a target.
      if (!rule.state.startsWith('ENABLED'))
        coverage.nearMisses.push(`rule ${rule.name} (${region}) matches root activity but is ${rule.state}`);
      else if (rule.targets.length === 0)
        coverage.nearMisses.push(`rule ${rule.name} (${region}) matches root activity but has no target`);
      else usable.push({ rule, ...matches });
    }
    alerting.set(region, usable);
  }
  const signInRules = alerting.get(signInRegion);
  if (signInRules !== undefined) {
    coverage.signIn = signInRules.filter((entry) => entry.signIn).map((entry) => entry.rule);
    if (coverage.signIn.length === 0) coverage.uncovered.push(`root console sign-ins (${signInRegion})`);
  }
  for (const region of regions) {
    const rules = alerting.get(region);
    if (rules === undefined) continue;
    const apiRules = rules.filter((entry) => entry.apiCalls).map((entry) => entry.rule);
    coverage.apiCalls[region] = apiRules;
    if (apiRules.length === 0) coverage.uncovered.push(`root API calls in ${region}`);
  }
  return coverage;
}

/**
 * Two routes, either enough:
 * 1. the root-usage-metric-alarm chain (one multi-region trail covers every region and sign-ins);
 * 2. EventBridge on the default bus: an enabled rule with a target matching root console sign-ins in
 *    the sign-in region (us-east-1, where ConsoleLogin is delivered), and, in every scanned region,
 *    one matching root API calls (EventBridge sees a region's CloudTrail events only in that region).
 *    Several rules may share the work.
 * A route proven complete PASSes whatever the other route's evidence says (EventBridge failing in a
 * region does not stop the alarm chain from passing, and vice versa). Otherwise any error on either
 * route is ERROR; a member whose chain is the organization's (log group in another account) and has
 * no EventBridge route is NOT_APPLICABLE with that reason, as in root-usage-metric-alarm.
 */
export const rootActivityAlerting = defineCheck({
  metadata: {
    id: 'root-activity-alerting',
    title: 'Root activity raises an alert by some route',
    severity: 'medium',
    scope: 'account',
    description:
      'Checks that root usage alerts someone by any route: the CIS metric-filter alarm chain (see root-usage-metric-alarm), ' +
      'or enabled EventBridge rules with targets that match root console sign-ins (us-east-1) and root API calls (each scanned region).',
    rationale:
      'What matters is that a root sign-in is noticed within minutes, not which AWS service raises it. Many ' +
      'organizations use EventBridge instead of CloudWatch metric filters; a disabled rule or one without a target alerts nobody.',
    remediation: {
      console: [
        'Either complete the metric alarm chain (see root-usage-metric-alarm), or:',
        'Open Amazon EventBridge in us-east-1 → Rules → Create rule on the default bus, type "Rule with an event pattern".',
        'Pattern: {"detail-type": ["AWS Console Sign In via CloudTrail", "AWS API Call via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}.',
        'Target: an SNS topic (with a confirmed subscription) or your incident tool; create the rule enabled.',
        'Repeat in every region you use (API calls are delivered in the region where they happen).',
      ],
      cli:
        'aws events put-rule --region <region> --name root-activity --event-pattern ' +
        '\'{"detail-type":["AWS Console Sign In via CloudTrail","AWS API Call via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}\'\n' +
        'aws events put-targets --region <region> --rule root-activity --targets Id=notify,Arn=<sns-topic-arn>',
    },
    references: [
      'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html',
      'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html',
      'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html',
    ],
    compliance: [],
  },
  evidence: ['trails', 'metricFilters', 'metricAlarms', 'snsTopics', 'eventRules'],
  evaluate(evidence, context) {
    const resource = rootArn(context);
    const chain = evaluateAlarmChain(evidence, context);
    if (chain.status === 'PASS') {
      return [
        outcome(
          'PASS',
          resource,
          `Root usage alerts through the metric alarm chain: alarm ${chain.chain.alarm} → ${chain.chain.topic}.`,
          {
            route: 'metric-alarm',
            chain: chain.chain,
          },
        ),
      ];
    }
    const signInRegion = signInRegionOf(context.partition);
    const coverage = eventBridgeCoverage(evidence, context.regions, signInRegion);
    const facts = {
      chain: chain.status === 'FAIL' ? { missingLink: chain.missingLink } : { status: chain.status },
      eventBridge: {
        signInRules: coverage.signIn.map((rule) => rule.arn),
        apiCallRules: Object.fromEntries(
          Object.entries(coverage.apiCalls).map(([region, rules]) => [region, rules.map((rule) => rule.arn)]),
        ),
        uncovered: coverage.uncovered,
        nearMisses: coverage.nearMisses,
      },
    };
    if (coverage.errors.length === 0 && coverage.uncovered.length === 0) {
      const rules = [
        ...new Set([...coverage.signIn, ...Object.values(coverage.apiCalls).flat()].map((rule) => rule.name)),
      ];
      return [
        outcome(
          'PASS',
          resource,
          `Root usage alerts through EventBridge: ${listOf(rules.map((name) => `rule ${name}`))} (sign-ins and API calls in every scanned region).`,
          {
            route: 'eventbridge',
            ...facts,
          },
        ),
      ];
    }
    const eventBridgeGap = [
      coverage.uncovered.length > 0
        ? `no enabled EventBridge rule with a target covers ${listOf(coverage.uncovered)}`
        : '',
      coverage.nearMisses.length > 0 ? listOf(coverage.nearMisses) : '',
    ]
      .filter(Boolean)
      .join('; ');
    if (chain.status === 'REMOTE') {
      return [
        outcome(
          'NOT_APPLICABLE',
          resource,
          `Not applicable in this account: ${describeChainShortfall(chain)}${eventBridgeGap ? `; locally, ${eventBridgeGap}` : ''}.`,
          facts,
        ),
      ];
    }
    const errors = [...(chain.status === 'ERROR' ? chain.errors : []), ...coverage.errors];
    if (errors.length > 0) {
      const known = [chain.status === 'FAIL' ? describeChainShortfall(chain) : '', eventBridgeGap]
        .filter(Boolean)
        .join('; ');
      return [
        errorOutcome(
          resource,
          context,
          errors,
          'account',
          `No alert route is proven${known ? ` (${known})` : ''} and part of the evidence could not be read: `,
        ),
      ];
    }
    return [
      outcome(
        'FAIL',
        resource,
        `Root usage alerts nobody: ${describeChainShortfall(chain)}; and ${eventBridgeGap}.`,
        facts,
      ),
    ];
  },
});
