import { inputNumber, inputString, type ServiceHandlers } from '../context.ts';
import { paginate, SimError } from '../protocol.ts';

export const logs: ServiceHandlers = {
  DescribeMetricFilters(ctx) {
    const groupName = inputString(ctx, 'logGroupName');
    const prefix = inputString(ctx, 'filterNamePrefix');
    const metricName = inputString(ctx, 'metricName');
    const metricNamespace = inputString(ctx, 'metricNamespace');
    if (prefix && !groupName) {
      throw new SimError('InvalidParameterException', 'filterNamePrefix requires logGroupName.');
    }
    if ((metricName === undefined) !== (metricNamespace === undefined)) {
      throw new SimError(
        'InvalidParameterException',
        'metricName and metricNamespace must be given together.',
      );
    }
    const limit = inputNumber(ctx, 'limit') ?? 50;
    if (limit < 1 || limit > 50)
      throw new SimError('InvalidParameterException', 'limit must be between 1 and 50.');
    const groups = ctx.account.logGroups.filter((g) => g.region === ctx.region);
    if (groupName && !groups.some((g) => g.name === groupName)) {
      throw new SimError('ResourceNotFoundException', 'The specified log group does not exist.');
    }
    const filters = groups
      .filter((g) => !groupName || g.name === groupName)
      .flatMap((g) =>
        g.metricFilters
          .filter(
            (f) =>
              (!prefix || f.name.startsWith(prefix)) &&
              (!metricName ||
                f.transformations.some(
                  (t) => t.metricName === metricName && t.metricNamespace === metricNamespace,
                )),
          )
          .map((f) => ({
            filterName: f.name,
            filterPattern: f.pattern,
            metricTransformations: f.transformations.map((t) => ({
              metricName: t.metricName,
              metricNamespace: t.metricNamespace,
              metricValue: t.metricValue,
            })),
            creationTime: Date.parse(f.created ?? g.created ?? '2023-01-01T00:00:00Z'),
            logGroupName: g.name,
          })),
      )
      .sort((a, b) => a.filterName.localeCompare(b.filterName));
    const scope = `mf:${ctx.account.id}:${ctx.region}:${groupName}:${prefix}:${metricName}`;
    const page = paginate(
      filters,
      inputString(ctx, 'nextToken'),
      limit,
      scope,
      () => new SimError('InvalidParameterException', 'The specified nextToken is invalid.'),
    );
    return { metricFilters: page.items, nextToken: page.next };
  },
};
