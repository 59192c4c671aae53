/** logs:DescribeMetricFilters in each scanned region and in the region of each trail's log group. */
import { DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { type AccountCollector, awsCall, paginate, perRegion } from '../collector.ts';
import { logGroupRegions } from './log-group-regions.ts';

const ACTION = 'logs:DescribeMetricFilters';

export const metricFiltersCollector: AccountCollector<'metricFilters'> = {
  key: 'metricFilters',
  actions: [ACTION],
  principals: ['audit-role'],
  needs: ['trails'],
  collect: async (context) => {
    const { clients } = context;
    return perRegion(await logGroupRegions(context), ACTION, async (region) => {
      const logs = clients.client('logs', region);
      const filters = await paginate(async (nextToken) => {
        const page = await awsCall(clients.limit, ACTION, region, () =>
          logs.send(new DescribeMetricFiltersCommand({ nextToken })),
        );
        return { items: page.metricFilters, next: page.nextToken };
      });
      return {
        filters: filters.map((filter) => ({
          logGroupName: filter.logGroupName ?? '',
          filterName: filter.filterName ?? '',
          filterPattern: filter.filterPattern ?? '',
          metricTransformations: (filter.metricTransformations ?? []).map((transformation) => ({
            metricName: transformation.metricName ?? '',
            metricNamespace: transformation.metricNamespace ?? '',
          })),
        })),
      };
    });
  },
};
