/**
 * Keeps Finding.muted in step with suppressions: a finding is muted while an unexpired suppression
 * matches its check and/or account. One SQL statement, idempotent, safe to run from any replica.
 *
 * It runs when a suppression is created or deleted, and on a timer in the API (expiries, and
 * findings a scan created since). It belongs in @rootaudit/store next to the code that writes
 * findings, so new findings start muted; until then the timer bounds the lag.
 */
import type { PrismaClient } from '@rootaudit/db';

export async function refreshMutedFindings(prisma: PrismaClient, now = new Date()): Promise<number> {
  return prisma.$executeRaw`
    UPDATE findings f SET muted = m.should_mute, updated_at = now()
    FROM (
      SELECT f2.id, EXISTS (
        SELECT 1 FROM suppressions s
        WHERE (s.check_id IS NULL OR s.check_id = f2.check_id)
          AND (s.account_id IS NULL OR s.account_id = f2.account_id)
          AND (s.expires_at IS NULL OR s.expires_at > ${now})
      ) AS should_mute
      FROM findings f2
    ) m
    WHERE f.id = m.id AND f.muted <> m.should_mute`;
}

/** Runs refreshMutedFindings every intervalMs until the returned stop() is called. */
export function scheduleMuteRefresh(
  prisma: PrismaClient,
  intervalMs: number,
  onError: (error: unknown) => void,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    refreshMutedFindings(prisma)
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
