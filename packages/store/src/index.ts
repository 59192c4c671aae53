/**
 * @rootaudit/store: the only code that writes scan data. Every write that a re-delivered job could
 * repeat is guarded so that it happens once (see prisma/schema.prisma, "Idempotency").
 */
export * from './findings.ts';
export * from './organization.ts';
export * from './scans.ts';
export * from './suppressions.ts';
