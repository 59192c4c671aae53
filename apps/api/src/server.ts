/** Builds the Fastify app: plugins registered in one place, each owning one concern. */
import type { Logger } from '@rootaudit/log';
import Fastify, { type FastifyInstance } from 'fastify';
import { healthRoutes, type Readiness } from './routes/health.ts';

export interface ApiOptions {
  logger: Logger;
  readiness: () => Promise<Readiness>;
}

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    disableRequestLogging: false,
    // Requests carry at most small JSON bodies; anything bigger is a mistake or abuse.
    bodyLimit: 1024 * 1024,
  });
  await app.register(healthRoutes, { readiness: options.readiness });
  return app;
}
