export * from './database.ts';
export * from './ingest-root-event.ts';
export * from './lifecycle.ts';
export * from './run-roles.ts';
export * from './trigger-scan.ts';
