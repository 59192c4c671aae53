export * from './catalog.ts';
export * from './check.ts';
export * from './evidence.ts';
