/**
 * Process lifecycle for every app: start, then stop cleanly on SIGTERM or SIGINT, in reverse
 * order of start, with a deadline so a stuck close never keeps a container from stopping.
 *
 * Errors nobody handled: an unhandled promise rejection ends only the operation that rejected (a
 * query on a lost connection, say), so it is logged and the process goes on; an uncaught exception
 * leaves the process in a state nothing can vouch for, so it is logged and the process stops its
 * services and exits 1 (the orchestrator restarts it).
 */
import type { Logger } from '@rootaudit/log';

/** Something started that must be stopped: an HTTP server, a queue worker, a database. */
export interface RunningService {
  name: string;
  close(): Promise<void>;
}

export interface RunOptions {
  /** How long stopping may take before the process exits anyway. */
  shutdownTimeoutMs?: number;
  signals?: NodeJS.Signals[];
}

/** Stops services last-started-first; a failing close is logged and the rest still close. */
export async function stopAll(services: RunningService[], logger: Logger): Promise<void> {
  for (const service of [...services].reverse()) {
    try {
      await service.close();
      logger.info({ component: service.name }, 'stopped');
    } catch (error) {
      logger.error({ component: service.name, err: error }, 'failed to stop cleanly');
    }
  }
}

/**
 * A start-up failure a person can act on from its message alone (the database is unreachable, the
 * API's port is taken): logged as that one line, without a stack trace.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * Runs `start` (which returns the services it started, in order) and stops them on a signal.
 * A start-up failure stops whatever had started and exits 1.
 */
export async function runUntilSignal(
  logger: Logger,
  start: (started: RunningService[]) => Promise<void>,
  options: RunOptions = {},
): Promise<void> {
  const started: RunningService[] = [];
  let stopping = false;
  const shutdown = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    // Nothing to stop after a failed start: the failure was the last word.
    if (started.length > 0 || exitCode === 0) logger.info({ reason }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: options.shutdownTimeoutMs ?? 30_000 }, 'shutdown timed out; exiting');
      process.exit(exitCode || 1);
    }, options.shutdownTimeoutMs ?? 30_000);
    deadline.unref();
    await stopAll(started, logger);
    clearTimeout(deadline);
    process.exit(exitCode);
  };
  // Kept for the whole run: a repeated signal (Ctrl-C pressed twice, or forwarded again by pnpm to
  // the process the terminal already signalled) must not kill the process mid-stop; the deadline
  // bounds the stop.
  for (const signal of options.signals ?? (['SIGTERM', 'SIGINT'] as NodeJS.Signals[])) {
    process.on(signal, () => void shutdown(signal, 0));
  }
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection; the process goes on');
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; the process cannot go on and stops');
    void shutdown('uncaught exception', 1);
  });
  try {
    await start(started);
  } catch (error) {
    if (error instanceof StartupError) logger.fatal(`start-up failed: ${error.message}`);
    else logger.fatal({ err: error }, 'start-up failed');
    await shutdown('start-up failed', 1);
  }
}
