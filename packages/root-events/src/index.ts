export * from './ingest-outcome.ts';
export * from './looked-up.ts';
export * from './own-sessions.ts';
export * from './parse.ts';
export * from './rule-pattern.ts';
