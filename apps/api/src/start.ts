/** Starts the API on the configured address over an open database, with pg-boss for POST /v1/scans. */
import type { AddressInfo } from 'node:net';
import type { Config } from '@rootaudit/config';
import { checkReadiness, type Database } from '@rootaudit/db';
import type { Logger } from '@rootaudit/log';
import { type PgBoss, startQueue, stopQueue } from '@rootaudit/queue';
import { lazyAuditIssuer } from '@rootaudit/scanner';
import { type RunningService, rootEventIngest, triggerScan } from '@rootaudit/service';
import { buildApi } from './server.ts';

export interface StartedApi extends RunningService {
  /** Where the API listens, e.g. http://127.0.0.1:3000. */
  url: string;
}

/** How long close() lets requests in flight finish before cutting their connections. */
const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

export async function startApi(options: {
  config: Config;
  logger: Logger;
  database: Database;
  /**
   * The process's pg-boss to share (runRoles: still starting while the API binds its port, hence a
   * promise); else the API starts its own.
   */
  boss?: PgBoss | Promise<PgBoss>;
  /** Settles once every role of the process runs; until then /readyz answers 503 "starting". */
  started?: Promise<void>;
  /** On close, how long requests in flight may take [10 s]. */
  drainTimeoutMs?: number;
}): Promise<StartedApi> {
  const { config, logger, database } = options;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const ownBoss = options.boss ? undefined : await startQueue(database.url, logger);
  const boss = (options.boss ?? ownBoss) as PgBoss | Promise<PgBoss>;
  let starting = options.started !== undefined;
  options.started?.then(
    () => {
      starting = false;
    },
    () => undefined,
  );
  const app = await buildApi({
    logger,
    prisma: database.prisma,
    readiness: async () => (starting ? { ready: false, reason: 'starting' } : checkReadiness(database.url)),
    triggerScan: async (request) => triggerScan({ prisma: database.prisma, boss: await boss }, request),
    ingestRootEvent: rootEventIngest({
      prisma: database.prisma,
      boss,
      logger,
      auditIssuer: lazyAuditIssuer(config),
      rootUsageWindowDays: config.rootUsageWindowDays,
    }),
    allowPrivateWebhookUrls: config.allowPrivateWebhookUrls,
  });
  let url: string;
  try {
    url = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    if (ownBoss) await stopQueue(ownBoss);
    throw error;
  }
  // The address bound, not Fastify's answer: on 0.0.0.0 that names 127.0.0.1 alone, which reads
  // as loopback-only when the API serves every interface.
  const { port } = app.server.address() as AddressInfo;
  const listening = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url: listening }, 'api listening');
  return {
    name: 'api',
    url,
    // Fastify's close stops listening (new connections are refused), closes idle keep-alive
    // connections, answers 503 to requests that still arrive on busy ones, and waits for the
    // requests in flight: up to the drain timeout, then their connections are cut.
    close: async () => {
      const cut = setTimeout(() => {
        logger.warn({ drainTimeoutMs }, 'requests still in flight at shutdown: closing their connections');
        app.server.closeAllConnections();
      }, drainTimeoutMs);
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
      if (ownBoss) await stopQueue(ownBoss, { timeoutMs: 5_000 });
    },
  };
}
