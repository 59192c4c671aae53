import type { CheckContext } from '../check.ts';
import { defineCheck } from '../check.ts';
import type { CollectionError, EventRule, EvidenceFor, Trail } from '../evidence.ts';
import { judgeRootActivityPattern } from '../rules/event-pattern.ts';
import { describeChainShortfall, evaluateAlarmChain } from './alerting-chain.ts';
import { errorOutcome, inRegion, listOf, outcome, rootArn, signInRegionOf, withRegion } from './support.ts';

/** The state in which a rule also receives read-only management events delivered by CloudTrail. */
const ALL_MANAGEMENT_EVENTS = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

interface EventBridgeCoverage {
  /** Rules that alert on root sign-ins in the sign-in region. */
  signIn: EventRule[];
  /** Scanned regions → rules that alert on root API calls (every write call) there. */
  apiCalls: Record<string, EventRule[]>;
  /** Scanned regions where no counted rule receives and matches read-only root calls. */
  readOnlyUncovered: string[];
  uncovered: string[];
  /** Rules that match root activity but cannot alert: disabled, no target, another bus, no trail… */
  nearMisses: string[];
  errors: CollectionError[];
}

/** A rule that can alert, and which root activity it matches. */
interface AlertingRule {
  rule: EventRule;
  signIn: boolean;
  writeCalls: boolean;
  readCalls: boolean;
}

/** AWS service events (CloudTrail's among them) reach only the default event bus. */
function onDefaultBus(rule: EventRule): boolean {
  return rule.eventBusName === 'default' || /:event-bus\/default$/.test(rule.eventBusName);
}

type TrailCoverage =
  | { status: 'logging'; trail: Trail }
  | { status: 'none' }
  | { status: 'unknown'; error: CollectionError };

/**
 * Is a trail (own or organization) logging in this region? EventBridge receives CloudTrail's events
 * ("AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail") only from a logging trail.
 */
function trailCoverage(trails: EvidenceFor<'trails'>['trails'], region: string): TrailCoverage {
  if (!trails.ok) return { status: 'unknown', error: trails.error };
  const covering = trails.value.trails.filter(
    (trail) => trail.isMultiRegionTrail || trail.homeRegion === region,
  );
  const logging = covering.find((trail) => trail.isLogging === true);
  if (logging) return { status: 'logging', trail: logging };
  const unread = covering.find((trail) => trail.isLogging === null);
  if (unread) {
    return {
      status: 'unknown',
      error: unread.statusError ?? {
        action: 'cloudtrail:GetTrailStatus',
        code: 'Unknown',
        message: `the status of trail ${unread.name} could not be read`,
      },
    };
  }
  return { status: 'none' };
}

function eventBridgeCoverage(
  evidence: EvidenceFor<'eventRules' | 'trails'>,
  context: CheckContext,
  signInRegion: string,
): EventBridgeCoverage {
  const regions = context.regions;
  const coverage: EventBridgeCoverage = {
    signIn: [],
    apiCalls: {},
    readOnlyUncovered: [],
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
    const scope = { accountId: context.accountId, region, partition: context.partition };
    const candidates: AlertingRule[] = [];
    for (const rule of answer.value.rules) {
      if (rule.eventPattern === null) continue;
      const judgement = judgeRootActivityPattern(
        rule.eventPattern,
        scope,
        rule.state === ALL_MANAGEMENT_EVENTS,
      );
      const named = `rule ${rule.name} (${region})`;
      const misses = [judgement.misses.signIns, judgement.misses.writeCalls].filter(
        (miss): miss is string => miss !== null,
      );
      // A pattern that matched some root activity by coincidence: say what it lets through.
      if (misses.length > 0 && !judgement.alertsOnOrdinaryActivity)
        coverage.nearMisses.push(`${named} matches only some root activity: it misses ${listOf(misses)}`);
      if (!judgement.signIns && !judgement.writeCalls) continue;
      if (judgement.alertsOnOrdinaryActivity)
        coverage.nearMisses.push(
          `${named} also matches ordinary IAM-user and assumed-role events, so it alerts on everything`,
        );
      else if (!onDefaultBus(rule))
        coverage.nearMisses.push(
          `${named} matches root activity but is on event bus ${rule.eventBusName}; CloudTrail delivers only to the default bus`,
        );
      else if (rule.state !== 'ENABLED' && rule.state !== ALL_MANAGEMENT_EVENTS)
        coverage.nearMisses.push(`${named} matches root activity but is ${rule.state}`);
      else if (rule.targets.length === 0)
        coverage.nearMisses.push(`${named} matches root activity but has no target`);
      else
        candidates.push({
          rule,
          signIn: judgement.signIns,
          writeCalls: judgement.writeCalls,
          readCalls: judgement.readCalls,
        });
    }
    if (candidates.length > 0) {
      const trail = trailCoverage(evidence.trails, region);
      if (trail.status === 'unknown') {
        coverage.errors.push(withRegion(trail.error, region));
        continue;
      }
      if (trail.status === 'none') {
        coverage.nearMisses.push(
          `${listOf(candidates.map((entry) => `rule ${entry.rule.name}`))} (${region}) ${candidates.length === 1 ? 'matches' : 'match'} root activity, but no CloudTrail trail is logging in ${region}, and EventBridge receives CloudTrail events only from a logging trail`,
        );
        alerting.set(region, []);
        continue;
      }
    }
    alerting.set(region, candidates);
  }
  const signInRules = alerting.get(signInRegion);
  if (signInRules !== undefined) {
    coverage.signIn = signInRules.filter((entry) => entry.signIn).map((entry) => entry.rule);
    if (coverage.signIn.length === 0) coverage.uncovered.push(`root console sign-ins (${signInRegion})`);
  }
  for (const region of regions) {
    const rules = alerting.get(region);
    if (rules === undefined) continue;
    const apiRules = rules.filter((entry) => entry.writeCalls);
    coverage.apiCalls[region] = apiRules.map((entry) => entry.rule);
    if (apiRules.length === 0) coverage.uncovered.push(`root API calls in ${region}`);
    else if (!apiRules.some((entry) => entry.readCalls)) coverage.readOnlyUncovered.push(region);
  }
  return coverage;
}

/**
 * Two routes, either enough:
 * 1. the root-usage-metric-alarm chain (one multi-region trail covers every region and sign-ins);
 * 2. EventBridge on the default bus (the only bus AWS service events reach): an enabled rule with a
 *    target matching every form of root console sign-in in the sign-in region (us-east-1, where
 *    ConsoleLogin is delivered), and, in every scanned region, one matching every form of root API
 *    call (EventBridge sees a region's CloudTrail events only in that region), judged against the
 *    root-event family and never matching ordinary IAM-user or assumed-role events. EventBridge
 *    receives CloudTrail events only from a logging trail (own or organization) covering the region.
 *    State ENABLED receives no read-only management events: such a rule counts for sign-ins and
 *    write calls, and the result says read-only root calls are not covered; state
 *    ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS covers them. Several rules may share the work.
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
      'or enabled rules with targets on the default EventBridge bus whose patterns match every form of root console sign-in ' +
      '(us-east-1) and of root API call (each scanned region: any IP, user agent, MFA, key type, read or write, success or ' +
      'error) and no ordinary IAM-user or assumed-role event, in regions where a CloudTrail trail is logging. A rule in state ' +
      'ENABLED receives no read-only management events: it counts, and the result says read-only root calls are not covered; ' +
      'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS covers them.',
    rationale:
      'What matters is that a root sign-in is noticed within minutes, not which AWS service raises it. Many ' +
      'organizations use EventBridge instead of CloudWatch metric filters; a disabled rule, one without a target, one on a ' +
      'custom bus, or one in a region no trail logs alerts nobody, and a pattern that also matches everyone else alerts on everything.',
    remediation: {
      console: [
        'Either complete the metric alarm chain (see root-usage-metric-alarm), or:',
        'Make sure a CloudTrail trail (own or organization, multi-region) is logging: EventBridge receives CloudTrail events only from a logging trail.',
        'Open Amazon EventBridge in us-east-1 → Rules → Create rule on the default bus, type "Rule with an event pattern".',
        'Pattern: {"detail-type": ["AWS Console Sign In via CloudTrail", "AWS API Call via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}.',
        'Target: an SNS topic (with a confirmed subscription) or your incident tool; create the rule enabled (to also see read-only root calls, set its state to ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS with the CLI).',
        'Repeat in every region you use (API calls are delivered in the region where they happen).',
      ],
      cli:
        'aws events put-rule --region <region> --name root-activity --state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS --event-pattern ' +
        '\'{"detail-type":["AWS Console Sign In via CloudTrail","AWS API Call via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}\'\n' +
        'aws events put-targets --region <region> --rule root-activity --targets Id=notify,Arn=<sns-topic-arn>',
    },
    references: [
      'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html',
      'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html',
      'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html',
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html',
      'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html',
    ],
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
    const coverage = eventBridgeCoverage(evidence, context, signInRegion);
    const facts = {
      chain: chain.status === 'FAIL' ? { missingLink: chain.missingLink } : { status: chain.status },
      eventBridge: {
        signInRules: coverage.signIn.map((rule) => rule.arn),
        apiCallRules: Object.fromEntries(
          Object.entries(coverage.apiCalls).map(([region, rules]) => [region, rules.map((rule) => rule.arn)]),
        ),
        uncovered: coverage.uncovered,
        readOnlyCallsUncovered: coverage.readOnlyUncovered,
        nearMisses: coverage.nearMisses,
      },
    };
    if (coverage.errors.length === 0 && coverage.uncovered.length === 0) {
      const rules = [
        ...new Set([...coverage.signIn, ...Object.values(coverage.apiCalls).flat()].map((rule) => rule.name)),
      ];
      const readOnlyGap =
        coverage.readOnlyUncovered.length > 0
          ? ` Read-only root calls are not covered in ${listOf(coverage.readOnlyUncovered)}: a rule in state ENABLED does not receive read-only management events (use ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS with a pattern matching them).`
          : '';
      return [
        outcome(
          'PASS',
          resource,
          `Root usage alerts through EventBridge: ${listOf(rules.map((name) => `rule ${name}`))} (sign-ins and API calls in every scanned region).${readOnlyGap}`,
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
