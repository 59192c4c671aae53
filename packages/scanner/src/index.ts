export * from './evaluate.ts';
export * from './evidence-cache.ts';
export * from './evidence-codec.ts';
export * from './orchestration.ts';
export * from './results.ts';
export * from './scan-account.ts';
export * from './scan-organization.ts';
