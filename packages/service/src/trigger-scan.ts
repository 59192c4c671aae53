/**
 * On-demand scans (POST /v1/scans, `rootaudit demo`, the scheduler's own trigger): the scan row is
 * created QUEUED at once, so the caller gets its id, and organization discovery runs in the
 * scheduler's scan-organization job. A use case over the store and the queue, so it lives above
 * both (the queue is transport only).
 */
import type { PrismaClient, Scan } from '@rootaudit/db';
import { enqueueOrganizationScan, type PgBoss } from '@rootaudit/queue';
import { createScan, failScan, ScanAlreadyActiveError } from '@rootaudit/store';

export interface TriggerScanRequest {
  requestedBy?: string | null;
  /** Only these checks; empty or absent = all. */
  checkIds?: string[];
  /** Only these accounts; empty or absent = every ACTIVE account. */
  accountIds?: string[];
}

export type TriggerScanOutcome =
  /** A new scan, QUEUED: the API answers 202 with it. */
  | { started: true; scan: Scan }
  /** A scan is already QUEUED or RUNNING: the API answers 409 with it. */
  | { started: false; scan: Scan };

export async function triggerScan(
  deps: { prisma: PrismaClient; boss: PgBoss },
  request: TriggerScanRequest = {},
): Promise<TriggerScanOutcome> {
  let scan: Scan;
  try {
    scan = await createScan(deps.prisma, {
      trigger: 'MANUAL',
      requestedBy: request.requestedBy ?? null,
      checkIds: request.checkIds ?? [],
      accountFilter: request.accountIds ?? [],
    });
  } catch (error) {
    if (error instanceof ScanAlreadyActiveError) return { started: false, scan: error.scan };
    throw error;
  }
  try {
    await enqueueOrganizationScan(deps.boss, { trigger: 'MANUAL', scanId: scan.id });
  } catch (error) {
    // Never leave a QUEUED scan that no job will ever start (it would block every later scan).
    const message = error instanceof Error ? error.message : String(error);
    await failScan(deps.prisma, scan.id, `the scan could not be queued: ${message}`);
    throw error;
  }
  return { started: true, scan };
}
