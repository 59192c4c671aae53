/**
 * The EventBridge rule that forwards root activity (member accounts to the central bus, the
 * central bus to rootaudit's queue or API destination). The templates in deploy/cloudformation
 * are to embed exactly this pattern, and their tests to compare with it.
 *
 * It keys on the identity only: every service's API calls and every console sign-in whose
 * userIdentity.type is Root, privileged root sessions included. The rule must be in state
 * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS: in state ENABLED, EventBridge does not hand it
 * read-only management events, and a root user that only looks around would go unseen.
 */
import { API_CALL_DETAIL_TYPE, SIGN_IN_DETAIL_TYPE, SIGN_IN_DETAIL_TYPE_ALTERNATE } from './parse.ts';

export const ROOT_EVENTS_RULE_PATTERN = {
  'detail-type': [API_CALL_DETAIL_TYPE, SIGN_IN_DETAIL_TYPE, SIGN_IN_DETAIL_TYPE_ALTERNATE],
  detail: { userIdentity: { type: ['Root'] } },
} as const;

export const ROOT_EVENTS_RULE_STATE = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/** The pattern as the JSON text a rule's EventPattern property holds. */
export function rootEventsRulePatternJson(): string {
  return JSON.stringify(ROOT_EVENTS_RULE_PATTERN);
}
