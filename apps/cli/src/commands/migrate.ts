/** `rootaudit migrate`: apply pending migrations, then exit (the compose `migrate` service). */
import { loadConfigOrExit } from '@rootaudit/config';
import { createLogger } from '@rootaudit/log';
import { openCommandDatabase } from '../database.ts';
import { parseOptions } from '../usage.ts';

export const summary = 'apply database migrations';

export async function run(argv: string[]): Promise<number> {
  parseOptions(argv, {});
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name: 'migrate', destination: 2 });
  const database = await openCommandDatabase(config, logger);
  await database.close();
  logger.info('migrations applied');
  return 0;
}
