/**
 * The timer that keeps Finding.muted in step with suppressions as they expire. It runs in the
 * scheduler role (one place in a deployment, however many API replicas serve requests; a second
 * scheduler repeats an idempotent statement). What "muted" means, and the statement that applies
 * it, live in @rootaudit/store (refreshMutedFindings), which also mutes new findings as a scan
 * writes them and runs at once when a suppression is created or deleted; only expiries wait for
 * this timer.
 */
import type { PrismaClient } from '@rootaudit/db';
import { refreshMutedFindings } from '@rootaudit/store';

/** How often expiries are applied by default. */
export const MUTE_REFRESH_INTERVAL_MS = 60_000;

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
