/**
 * Liveness and readiness for orchestrators: /healthz says the process serves requests,
 * /readyz says it can do its job (database reachable and fully migrated).
 */
import type { FastifyInstance } from 'fastify';

export interface Readiness {
  ready: boolean;
  reason?: string;
}

export interface HealthOptions {
  readiness: () => Promise<Readiness>;
}

export async function healthRoutes(app: FastifyInstance, options: HealthOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    let readiness: Readiness;
    try {
      readiness = await options.readiness();
    } catch (error) {
      readiness = { ready: false, reason: `readiness check failed: ${(error as Error).message}` };
    }
    if (readiness.ready) return { status: 'ready' };
    return reply.code(503).send({ status: 'not ready', reason: readiness.reason ?? 'unknown' });
  });
}
