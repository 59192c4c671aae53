/** `rootaudit start`: the whole service in one process, for a single machine. */
import { startApi } from '@rootaudit/api';
import { loadConfigOrExit } from '@rootaudit/config';
import { openDatabase } from '@rootaudit/db';
import { createLogger, redactUrl } from '@rootaudit/log';
import { startQueue, stopQueue } from '@rootaudit/queue';
import { startScheduler } from '@rootaudit/scheduler';
import { runUntilSignal } from '@rootaudit/service';
import { startWorker } from '@rootaudit/worker';
import { parseOptions } from '../usage.ts';

export const summary = 'run the API, scheduler and worker in one process';

export async function run(argv: string[]): Promise<number | undefined> {
  parseOptions(argv, {});
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name: 'rootaudit' });
  await runUntilSignal(logger, async (started) => {
    const database = await openDatabase({
      databaseUrl: config.databaseUrl ?? undefined,
      dataDir: config.dataDir,
      logger: (message) => logger.info({ component: 'database' }, message),
    });
    started.push({ name: 'database', close: () => database.close() });
    logger.info({ database: redactUrl(database.url), embedded: database.embedded }, 'database ready');
    // One pg-boss for the three roles: one connection pool, one cron monitor, one maintenance loop.
    const boss = await startQueue(database.url, logger);
    started.push({ name: 'queue', close: () => stopQueue(boss) });
    started.push(await startWorker({ config, logger, database, boss }));
    started.push(await startScheduler({ config, logger, database, boss }));
    started.push(await startApi({ config, logger, database, boss }));
  });
  return undefined;
}
