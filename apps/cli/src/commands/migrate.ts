/** `rootaudit migrate`: apply pending migrations, then exit (the compose `migrate` service). */
import { loadConfigOrExit } from '@rootaudit/config';
import { openDatabase } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { parseOptions } from '../usage.ts';

export const summary = 'apply database migrations';

export async function run(argv: string[]): Promise<number> {
  parseOptions(argv, {});
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name: 'migrate', destination: 2 });
  const database = await openDatabase({
    databaseUrl: config.databaseUrl ?? undefined,
    dataDir: config.dataDir,
    logger: (message) => logger.info(message),
  });
  await database.close();
  logger.info('migrations applied');
  return 0;
}
