/**
 * events:ListRules and events:ListTargetsByRule on the default bus of each scanned region, and of
 * the partition's sign-in region (us-east-1), where root console sign-in events are delivered and so
 * where a rule on them must live, even when that region is not scanned.
 */
import { ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { globalRegionOf } from '../arn.ts';
import { type AccountCollector, awsCall, paginate, perRegion } from '../collector.ts';

const LIST_RULES = 'events:ListRules';
const LIST_TARGETS = 'events:ListTargetsByRule';

export const eventRulesCollector: AccountCollector<'eventRules'> = {
  key: 'eventRules',
  actions: [LIST_RULES, LIST_TARGETS],
  principals: ['audit-role'],
  needs: [],
  collect: ({ account, clients, regions }) =>
    perRegion([...regions, globalRegionOf(account.partition)], LIST_RULES, async (region) => {
      const events = clients.client('events', region);
      const rules = await paginate(async (token) => {
        const page = await awsCall(clients.limit, LIST_RULES, region, () =>
          events.send(new ListRulesCommand({ NextToken: token })),
        );
        return { items: page.Rules, next: page.NextToken };
      });
      return {
        rules: await Promise.all(
          rules.map(async (rule) => {
            const name = rule.Name ?? '';
            const targets = await paginate(async (token) => {
              const page = await awsCall(clients.limit, LIST_TARGETS, region, () =>
                events.send(
                  new ListTargetsByRuleCommand({
                    Rule: name,
                    EventBusName: rule.EventBusName,
                    NextToken: token,
                  }),
                ),
              );
              return { items: page.Targets, next: page.NextToken };
            });
            return {
              name,
              arn: rule.Arn ?? '',
              eventBusName: rule.EventBusName ?? 'default',
              state: rule.State ?? 'UNKNOWN',
              eventPattern: rule.EventPattern ?? null,
              targets: targets.map((target) => ({ id: target.Id ?? '', arn: target.Arn ?? '' })),
            };
          }),
        ),
      };
    }),
};
