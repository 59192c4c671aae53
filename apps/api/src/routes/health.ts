/**
 * Liveness and readiness for orchestrators: /healthz says the process serves requests,
 * /readyz says it can do its job (database reachable and fully migrated).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface Readiness {
  ready: boolean;
  reason?: string;
}

export interface HealthOptions {
  readiness: () => Promise<Readiness>;
}

const readyBody = z.object({ status: z.literal('ready') });
const notReadyBody = z.object({ status: z.literal('not ready'), reason: z.string() });

export async function healthRoutes(instance: FastifyInstance, options: HealthOptions): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/healthz',
    { schema: { tags: ['health'], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    { schema: { tags: ['health'], response: { 200: readyBody, 503: notReadyBody } } },
    async (_request, reply) => {
      let readiness: Readiness;
      try {
        readiness = await options.readiness();
      } catch (error) {
        readiness = { ready: false, reason: `readiness check failed: ${(error as Error).message}` };
      }
      if (readiness.ready) return { status: 'ready' as const };
      return reply.code(503).send({ status: 'not ready' as const, reason: readiness.reason ?? 'unknown' });
    },
  );
}
