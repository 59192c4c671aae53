/** Starts the API on the configured address over an open database. */
import type { Config } from '@rootaudit/config';
import { checkReadiness, type Database } from '@rootaudit/db';
import type { Logger } from '@rootaudit/log';
import type { RunningService } from '@rootaudit/service';
import { buildApi } from './server.ts';

export interface StartedApi extends RunningService {
  /** Where the API listens, e.g. http://127.0.0.1:3000. */
  url: string;
}

export async function startApi(options: {
  config: Config;
  logger: Logger;
  database: Database;
}): Promise<StartedApi> {
  const { config, logger, database } = options;
  const app = await buildApi({
    logger,
    readiness: () => checkReadiness(database.url),
  });
  const url = await app.listen({ port: config.port, host: config.host });
  logger.info({ url }, 'api listening');
  return {
    name: 'api',
    url,
    // Fastify's close stops accepting connections and waits for in-flight requests.
    close: () => app.close(),
  };
}
