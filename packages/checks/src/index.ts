export * from './account-state.ts';
export * from './catalog.ts';
export * from './check.ts';
export { signInRegionOf } from './checks/support.ts';
export * from './compliance/index.ts';
export * from './evidence.ts';
