/**
 * The organization evidence of a scan, stored once by its discovery and read by every account job
 * of the scan (so workers never read the organization from AWS, and every account of one scan is
 * judged against one snapshot). The store keeps it as JSON; @rootaudit/scanner's
 * encodeOrganizationEvidence / decodeOrganizationEvidence say what the JSON holds.
 */
import type { Prisma, PrismaClient } from '@rootaudit/db';

/**
 * Stores the scan's organization evidence unless some is stored already, and returns what is
 * stored: a re-delivered discovery (or two racing) keeps the first snapshot, never a second one.
 */
export async function storeScanOrganizationEvidence(
  prisma: PrismaClient,
  scanId: string,
  evidence: Prisma.InputJsonValue,
): Promise<Prisma.JsonValue> {
  await prisma.scanOrganizationEvidence.createMany({ data: [{ scanId, evidence }], skipDuplicates: true });
  const stored = await prisma.scanOrganizationEvidence.findUniqueOrThrow({ where: { scanId } });
  return stored.evidence;
}

/** The scan's stored organization evidence, or null when its discovery stored none. */
export async function scanOrganizationEvidence(
  prisma: PrismaClient,
  scanId: string,
): Promise<Prisma.JsonValue | null> {
  const stored = await prisma.scanOrganizationEvidence.findUnique({ where: { scanId } });
  return stored?.evidence ?? null;
}
