/** The scheduler on its own (docker compose runs it this way); `pnpm start` runs it with the others. */
import { loadConfigOrExit } from '@rootaudit/config';
import { openDatabase } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { startQueue, stopQueue } from '@rootaudit/queue';
import { runUntilSignal } from '@rootaudit/service';
import { startScheduler } from './scheduler.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'scheduler' });
await runUntilSignal(logger, async (started) => {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl ?? undefined,
    dataDir: config.dataDir,
    logger: (message) => logger.info(message),
  });
  started.push({ name: 'database', close: () => database.close() });
  const boss = await startQueue(database.url, logger);
  started.push({ name: 'queue', close: () => stopQueue(boss) });
  started.push(await startScheduler({ config, logger, database, boss }));
});
