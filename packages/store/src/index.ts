/**
 * @rootaudit/store: the only code that reads and writes rootaudit's data. The write side (scan
 * data, suppressions, webhooks, API keys) guards every write that a re-delivered job could repeat
 * so that it happens once (see prisma/schema.prisma, "Idempotency"). The read side (read/) is the
 * read model the API stands on: named queries with typed filters and typed rows, one findings
 * filter for lists and exports, keyset paging for every list; routes hold no queries.
 */
export * from './api-keys.ts';
export * from './findings.ts';
export * from './organization.ts';
export * from './read/accounts.ts';
export * from './read/counts.ts';
export * from './read/finding-counts.ts';
export * from './read/findings.ts';
export * from './read/metrics.ts';
export * from './read/paging.ts';
export * from './read/scans.ts';
export * from './read/summary.ts';
export * from './read/suppressions.ts';
export * from './read/webhooks.ts';
export * from './root-events.ts';
export * from './scan-evidence.ts';
export * from './scans.ts';
export * from './suppressions.ts';
export * from './vocabulary.ts';
export * from './webhooks.ts';
