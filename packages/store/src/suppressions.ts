/**
 * Suppressions mute findings. A finding is muted while a suppression IN FORCE (no expiry, or an
 * expiry after now) matches its check and/or its account; an expired suppression mutes nothing
 * and its findings come back. Finding.muted holds the outcome, so every reader (findings, export,
 * summary, accounts, metrics) filters on that one column and they all agree.
 *
 * Who keeps the column in step: recordAccountResults and recordOrganizationResults for the
 * findings they write (a new finding starts muted), createSuppression and deleteSuppression, and
 * the scheduler's timer for expiries.
 */
import { Prisma, type PrismaClient, type Suppression } from '@rootaudit/db';
import type { Transaction } from './findings.ts';

/** Suppressions that mute at `now`. */
export function suppressionInForce(now: Date): Prisma.SuppressionWhereInput {
  return { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}

/** Suppressions that have expired at `now` (kept as history, muting nothing). */
export function suppressionExpired(now: Date): Prisma.SuppressionWhereInput {
  return { expiresAt: { lte: now } };
}

export function isSuppressionInForce(suppression: Pick<Suppression, 'expiresAt'>, now: Date): boolean {
  return suppression.expiresAt === null || suppression.expiresAt > now;
}

/**
 * Sets Finding.muted from the suppressions in force at `now`, for every finding or those of one
 * account. One statement, idempotent, safe to run from any replica; returns the findings whose
 * flag changed.
 */
export async function refreshMutedFindings(
  db: Transaction,
  options: { now?: Date; accountId?: string } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const ofAccount = options.accountId ? Prisma.sql`WHERE f2.account_id = ${options.accountId}` : Prisma.empty;
  return db.$executeRaw`
    UPDATE findings f SET muted = m.should_mute, updated_at = now()
    FROM (
      SELECT f2.id, EXISTS (
        SELECT 1 FROM suppressions s
        WHERE (s.check_id IS NULL OR s.check_id = f2.check_id)
          AND (s.account_id IS NULL OR s.account_id = f2.account_id)
          AND (s.expires_at IS NULL OR s.expires_at > ${now})
      ) AS should_mute
      FROM findings f2
      ${ofAccount}
    ) m
    WHERE f.id = m.id AND f.muted <> m.should_mute`;
}

export interface SuppressionInput {
  checkId: string | null;
  accountId: string | null;
  reason: string;
  author: string;
  expiresAt: Date | null;
}

/**
 * Creates a suppression and mutes the findings it matches, in one transaction with `answer`
 * (what the caller makes of it: the API builds and checks its response there), so a suppression
 * whose answer fails is not left muting findings.
 */
export function createSuppression<T>(
  db: PrismaClient,
  input: SuppressionInput,
  answer: (suppression: Suppression, mutedFindings: number) => T,
): Promise<T> {
  return db.$transaction(async (tx) => {
    const suppression = await tx.suppression.create({ data: input });
    const mutedFindings = await refreshMutedFindings(tx);
    return answer(suppression, mutedFindings);
  });
}

/** Deletes a suppression and unmutes what it alone muted; false when there was no such suppression. */
export function deleteSuppression(db: PrismaClient, id: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const deleted = await tx.suppression.deleteMany({ where: { id } });
    if (deleted.count > 0) await refreshMutedFindings(tx);
    return deleted.count > 0;
  });
}
