export * from './lifecycle.ts';
export * from './run-roles.ts';
