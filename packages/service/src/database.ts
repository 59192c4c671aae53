/**
 * Opening the configured database, shared by the service and the CLI's database commands (imported
 * alone as `@rootaudit/service/database`, so those commands do not load the queue): DATABASE_URL's
 * server, or the embedded PostgreSQL under ROOTAUDIT_DATA_DIR. Failures a person can act on become
 * one line (StartupError).
 */
import type { Config } from '@rootaudit/config';
import { type Database, EmbeddedPostgresError, openDatabase } from '@rootaudit/db';
import { StartupError } from './lifecycle.ts';

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

export interface OpenConfiguredDatabaseOptions {
  /** Connect to the embedded server another rootaudit process runs, rather than refusing. */
  connectToRunning?: boolean;
}

export async function openConfiguredDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  log: (message: string) => void,
  options: OpenConfiguredDatabaseOptions = {},
): Promise<Database> {
  return openDatabase({
    databaseUrl: config.databaseUrl ?? undefined,
    dataDir: config.dataDir,
    logger: log,
    ...(options.connectToRunning ? { connectToRunning: true } : {}),
  }).catch((error: unknown) => {
    if (error instanceof EmbeddedPostgresError) throw new StartupError(error.message);
    throw unreachableDatabase(error, config.databaseUrl) ?? error;
  });
}
