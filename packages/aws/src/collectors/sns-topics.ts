/**
 * The SNS topics that metric-alarm actions name, with sns:ListSubscriptionsByTopic in each topic's
 * region. An alarm is only as good as the people subscribed to its topic.
 */
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import type { SnsTopic } from '@rootaudit/checks';
import { regionOfArn } from '../arn.ts';
import { type AccountCollector, awsCall, paginate } from '../collector.ts';
import { collected, toCollectionError } from '../errors.ts';

const ACTION = 'sns:ListSubscriptionsByTopic';

export const snsTopicsCollector: AccountCollector<'snsTopics'> = {
  key: 'snsTopics',
  actions: [ACTION],
  principals: ['audit-role'],
  needs: ['metricAlarms'],
  collect: ({ clients, evidence }) =>
    collected(ACTION, async () => {
      const alarms = await evidence('metricAlarms');
      const topicArns = new Set<string>();
      for (const regional of Object.values(alarms)) {
        if (!regional.ok) continue;
        for (const alarm of regional.value.alarms) {
          for (const action of alarm.alarmActions) if (/^arn:[\w-]+:sns:/.test(action)) topicArns.add(action);
        }
      }
      const topics = await Promise.all(
        [...topicArns].sort().map(async (topicArn): Promise<SnsTopic> => {
          const region = regionOfArn(topicArn) ?? clients.homeRegion;
          const sns = clients.client('sns', region);
          try {
            const subscriptions = await paginate(async (token) => {
              const page = await awsCall(clients.limit, ACTION, region, () =>
                sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token })),
              );
              return { items: page.Subscriptions, next: page.NextToken };
            });
            return {
              topicArn,
              subscriptions: subscriptions.map((subscription) => ({
                subscriptionArn: subscription.SubscriptionArn ?? '',
                protocol: subscription.Protocol ?? '',
                endpoint: subscription.Endpoint ?? '',
                confirmed: /^arn:/.test(subscription.SubscriptionArn ?? ''),
              })),
            };
          } catch (error) {
            return { topicArn, subscriptions: null, error: toCollectionError(error, ACTION, region) };
          }
        }),
      );
      return { topics };
    }),
};
