import { DEFAULT_FAMILY_SCOPE, judgeRootActivityPattern, matchesEventPattern } from '@rootaudit/checks';
import t from 'tap';
import { OTHER_EVENT_SAMPLES, ROOT_EVENT_SAMPLES } from './fixtures/index.ts';
import { parseRootEvent } from './parse.ts';
import {
  ROOT_EVENTS_RULE_PATTERN,
  ROOT_EVENTS_RULE_STATE,
  rootEventsRulePatternJson,
} from './rule-pattern.ts';

t.test('the rule pattern matches every root sample, and the parser accepts each', async (t) => {
  for (const [situation, event] of Object.entries(ROOT_EVENT_SAMPLES)) {
    t.equal(matchesEventPattern(ROOT_EVENTS_RULE_PATTERN, event), true, situation);
    t.equal(parseRootEvent(event).ok, true, `parsed: ${situation}`);
  }
});

t.test('the rule pattern matches no other sample, and the parser refuses each', async (t) => {
  for (const [situation, event] of Object.entries(OTHER_EVENT_SAMPLES)) {
    t.equal(matchesEventPattern(ROOT_EVENTS_RULE_PATTERN, event), false, situation);
    t.equal(parseRootEvent(event).ok, false, `refused: ${situation}`);
  }
});

t.test(
  'judged like a customer rule, the pattern covers all root activity and alerts on nothing else',
  async (t) => {
    t.equal(ROOT_EVENTS_RULE_STATE, 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    // The family of root events the root-activity-alerting check judges rules with: every form of
    // sign-in and of read and write call, and the ordinary IAM-user and assumed-role events.
    const judgement = judgeRootActivityPattern(rootEventsRulePatternJson(), DEFAULT_FAMILY_SCOPE, true);
    t.same(judgement, {
      valid: true,
      signIns: true,
      writeCalls: true,
      readCalls: true,
      alertsOnOrdinaryActivity: false,
      misses: { signIns: null, writeCalls: null },
    });
  },
);

t.test('the JSON text is the pattern', async (t) => {
  t.same(JSON.parse(rootEventsRulePatternJson()), ROOT_EVENTS_RULE_PATTERN);
});
