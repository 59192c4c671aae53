import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { appliedRows, migrateDatabase, migrationStatus, statusFromRows } from './migrations.ts';

/** The database of the embedded server (its default `postgres` database stays for administration). */
export const EMBEDDED_DATABASE_NAME = 'rootaudit';

/**
 * Settings of every session rootaudit's Prisma clients open (not the migrations' sessions, which
 * wait on purpose for another process's migration lock):
 * - idle_in_transaction_session_timeout: rootaudit sends a transaction's statements back to back,
 *   so a transaction idle for a minute belongs to a frozen or cut-off process; the server ends that
 *   session, its locks go, it rolls back, and the job that wrote it is retried.
 * - lock_timeout: no rootaudit statement waits on another's lock for more than moments (an
 *   account's transaction locks only that account's rows; shared counters are single statements),
 *   so a wait of 30 s is behind a stuck holder: the statement fails and its job is retried, rather
 *   than every worker's connections piling up behind it.
 */
const SESSION_SETTINGS = {
  idle_in_transaction_session_timeout: '60s',
  lock_timeout: '30s',
} as const;

/** PostgreSQL's `options` startup parameter: SESSION_SETTINGS, then any the URL itself sets (they win). */
function sessionOptions(databaseUrl: string): string {
  const ours = Object.entries(SESSION_SETTINGS).map(([name, value]) => `-c ${name}=${value}`);
  let theirs: string | null = null;
  try {
    theirs = new URL(databaseUrl).searchParams.get('options');
  } catch {
    // not a URL: the driver reports it
  }
  return [...ours, ...(theirs ? [theirs] : [])].join(' ');
}

/** A Prisma client over @prisma/adapter-pg (Prisma 7 has no bundled query engine binary). */
export function createPrismaClient(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(prismaPoolConfig(databaseUrl)) });
}

/**
 * The pg pool settings of createPrismaClient. The URL's own `options` parameter would replace the
 * `options` given beside it (pg reads the URL last), so it is merged and removed from the URL.
 */
export function prismaPoolConfig(databaseUrl: string): pg.PoolConfig {
  let connectionString = databaseUrl;
  try {
    const url = new URL(databaseUrl);
    if (url.searchParams.has('options')) {
      url.searchParams.delete('options');
      connectionString = url.toString();
    }
  } catch {
    // not a URL: passed on as it is
  }
  return { connectionString, options: sessionOptions(databaseUrl) };
}

/** The URL with its password replaced by `***`, for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass(word)?|secret|token/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** Removes any copy of the URL's password from a message (driver errors sometimes quote it). */
function redactMessage(message: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // not a URL: nothing to remove
  }
  let result = message.split(url).join(redactDatabaseUrl(url));
  if (password.length >= 4) result = result.split(password).join('***');
  return result;
}

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL; unset → embedded PostgreSQL under `${dataDir}/postgres`. */
  databaseUrl?: string | undefined;
  /** rootaudit's data folder (ROOTAUDIT_DATA_DIR, default .data). */
  dataDir: string;
  logger?: (msg: string) => void;
  /** Apply pending migrations before returning [true]. */
  migrate?: boolean;
  /**
   * When another process already runs the embedded server of dataDir (the service, while a CLI
   * command runs beside it): connect to it, rather than refuse [false].
   */
  connectToRunning?: boolean;
}

export interface Database {
  /** Connection URL (holds the password: log it through redactDatabaseUrl). */
  url: string;
  prisma: PrismaClient;
  /** true when the server is the embedded PostgreSQL (started by this call, or by the process running it). */
  embedded: boolean;
  /** Disconnects Prisma and stops the embedded server this call started, if any. Safe to call twice. */
  close(): Promise<void>;
}

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Opens the service's database: the server at databaseUrl, or an embedded PostgreSQL with its data
 * under dataDir/postgres. Migrates it unless told not to.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const log = options.logger ?? ((message: string) => process.stderr.write(`${message}\n`));
  let stopServer: (() => Promise<void>) | undefined;
  let url: string;
  if (options.databaseUrl) {
    url = options.databaseUrl;
  } else {
    const server = await startEmbeddedPostgres({
      dataDir: join(options.dataDir, 'postgres'),
      logger: log,
      connectToRunning: options.connectToRunning ?? false,
    });
    stopServer = () => server.stop();
    try {
      url = await ensureDatabase(server.url, EMBEDDED_DATABASE_NAME);
    } catch (error) {
      await server.stop();
      throw error;
    }
  }
  let prisma: PrismaClient | undefined;
  try {
    if (options.migrate !== false) {
      await migrateDatabase(url, { logger: log });
    }
    prisma = createPrismaClient(url);
    await prisma.$connect();
  } catch (error) {
    await prisma?.$disconnect().catch(() => undefined);
    await stopServer?.().catch(() => undefined);
    if (error instanceof Error) error.message = redactMessage(error.message, url);
    throw error;
  }
  let closed = false;
  const client = prisma;
  return {
    url,
    prisma: client,
    embedded: stopServer !== undefined,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.$disconnect();
      } finally {
        await stopServer?.();
      }
    },
  };
}

export interface Readiness {
  ready: boolean;
  /** Why not ready: unreachable (message without password), pending or failed migrations. */
  reason?: string;
}

/** Ready = the database answers and every migration of the folder is applied. Never throws. */
export async function checkReadiness(
  target: string | PrismaClient,
  options: { migrationsDir?: string } = {},
): Promise<Readiness> {
  try {
    const status =
      typeof target === 'string'
        ? await migrationStatus(target, options)
        : await statusFromRows(
            await appliedRows((sql) => target.$queryRawUnsafe<unknown[]>(sql)),
            options.migrationsDir,
          );
    if (status.failed.length > 0) {
      return { ready: false, reason: `failed migrations: ${status.failed.join(', ')}` };
    }
    if (status.pending.length > 0) {
      return { ready: false, reason: `pending migrations: ${status.pending.join(', ')}` };
    }
    return { ready: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ready: false,
      reason: `database unreachable: ${typeof target === 'string' ? redactMessage(message, target) : message}`,
    };
  }
}
