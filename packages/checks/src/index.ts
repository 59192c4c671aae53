export * from './check.ts';
export * from './evidence.ts';
