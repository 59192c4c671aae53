/**
 * @rootaudit/store: the only code that writes scan data. Every write that a re-delivered job could
 * repeat is guarded so that it happens once (see prisma/schema.prisma, "Idempotency"). Reads that
 * reports share (finding-counts.ts) live here too, so routes hold no queries.
 */
export * from './finding-counts.ts';
export * from './findings.ts';
export * from './organization.ts';
export * from './scan-evidence.ts';
export * from './scans.ts';
export * from './suppressions.ts';
