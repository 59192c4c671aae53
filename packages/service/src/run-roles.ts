/**
 * The wiring every process shares: read the configuration, open the database (embedded when
 * DATABASE_URL is unset), bind the API's port, start one pg-boss, start the other roles (scheduler,
 * worker) over them, and stop it all on SIGTERM/SIGINT: the API first, then the others in reverse
 * order of start.
 */
import { type Config, loadConfigOrExit } from '@rootaudit/config';
import { type Database, redactDatabaseUrl } from '@rootaudit/db';
import { createLogger, type Logger } from '@rootaudit/log';
import { type PgBoss, startQueue, stopQueue } from '@rootaudit/queue';
import { openConfiguredDatabase } from './database.ts';
import { type RunningService, runUntilSignal, StartupError } from './lifecycle.ts';

/** What a role needs to start: shared by every role of one process. */
export interface RoleContext {
  config: Config;
  logger: Logger;
  database: Database;
  boss: PgBoss;
}

export type Role = (context: RoleContext) => Promise<RunningService>;

/**
 * What the role that serves HTTP needs: it listens before the queue runs, so it gets the queue as a
 * promise (POST /v1/scans awaits it), and learns when every role runs (readiness says "starting"
 * until then).
 */
export interface HttpRoleContext extends Omit<RoleContext, 'boss'> {
  boss: Promise<PgBoss>;
  started: Promise<void>;
}

export type HttpRole = (context: HttpRoleContext) => Promise<RunningService>;

export interface RunRolesOptions {
  /** Settings built by the caller (`rootaudit demo`); default: read from the environment. */
  config?: Config;
  /**
   * The role that serves HTTP (the API). It listens right after the database opens, before the
   * queue and the other roles start: a port in use ends start-up before any of them has done
   * anything (no queue schema, no job taken, no cron scheduled).
   */
  http?: HttpRole;
}

/**
 * How long pg-boss may wait for jobs still in hand when the process stops (a scheduler's discovery
 * job; workers hand theirs back first): then it fails them, so they are retried elsewhere.
 */
const QUEUE_STOP_TIMEOUT_MS = 5_000;

/** The one line to say when the HTTP role cannot listen, or null for any other failure. */
function listenFailure(error: unknown, config: Pick<Config, 'host' | 'port'>): StartupError | null {
  const code = (error as { code?: unknown } | null)?.code;
  const why: Record<string, string> = {
    EADDRINUSE: 'another process listens there; stop it or set PORT to a free port',
    EACCES: 'this user may not listen on that port (below 1024?); set PORT to a port above 1023',
    EADDRNOTAVAIL: 'no network interface of this host has that address; set HOST to one it has',
  };
  if (typeof code !== 'string' || !why[code]) return null;
  return new StartupError(`cannot listen on ${config.host}:${config.port} (HOST, PORT): ${why[code]}`);
}

/** A promise with its settlement in hand; a rejection nobody awaits is not "unhandled". */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Runs the given roles in this process until a signal; `name` tags every log line. Order: the
 * database, the HTTP role's listener (options.http), the queue, the roles in the order given.
 */
export async function runRoles(name: string, roles: Role[], options: RunRolesOptions = {}): Promise<void> {
  const config = options.config ?? loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name });
  await runUntilSignal(logger, async (started) => {
    const database = await openConfiguredDatabase(config, (message) =>
      logger.info({ component: 'database' }, message),
    );
    started.push({ name: 'database', close: () => database.close() });
    logger.info({ database: redactDatabaseUrl(database.url), embedded: database.embedded }, 'database ready');

    const queue = deferred<PgBoss>();
    const allStarted = deferred<void>();
    const http = options.http
      ? await options
          .http({ config, logger, database, boss: queue.promise, started: allStarted.promise })
          .catch((error: unknown) => {
            throw listenFailure(error, config) ?? error;
          })
      : undefined;
    if (http) started.push(http);
    try {
      // One pg-boss per process: one connection pool, one cron monitor, one maintenance loop.
      const boss = await startQueue(database.url, logger);
      started.push({ name: 'queue', close: () => stopQueue(boss, { timeoutMs: QUEUE_STOP_TIMEOUT_MS }) });
      queue.resolve(boss);
      for (const role of roles) {
        started.push(await role({ config, logger, database, boss }));
      }
    } catch (error) {
      queue.reject(error);
      allStarted.reject(error);
      throw error;
    }
    // Moved last, so the first stopped: no request arrives while the roles behind it stop.
    if (http) started.push(...started.splice(started.indexOf(http), 1));
    allStarted.resolve();
    logger.info('all roles started');
  });
}
