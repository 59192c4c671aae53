/**
 * cloudwatch:DescribeAlarms (metric alarms) in each scanned region and in the region of each trail's
 * log group (an alarm on a metric filter's metric lives in the filter's region).
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { type AccountCollector, awsCall, paginate, perRegion } from '../collector.ts';
import { logGroupRegions } from './log-group-regions.ts';

const ACTION = 'cloudwatch:DescribeAlarms';

export const metricAlarmsCollector: AccountCollector<'metricAlarms'> = {
  key: 'metricAlarms',
  actions: [ACTION],
  principals: ['audit-role'],
  needs: ['trails'],
  collect: async (context) => {
    const { clients } = context;
    return perRegion(await logGroupRegions(context), ACTION, async (region) => {
      const cloudwatch = clients.client('cloudwatch', region);
      const alarms = await paginate(async (token) => {
        const page = await awsCall(clients.limit, ACTION, region, () =>
          cloudwatch.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm'], NextToken: token })),
        );
        return { items: page.MetricAlarms, next: page.NextToken };
      });
      return {
        alarms: alarms.map((alarm) => ({
          alarmName: alarm.AlarmName ?? '',
          alarmArn: alarm.AlarmArn ?? '',
          metricName: alarm.MetricName ?? null,
          namespace: alarm.Namespace ?? null,
          metrics: (alarm.Metrics ?? []).flatMap((query) => {
            const metric = query.MetricStat?.Metric;
            return metric?.MetricName
              ? [{ metricName: metric.MetricName, namespace: metric.Namespace ?? '' }]
              : [];
          }),
          actionsEnabled: alarm.ActionsEnabled !== false,
          alarmActions: alarm.AlarmActions ?? [],
          stateValue: alarm.StateValue ?? null,
        })),
      };
    });
  },
};
