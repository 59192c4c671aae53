import { type CallContext, inputNumber, inputString, type ServiceHandlers } from '../context.ts';
import type { Alarm } from '../model.ts';
import { paginate, SimError } from '../protocol.ts';

function describeAlarm(ctx: CallContext, alarm: Alarm) {
  const updated = new Date(Date.parse(ctx.account.joined) + 86_400_000);
  return {
    AlarmName: alarm.name,
    AlarmArn: `arn:aws:cloudwatch:${alarm.region}:${ctx.account.id}:alarm:${alarm.name}`,
    AlarmConfigurationUpdatedTimestamp: updated,
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: [],
    AlarmActions: alarm.alarmActions,
    InsufficientDataActions: [],
    StateValue: alarm.state,
    StateReason: 'Threshold Crossed: no datapoints were received for 1 period.',
    StateUpdatedTimestamp: updated,
    MetricName: alarm.metricName,
    Namespace: alarm.namespace,
    Statistic: alarm.statistic,
    Dimensions: [],
    Period: alarm.period,
    EvaluationPeriods: alarm.evaluationPeriods,
    Threshold: alarm.threshold,
    ComparisonOperator: alarm.comparisonOperator,
    TreatMissingData: 'notBreaching',
  };
}

function invalidToken() {
  return new SimError('InvalidNextToken', 'The service returned an invalid next token.');
}

export const cloudwatch: ServiceHandlers = {
  DescribeAlarms(ctx) {
    const names = (ctx.input.AlarmNames as string[] | undefined) ?? [];
    const prefix = inputString(ctx, 'AlarmNamePrefix');
    const state = inputString(ctx, 'StateValue');
    const actionPrefix = inputString(ctx, 'ActionPrefix');
    const types = (ctx.input.AlarmTypes as string[] | undefined) ?? ['MetricAlarm'];
    if (names.length > 0 && prefix) {
      throw new SimError(
        'InvalidParameterCombination',
        'AlarmNames and AlarmNamePrefix cannot be used together.',
      );
    }
    const max = inputNumber(ctx, 'MaxRecords') ?? 50;
    if (max < 1 || max > 100)
      throw new SimError('InvalidParameterValue', 'MaxRecords must be between 1 and 100.');
    const alarms = ctx.account.alarms
      .filter(
        (a) =>
          a.region === ctx.region &&
          (names.length === 0 || names.includes(a.name)) &&
          (!prefix || a.name.startsWith(prefix)) &&
          (!state || a.state === state) &&
          (!actionPrefix || a.alarmActions.some((x) => x.startsWith(actionPrefix))),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    const scope = `alarms:${ctx.account.id}:${ctx.region}:${names.join(',')}:${prefix}:${state}:${actionPrefix}`;
    const page = paginate(
      types.includes('MetricAlarm') ? alarms : [],
      inputString(ctx, 'NextToken'),
      max,
      scope,
      invalidToken,
    );
    return {
      MetricAlarms: page.items.map((a) => describeAlarm(ctx, a)),
      CompositeAlarms: [],
      NextToken: page.next,
    };
  },

  DescribeAlarmsForMetric(ctx) {
    const metricName = inputString(ctx, 'MetricName');
    const namespace = inputString(ctx, 'Namespace');
    if (!metricName || !namespace) {
      throw new SimError('InvalidParameterValue', 'MetricName and Namespace are required.');
    }
    const alarms = ctx.account.alarms.filter(
      (a) => a.region === ctx.region && a.metricName === metricName && a.namespace === namespace,
    );
    return { MetricAlarms: alarms.map((a) => describeAlarm(ctx, a)) };
  },
};
