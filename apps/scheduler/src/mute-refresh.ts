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

/**
 * Runs refreshMutedFindings every intervalMs until the returned stop() is called; stop() waits for
 * a refresh in flight, so none runs once the scheduler has closed (and the database may close).
 */
export function scheduleMuteRefresh(
  prisma: PrismaClient,
  intervalMs: number,
  onError: (error: unknown) => void,
): () => Promise<void> {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = refreshMutedFindings(prisma)
      .then(
        () => undefined,
        (error: unknown) => onError(error),
      )
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
