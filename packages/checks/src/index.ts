export * from './account-state.ts';
export * from './catalog.ts';
export * from './check.ts';
export { isOwnRootAudit } from './checks/root-signin-activity.ts';
export { signInRegionOf } from './checks/support.ts';
export * from './compliance/index.ts';
export * from './evidence.ts';
export {
  InvalidEventPatternError,
  judgeRootActivityPattern,
  matchesEventPattern,
} from './rules/event-pattern.ts';
export { DEFAULT_FAMILY_SCOPE } from './rules/root-event-family.ts';
