import {
  type CallContext,
  inputNumber,
  inputString,
  requireInput,
  type ServiceHandlers,
} from '../context.ts';
import type { EventRule } from '../model.ts';
import { paginate, SimError } from '../protocol.ts';

function busOf(rule: EventRule) {
  return rule.eventBusName ?? 'default';
}

function rulesOn(ctx: CallContext, bus: string) {
  return ctx.account.rules.filter((r) => r.region === ctx.region && busOf(r) === bus);
}

function invalidToken() {
  return new SimError('ValidationException', 'The NextToken provided is invalid.');
}

export const eventbridge: ServiceHandlers = {
  ListRules(ctx) {
    const bus = inputString(ctx, 'EventBusName') ?? 'default';
    const prefix = inputString(ctx, 'NamePrefix');
    const onBus = rulesOn(ctx, bus);
    // A bus exists here only through its rules; "default" always does.
    if (bus !== 'default' && onBus.length === 0) {
      throw new SimError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
    }
    const rules = onBus
      .filter((r) => !prefix || r.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const limit = inputNumber(ctx, 'Limit') ?? 100;
    const page = paginate(
      rules,
      inputString(ctx, 'NextToken'),
      limit,
      `rules:${ctx.account.id}:${ctx.region}:${bus}:${prefix}`,
      invalidToken,
    );
    return {
      Rules: page.items.map((r) => ({
        Name: r.name,
        Arn: `arn:aws:events:${r.region}:${ctx.account.id}:rule/${bus === 'default' ? '' : `${bus}/`}${r.name}`,
        EventPattern: r.eventPattern,
        ScheduleExpression: r.scheduleExpression,
        State: r.state,
        Description: r.description,
        EventBusName: bus,
      })),
      NextToken: page.next,
    };
  },

  ListTargetsByRule(ctx) {
    const name = requireInput(ctx, 'Rule');
    const bus = inputString(ctx, 'EventBusName') ?? 'default';
    const rule = rulesOn(ctx, bus).find((r) => r.name === name);
    if (!rule)
      throw new SimError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`);
    const limit = inputNumber(ctx, 'Limit') ?? 100;
    const page = paginate(
      rule.targets,
      inputString(ctx, 'NextToken'),
      limit,
      `targets:${ctx.account.id}:${ctx.region}:${bus}:${name}`,
      invalidToken,
    );
    return { Targets: page.items.map((t) => ({ Id: t.id, Arn: t.arn })), NextToken: page.next };
  },
};
