/**
 * A worker process for the pipeline tests (apps/scheduler/src/*.test.ts spawn it with tsx and
 * SIGKILL or SIGTERM it mid-scan): main.ts with queue timings taken from ROOTAUDIT_TEST_QUEUE
 * (JSON), so a killed job expires in seconds rather than minutes, and, there too, the worker's
 * `shutdownGraceMs`.
 */
import { loadConfigOrExit } from '@rootaudit/config';
import { openDatabase } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { type QueueSettingsOverrides, startQueue, stopQueue } from '@rootaudit/queue';
import { runUntilSignal } from '@rootaudit/service';
import { startWorker } from './worker.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'worker' });
const queue = JSON.parse(process.env.ROOTAUDIT_TEST_QUEUE ?? '{}') as QueueSettingsOverrides & {
  pollingIntervalSeconds?: number;
  shutdownGraceMs?: number;
};
await runUntilSignal(logger, async (started) => {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl ?? undefined,
    dataDir: config.dataDir,
    migrate: false,
  });
  started.push({ name: 'database', close: () => database.close() });
  const boss = await startQueue(database.url, logger, queue);
  started.push({ name: 'queue', close: () => stopQueue(boss) });
  started.push(
    await startWorker({
      config,
      logger,
      database,
      boss,
      ...(queue.pollingIntervalSeconds ? { pollingIntervalSeconds: queue.pollingIntervalSeconds } : {}),
      ...(queue.shutdownGraceMs !== undefined ? { shutdownGraceMs: queue.shutdownGraceMs } : {}),
    }),
  );
});
