/** The API on its own (docker compose runs it this way); `pnpm start` runs it with the others. */
import { loadConfigOrExit } from '@rootaudit/config';
import { openDatabase } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { runUntilSignal } from '@rootaudit/service';
import { startApi } from './start.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'api' });
await runUntilSignal(logger, async (started) => {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl ?? undefined,
    dataDir: config.dataDir,
    logger: (message) => logger.info(message),
  });
  started.push({ name: 'database', close: () => database.close() });
  started.push(await startApi({ config, logger, database }));
});
