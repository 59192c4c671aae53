/**
 * The CIS root-usage alerting chain, shared by cloudtrail-multi-region, root-usage-metric-alarm and
 * root-activity-alerting:
 *
 *   multi-region trail, logging, management events (All) → its CloudWatch Logs log group, fed
 *   (delivered to within the last 24 hours, no delivery error) → a metric filter matching root
 *   usage (by meaning: every form of root activity, no ordinary IAM-user or assumed-role call) →
 *   an alarm on that metric with actions enabled → an SNS topic with at least one confirmed
 *   subscription.
 *
 * Every path through the evidence is followed; the chain passes when one path is complete. When none
 * is, the path that got furthest names the first link it is missing. An error on a path that could
 * still have completed makes the chain ERROR (never PASS, never a FAIL it cannot prove).
 */
import type { CheckContext } from '../check.ts';
import type { CollectionError, EvidenceFor, MetricFilter, SnsTopic, Trail } from '../evidence.ts';
import { judgeRootUsageFilter, matchesRootUsagePattern } from '../rules/metric-filter-pattern.ts';
import { DAY_MS, inRegion, listOf, withRegion } from './support.ts';

// ── Trails ───────────────────────────────────────────────────────────────────────────────────

export type TrailAssessment =
  | { trail: Trail; verdict: 'qualifies' }
  | { trail: Trail; verdict: 'falls-short'; shortfall: string }
  | { trail: Trail; verdict: 'unknown'; error: CollectionError };

/** Is this a multi-region trail that is logging all management events? */
export function assessTrail(trail: Trail): TrailAssessment {
  const kind = trail.isOrganizationTrail ? 'organization trail' : 'trail';
  const named = `${kind} ${trail.name}`;
  if (!trail.isMultiRegionTrail)
    return { trail, verdict: 'falls-short', shortfall: `${named} is single-region` };
  if (trail.isLogging === false)
    return { trail, verdict: 'falls-short', shortfall: `${named} is not logging` };
  if (trail.isLogging === null) {
    return {
      trail,
      verdict: 'unknown',
      error: trail.statusError ?? {
        action: 'cloudtrail:GetTrailStatus',
        code: 'Unknown',
        message: `the status of ${named} could not be read`,
      },
    };
  }
  if (trail.managementEvents === null) {
    return {
      trail,
      verdict: 'unknown',
      error: trail.selectorsError ?? {
        action: 'cloudtrail:GetEventSelectors',
        code: 'Unknown',
        message: `the event selectors of ${named} could not be read`,
      },
    };
  }
  if (!trail.managementEvents.included) {
    return { trail, verdict: 'falls-short', shortfall: `${named} does not record management events` };
  }
  if (trail.managementEvents.readWriteType !== 'All') {
    return {
      trail,
      verdict: 'falls-short',
      shortfall: `${named} records only ${trail.managementEvents.readWriteType} management events, not All`,
    };
  }
  return { trail, verdict: 'qualifies' };
}

export function describeTrail(trail: Trail): string {
  return `${trail.isOrganizationTrail ? 'organization trail' : 'trail'} ${trail.name} (${trail.arn})`;
}

// ── Log groups ───────────────────────────────────────────────────────────────────────────────

export interface LogGroupRef {
  arn: string;
  partition: string;
  region: string;
  accountId: string;
  name: string;
}

/** `arn:aws:logs:us-east-1:111122223333:log-group:aws-cloudtrail-logs:*` */
export function parseLogGroupArn(arn: string): LogGroupRef | null {
  const match = /^arn:([\w-]+):logs:([\w-]+):(\d{12}):log-group:([^:]+)(?::\*)?$/.exec(arn);
  if (!match) return null;
  const [, partition, region, accountId, name] = match as unknown as [string, string, string, string, string];
  return { arn, partition, region, accountId, name };
}

// ── Delivery ─────────────────────────────────────────────────────────────────────────────────

/** A log group counts as fed only if CloudTrail delivered to it within this long of the scan. */
export const CLOUDWATCH_LOGS_DELIVERY_WINDOW_MS = DAY_MS;

/**
 * Why a trail's log group is not fed, or null when it is: CloudTrail reports a delivery error, or
 * its last delivery is missing or older than 24 hours (a broken delivery role stops it silently).
 */
export function deliveryShortfall(trail: Trail, now: Date): string | null {
  const named = `trail ${trail.name}`;
  if (trail.latestCloudWatchLogsDeliveryError)
    return `${named} cannot deliver to CloudWatch Logs (${trail.latestCloudWatchLogsDeliveryError})`;
  if (!trail.latestCloudWatchLogsDeliveryTime)
    return `${named} has never delivered to its CloudWatch Logs log group`;
  const delivered = Date.parse(trail.latestCloudWatchLogsDeliveryTime);
  if (Number.isNaN(delivered) || now.getTime() - delivered > CLOUDWATCH_LOGS_DELIVERY_WINDOW_MS)
    return `${named} last delivered to CloudWatch Logs at ${trail.latestCloudWatchLogsDeliveryTime}, more than 24 hours before the scan`;
  return null;
}

// ── The chain ────────────────────────────────────────────────────────────────────────────────

export type AlarmChainEvidence = EvidenceFor<'trails' | 'metricFilters' | 'metricAlarms' | 'snsTopics'>;

export interface CompleteChain {
  trail: string;
  logGroup: string;
  metricFilter: string;
  metric: string;
  alarm: string;
  topic: string;
  confirmedSubscriptions: number;
}

export type AlarmChainResult =
  | { status: 'PASS'; chain: CompleteChain }
  /** The first missing link of the path that got furthest. */
  | { status: 'FAIL'; missingLink: string }
  | { status: 'ERROR'; errors: CollectionError[]; missingLink: string | null }
  /** The only feeding trails deliver to log groups in other accounts, whose filters this account cannot see. */
  | { status: 'REMOTE'; logGroups: LogGroupRef[]; trails: string[] };

interface Shortfall {
  depth: number;
  link: string;
}

export function evaluateAlarmChain(evidence: AlarmChainEvidence, context: CheckContext): AlarmChainResult {
  const { trails, metricFilters, metricAlarms, snsTopics } = evidence;
  if (!trails.ok) return { status: 'ERROR', errors: [trails.error], missingLink: null };

  const errors: CollectionError[] = [];
  let furthest: Shortfall = { depth: 0, link: 'no CloudTrail trail exists' };
  const fallShort = (depth: number, link: string): void => {
    if (depth > furthest.depth) furthest = { depth, link };
  };

  const assessments = trails.value.trails.map(assessTrail);
  const shortfalls = assessments.flatMap((a) => (a.verdict === 'falls-short' ? [a.shortfall] : []));
  if (assessments.length > 0) {
    const why = shortfalls.length > 0 ? ` (${listOf(shortfalls)})` : '';
    fallShort(1, `no multi-region trail is logging all management events${why}`);
  }
  // A trail whose status could not be read only matters if it could feed a log group.
  for (const assessment of assessments) {
    if (assessment.verdict === 'unknown' && assessment.trail.cloudWatchLogsLogGroupArn)
      errors.push(assessment.error);
  }
  const qualifying = assessments.flatMap((a) => (a.verdict === 'qualifies' ? [a.trail] : []));
  if (qualifying.length > 0) {
    fallShort(
      2,
      `multi-region ${listOf(qualifying.map((trail) => `trail ${trail.name}`))} ${qualifying.length === 1 ? 'does' : 'do'} not deliver to CloudWatch Logs`,
    );
  }

  const remote: LogGroupRef[] = [];
  const remoteTrails: string[] = [];
  const fedLogGroups: { logGroup: LogGroupRef; trail: string }[] = [];
  for (const trail of qualifying) {
    if (!trail.cloudWatchLogsLogGroupArn) continue;
    const stale = deliveryShortfall(trail, context.now);
    if (stale) {
      fallShort(3, stale);
      continue;
    }
    const logGroup = parseLogGroupArn(trail.cloudWatchLogsLogGroupArn);
    if (logGroup === null) {
      fallShort(
        3,
        `trail ${trail.name} names a log group ARN that cannot be read (${trail.cloudWatchLogsLogGroupArn})`,
      );
      continue;
    }
    if (logGroup.accountId !== context.accountId) {
      remote.push(logGroup);
      remoteTrails.push(trail.name);
      continue;
    }
    if (!fedLogGroups.some((fed) => fed.logGroup.arn === logGroup.arn))
      fedLogGroups.push({ logGroup, trail: trail.name });
  }

  for (const { logGroup, trail } of fedLogGroups) {
    const filters = inRegion(metricFilters, logGroup.region, 'metricFilters');
    if (!filters.ok) {
      errors.push(withRegion(filters.error, logGroup.region));
      continue;
    }
    const matching = filters.value.filters.filter(
      (filter) => filter.logGroupName === logGroup.name && matchesRootUsagePattern(filter.filterPattern),
    );
    if (matching.length === 0) {
      const everything = filters.value.filters.filter(
        (filter) =>
          filter.logGroupName === logGroup.name &&
          judgeRootUsageFilter(filter.filterPattern) === 'matches-ordinary-activity',
      );
      if (everything.length > 0) {
        fallShort(
          4,
          `log group ${logGroup.name} (${logGroup.region}) has no metric filter matching root usage alone: ${listOf(
            everything.map((filter) => `filter ${filter.filterName}`),
          )} also ${everything.length === 1 ? 'matches' : 'match'} ordinary IAM-user and assumed-role calls, so an alarm on it fires on everything`,
        );
        continue;
      }
      const elsewhere = filters.value.filters.filter(
        (filter) => filter.logGroupName !== logGroup.name && matchesRootUsagePattern(filter.filterPattern),
      );
      const decoys =
        elsewhere.length > 0
          ? ` (${listOf(elsewhere.map((filter) => `filter ${filter.filterName} on log group ${filter.logGroupName}`))} matches, but no multi-region trail feeds that log group)`
          : '';
      fallShort(
        4,
        `log group ${logGroup.name} (${logGroup.region}) has no metric filter matching the CIS root-usage pattern${decoys}`,
      );
      continue;
    }
    for (const filter of matching) {
      const found = followFilter(filter, logGroup, errors, fallShort, metricAlarms, snsTopics);
      if (found) return { status: 'PASS', chain: { trail, ...found } };
    }
  }

  if (remote.length > 0) return { status: 'REMOTE', logGroups: remote, trails: remoteTrails };
  if (errors.length > 0)
    return { status: 'ERROR', errors, missingLink: furthest.depth > 0 ? furthest.link : null };
  return { status: 'FAIL', missingLink: furthest.link };
}

function followFilter(
  filter: MetricFilter,
  logGroup: LogGroupRef,
  errors: CollectionError[],
  fallShort: (depth: number, link: string) => void,
  metricAlarms: AlarmChainEvidence['metricAlarms'],
  snsTopics: AlarmChainEvidence['snsTopics'],
): Omit<CompleteChain, 'trail'> | null {
  const alarms = inRegion(metricAlarms, logGroup.region, 'metricAlarms');
  if (!alarms.ok) {
    errors.push(withRegion(alarms.error, logGroup.region));
    return null;
  }
  for (const metric of filter.metricTransformations) {
    const metricName = `${metric.metricNamespace}/${metric.metricName}`;
    const onMetric = alarms.value.alarms.filter(
      (alarm) =>
        (alarm.metricName === metric.metricName && alarm.namespace === metric.metricNamespace) ||
        alarm.metrics.some(
          (m) => m.metricName === metric.metricName && m.namespace === metric.metricNamespace,
        ),
    );
    if (onMetric.length === 0) {
      fallShort(
        5,
        `no CloudWatch alarm watches metric ${metricName} of filter ${filter.filterName} (${logGroup.region})`,
      );
      continue;
    }
    for (const alarm of onMetric) {
      if (!alarm.actionsEnabled) {
        fallShort(6, `alarm ${alarm.alarmName} on ${metricName} has its actions disabled`);
        continue;
      }
      const topicArns = alarm.alarmActions.filter((action) => /^arn:[\w-]+:sns:/.test(action));
      if (topicArns.length === 0) {
        fallShort(7, `alarm ${alarm.alarmName} on ${metricName} notifies no SNS topic`);
        continue;
      }
      if (!snsTopics.ok) {
        errors.push(snsTopics.error);
        continue;
      }
      for (const topicArn of topicArns) {
        const topic: SnsTopic | undefined = snsTopics.value.topics.find(
          (entry) => entry.topicArn === topicArn,
        );
        if (!topic) {
          errors.push({
            action: 'sns:ListSubscriptionsByTopic',
            code: 'NotCollected',
            message: `the subscriptions of ${topicArn} (action of alarm ${alarm.alarmName}) were not gathered`,
          });
          continue;
        }
        if (topic.subscriptions === null) {
          errors.push(
            topic.error ?? {
              action: 'sns:ListSubscriptionsByTopic',
              code: 'Unknown',
              message: `the subscriptions of ${topicArn} could not be read`,
            },
          );
          continue;
        }
        const confirmed = topic.subscriptions.filter((subscription) => subscription.confirmed);
        if (confirmed.length > 0) {
          return {
            logGroup: logGroup.arn,
            metricFilter: filter.filterName,
            metric: metricName,
            alarm: alarm.alarmName,
            topic: topicArn,
            confirmedSubscriptions: confirmed.length,
          };
        }
        const pending = topic.subscriptions.length;
        fallShort(
          8,
          `SNS topic ${topicArn} of alarm ${alarm.alarmName} has no confirmed subscription${pending > 0 ? ` (${pending} pending confirmation)` : ''}`,
        );
      }
    }
  }
  return null;
}

/** One sentence for a chain that is not complete. */
export function describeChainShortfall(result: Exclude<AlarmChainResult, { status: 'PASS' }>): string {
  switch (result.status) {
    case 'FAIL':
      return `the root-usage alarm chain is broken: ${result.missingLink}`;
    case 'REMOTE':
      return `root usage is delivered by ${listOf(result.trails.map((name) => `trail ${name}`))} to ${listOf(
        result.logGroups.map((group) => `log group ${group.name} in account ${group.accountId}`),
      )}, whose metric filters and alarms are evaluated with that account`;
    case 'ERROR':
      return `the root-usage alarm chain could not be followed${result.missingLink ? ` (furthest: ${result.missingLink})` : ''}`;
  }
}
