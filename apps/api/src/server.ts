/** Builds the Fastify app: plugins registered in one place, each owning one concern. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { PrismaClient } from '@rootaudit/db';
import type { Logger } from '@rootaudit/log';
import type { Resolver } from '@rootaudit/webhooks';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { RateLimitOptions } from './auth/plugin.ts';
import { errorResponse, handleError } from './errors.ts';
import { healthRoutes, type Readiness } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import type { ScanTrigger } from './routes/scans.ts';
import { v1Routes } from './routes/v1.ts';
import { scheduleMuteRefresh } from './suppressions.ts';

export interface ApiOptions {
  logger: Logger;
  readiness: () => Promise<Readiness>;
  prisma: PrismaClient;
  /** Per-API-key request limit [600 per minute]. */
  rateLimit?: RateLimitOptions;
  /** Starts on-demand scans (POST /v1/scans); absent → 503 on that route. */
  triggerScan?: ScanTrigger;
  /** Accept webhook URLs that resolve to loopback, link-local or private addresses [false]. */
  allowPrivateWebhookUrls?: boolean;
  /** DNS resolution for webhook URL checks (tests). */
  resolve?: Resolver;
  /** How often muted flags are brought in line with suppressions (expiries) [60 s]; 0 = never. */
  muteRefreshIntervalMs?: number;
}

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; widening it keeps FastifyInstance's default generics.
    loggerInstance: options.logger as FastifyBaseLogger,
    // Requests carry at most small JSON bodies; anything bigger is a mistake or abuse.
    bodyLimit: 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorResponse(404, `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'rootaudit',
        description: 'Root-user posture of every account of an AWS Organization.',
        version: '1',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'ra_… API key' } },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const refreshEvery = options.muteRefreshIntervalMs ?? 60_000;
  if (refreshEvery > 0) {
    const stop = scheduleMuteRefresh(options.prisma, refreshEvery, (error) =>
      app.log.error({ err: error }, 'refreshing muted findings failed'),
    );
    app.addHook('onClose', async () => stop());
  }

  await app.register(metricsRoutes, { prisma: options.prisma });
  await app.register(healthRoutes, { readiness: options.readiness });
  await app.register(v1Routes, {
    prefix: '/v1',
    prisma: options.prisma,
    triggerScan: options.triggerScan,
    allowPrivateWebhookUrls: options.allowPrivateWebhookUrls,
    resolve: options.resolve,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  });
  return app;
}
