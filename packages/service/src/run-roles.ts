/**
 * The wiring every process shares: read the configuration, open the database (embedded when
 * DATABASE_URL is unset), start one pg-boss, start the roles (api, scheduler, worker) over them,
 * and stop it all in reverse order on SIGTERM/SIGINT.
 */
import { type Config, loadConfigOrExit } from '@rootaudit/config';
import { type Database, openDatabase, redactDatabaseUrl } from '@rootaudit/db';
import { createLogger, type Logger } from '@rootaudit/log';
import { type PgBoss, startQueue, stopQueue } from '@rootaudit/queue';
import { type RunningService, runUntilSignal, StartupError } from './lifecycle.ts';

/** What a role needs to start: shared by every role of one process. */
export interface RoleContext {
  config: Config;
  logger: Logger;
  database: Database;
  boss: PgBoss;
}

export type Role = (context: RoleContext) => Promise<RunningService>;

export interface RunRolesOptions {
  /** Settings built by the caller (`rootaudit demo`); default: read from the environment. */
  config?: Config;
}

/**
 * How long pg-boss may wait for jobs still in hand when the process stops (a scheduler's discovery
 * job; workers hand theirs back first): then it fails them, so they are retried elsewhere.
 */
const QUEUE_STOP_TIMEOUT_MS = 5_000;

/** Network errors that mean no PostgreSQL answers at the address (the driver's or the engine's). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * The one line to say when DATABASE_URL's server cannot be reached (host and port, never the
 * password), or null for any other failure. The schema engine reports it as "Can't reach database
 * server" from inside WebAssembly, whose stack trace helps nobody.
 */
export function unreachableDatabase(error: unknown, databaseUrl: string | null): StartupError | null {
  if (!databaseUrl) return null;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  const unreachable =
    (typeof code === 'string' && UNREACHABLE_CODES.has(code)) || /Can't reach database server/.test(text);
  if (!unreachable) return null;
  let address = 'the server';
  try {
    const url = new URL(databaseUrl);
    address = `${url.hostname}:${url.port || '5432'}`;
  } catch {
    // DATABASE_URL was validated at start-up; keep the generic words
  }
  const cause = typeof code === 'string' && code ? code : 'no answer';
  return new StartupError(
    `the database at ${address} (DATABASE_URL) is unreachable (${cause}): check that PostgreSQL runs there and accepts connections from this host`,
  );
}

/** Runs the given roles in this process until a signal; `name` tags every log line. */
export async function runRoles(name: string, roles: Role[], options: RunRolesOptions = {}): Promise<void> {
  const config = options.config ?? loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name });
  await runUntilSignal(logger, async (started) => {
    const database = await openDatabase({
      databaseUrl: config.databaseUrl ?? undefined,
      dataDir: config.dataDir,
      logger: (message) => logger.info({ component: 'database' }, message),
    }).catch((error: unknown) => {
      throw unreachableDatabase(error, config.databaseUrl) ?? error;
    });
    started.push({ name: 'database', close: () => database.close() });
    logger.info({ database: redactDatabaseUrl(database.url), embedded: database.embedded }, 'database ready');
    // One pg-boss per process: one connection pool, one cron monitor, one maintenance loop.
    const boss = await startQueue(database.url, logger);
    started.push({ name: 'queue', close: () => stopQueue(boss, { timeoutMs: QUEUE_STOP_TIMEOUT_MS }) });
    for (const role of roles) {
      started.push(await role({ config, logger, database, boss }));
    }
  });
}
