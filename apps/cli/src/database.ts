/**
 * The database of a CLI command (api-key, migrate): DATABASE_URL's server, or the embedded
 * PostgreSQL under ROOTAUDIT_DATA_DIR. When `rootaudit start` runs on that embedded server, the
 * command connects to it; when nothing runs, the command starts the server for as long as it runs
 * (migrating it first, as the service would).
 */
import type { Config } from '@rootaudit/config';
import type { Database } from '@rootaudit/db';
import type { Logger } from '@rootaudit/log';
import { openConfiguredDatabase } from '@rootaudit/service/database';

export async function openCommandDatabase(config: Config, logger: Logger): Promise<Database> {
  return openConfiguredDatabase(config, (message) => logger.info(message), { connectToRunning: true });
}
