import { type CallContext, inputString, requireInput, type ServiceHandlers } from '../context.ts';
import type { Topic } from '../model.ts';
import { paginate, SimError, XmlMap } from '../protocol.ts';

function topicArn(region: string, accountId: string, name: string): string {
  return `arn:aws:sns:${region}:${accountId}:${name}`;
}

function findTopic(ctx: CallContext, arn: string): Topic {
  const topic = ctx.account.topics.find(
    (t) => t.region === ctx.region && topicArn(t.region, ctx.account.id, t.name) === arn,
  );
  if (!topic) throw new SimError('NotFound', 'Topic does not exist', 404);
  return topic;
}

export const sns: ServiceHandlers = {
  ListSubscriptionsByTopic(ctx) {
    const arn = requireInput(ctx, 'TopicArn', 'InvalidParameter');
    const topic = findTopic(ctx, arn);
    const subscriptions = topic.subscriptions.map((s, i) => ({
      SubscriptionArn: s.confirmed
        ? `${arn}:${ctx.account.id.slice(0, 8)}-0000-4000-8000-${String(i).padStart(12, '0')}`
        : 'PendingConfirmation',
      Owner: ctx.account.id,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      TopicArn: arn,
    }));
    const page = paginate(
      subscriptions,
      inputString(ctx, 'NextToken'),
      100,
      `subs:${arn}`,
      () => new SimError('InvalidParameter', 'Invalid parameter: NextToken'),
    );
    return { Subscriptions: page.items, NextToken: page.next };
  },

  GetTopicAttributes(ctx) {
    const arn = requireInput(ctx, 'TopicArn', 'InvalidParameter');
    const topic = findTopic(ctx, arn);
    const confirmed = topic.subscriptions.filter((s) => s.confirmed).length;
    const policy = {
      Version: '2008-10-17',
      Id: '__default_policy_ID',
      Statement: [
        {
          Sid: '__default_statement_ID',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['SNS:GetTopicAttributes', 'SNS:Subscribe', 'SNS:Publish'],
          Resource: arn,
          Condition: { StringEquals: { 'AWS:SourceOwner': ctx.account.id } },
        },
      ],
    };
    const attributes: Record<string, string> = {
      Policy: JSON.stringify(policy),
      Owner: ctx.account.id,
      SubscriptionsPending: String(topic.subscriptions.length - confirmed),
      TopicArn: arn,
      EffectiveDeliveryPolicy: JSON.stringify({
        http: { defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3 } },
      }),
      SubscriptionsConfirmed: String(confirmed),
      DisplayName: topic.displayName ?? '',
      SubscriptionsDeleted: '0',
    };
    return { Attributes: new XmlMap(attributes) };
  },
};
