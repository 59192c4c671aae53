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
} from 'fastify-type-provider-zod';
import type { RateLimitOptions } from './auth/plugin.ts';
import { consoleRoutes, DEFAULT_CONSOLE_DIR } from './console.ts';
import { errorResponse, handleError } from './errors.ts';
import type { RootEventIngest } from './routes/events.ts';
import { healthRoutes, type Readiness } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import type { ScanTrigger } from './routes/scans.ts';
import { v1Routes } from './routes/v1.ts';
import { validatorCompiler } from './schemas.ts';

export interface ApiOptions {
  logger: Logger;
  readiness: () => Promise<Readiness>;
  prisma: PrismaClient;
  /** Per-API-key request limit [600 per minute]. */
  rateLimit?: RateLimitOptions;
  /** Failed authentications per client address before it is refused with 429 [30 per minute]. */
  failedAuthLimit?: RateLimitOptions;
  /** How long a client may take to send a request, and keep a connection [DEFAULT_TIMEOUTS]. */
  timeouts?: Partial<ApiTimeouts>;
  /** Starts on-demand scans (POST /v1/scans); absent → 503 on that route. */
  triggerScan?: ScanTrigger;
  /** Takes pushed root events in (POST /v1/events/aws); absent → 503 on that route. */
  ingestRootEvent?: RootEventIngest;
  /** Accept webhook URLs that resolve to loopback, link-local or private addresses [false]. */
  allowPrivateWebhookUrls?: boolean;
  /** DNS resolution for webhook URL checks (tests). */
  resolve?: Resolver;
  /** The built web console served under / [DEFAULT_CONSOLE_DIR, apps/console/dist]. */
  consoleDir?: string;
}

/**
 * Bounds on what a client may hold open. Without them a client that sends 1 byte of a 100-byte
 * body keeps a connection (and its socket and parser memory) for as long as it likes.
 */
export interface ApiTimeouts {
  /** The whole request, headers and body, must arrive within this [30 s]: bodies are ≤ 1 MiB. */
  requestMs: number;
  /** The headers must arrive within this [10 s]: they are a few hundred bytes. */
  headersMs: number;
  /**
   * An idle keep-alive connection is closed after this [72 s]: longer than the 60 s idle timeout
   * of common load balancers, so a balancer never reuses a connection the API already closed.
   */
  keepAliveMs: number;
  /** A connection with no traffic either way is closed after this [120 s] (a stalled export reader). */
  idleMs: number;
  /** How often Node checks requestMs and headersMs [1 s]: the bounds are enforced to within this. */
  checkIntervalMs: number;
}

export const DEFAULT_TIMEOUTS: ApiTimeouts = {
  requestMs: 30_000,
  headersMs: 10_000,
  keepAliveMs: 72_000,
  idleMs: 120_000,
  checkIntervalMs: 1_000,
};

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; widening it keeps FastifyInstance's default generics.
    loggerInstance: options.logger as FastifyBaseLogger,
    // Requests carry at most small JSON bodies; anything bigger is a mistake or abuse.
    bodyLimit: 1024 * 1024,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionTimeout: timeouts.idleMs,
    // Node's server reads these when it is created (Fastify sets requestTimeout again, the same).
    http: {
      requestTimeout: timeouts.requestMs,
      headersTimeout: Math.min(timeouts.headersMs, timeouts.requestMs),
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
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
  // Only the UI's own scripts and styles may run (staticCSP hashes its inline ones).
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  await app.register(consoleRoutes, { dir: options.consoleDir ?? DEFAULT_CONSOLE_DIR });
  await app.register(metricsRoutes, { prisma: options.prisma });
  await app.register(healthRoutes, { readiness: options.readiness });
  await app.register(v1Routes, {
    prefix: '/v1',
    prisma: options.prisma,
    triggerScan: options.triggerScan,
    ingestRootEvent: options.ingestRootEvent,
    allowPrivateWebhookUrls: options.allowPrivateWebhookUrls,
    resolve: options.resolve,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.failedAuthLimit ? { failedAuthLimit: options.failedAuthLimit } : {}),
  });
  return app;
}
