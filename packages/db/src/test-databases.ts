/**
 * Fresh, migrated databases for tests, fast: the migrations are applied once to a template database
 * per server (named after a hash of the migrations, so a changed migration makes a new template),
 * and each test file gets `CREATE DATABASE … TEMPLATE` (a file copy, ~10 ms). Used by
 * test/support/db.ts; free of tap so it can be reused by any runner.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { defaultMigrationsDir, migrateDatabase } from './migrations.ts';
import { migrationNames } from './schema-engine.ts';

const TEMPLATE_LOCK_KEY = 727_073_690; // any constant: serialises template creation across processes

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs use with a connection to serverUrl (for CREATE/DROP DATABASE), closed afterwards. */
async function withAdminClient<T>(serverUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function migrationsHash(migrationsDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of await migrationNames(migrationsDir)) {
    hash.update(name);
    hash.update(await readFile(join(migrationsDir, name, 'migration.sql')));
  }
  return hash.digest('hex').slice(0, 16);
}

/** CREATE DATABASE from a template fails while anything is connected to it; those go fast. */
async function createFromTemplate(client: pg.Client, name: string, template: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return;
    } catch (error) {
      const busy = /being accessed by other users/.test(String(error));
      if (!busy || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The name of the migrated template database on serverUrl, created if missing. */
async function ensureTemplateDatabase(
  serverUrl: string,
  options: { migrationsDir?: string } = {},
): Promise<string> {
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir;
  const template = `rootaudit_template_${await migrationsHash(migrationsDir)}`;
  return withAdminClient(serverUrl, async (client) => {
    const exists = async () =>
      ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount ?? 0) > 0;
    if (await exists()) return template;
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      if (await exists()) return template;
      // Built under another name and renamed when complete: a crash never leaves a half template.
      const building = `${template}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${building}"`);
      await migrateDatabase(withDatabase(serverUrl, building), { migrationsDir });
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
      return template;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
}

export interface ServerDatabase {
  name: string;
  url: string;
  /** Drops the database, connections included. */
  drop(): Promise<void>;
}

let counter = 0;

/** A database named `<prefix>_<pid>_<n>_<random>` on serverUrl, made by create(client, name). */
async function newDatabase(
  serverUrl: string,
  prefix: string,
  create: (client: pg.Client, name: string) => Promise<unknown>,
): Promise<ServerDatabase> {
  counter++;
  const name = `${prefix}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
  await withAdminClient(serverUrl, (client) => create(client, name));
  return {
    name,
    url: withDatabase(serverUrl, name),
    async drop() {
      await withAdminClient(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}

/** A new migrated database on serverUrl. */
export async function createTestDatabase(
  serverUrl: string,
  options: { migrationsDir?: string; prefix?: string } = {},
): Promise<ServerDatabase> {
  const template = await ensureTemplateDatabase(serverUrl, options);
  return newDatabase(serverUrl, options.prefix ?? 'rootaudit_test', (client, name) =>
    createFromTemplate(client, name, template),
  );
}

/** An empty database (no migrations) on serverUrl, for tests of migration itself. */
export function createEmptyDatabase(serverUrl: string): Promise<ServerDatabase> {
  return newDatabase(serverUrl, 'rootaudit_empty', (client, name) =>
    client.query(`CREATE DATABASE "${name}"`),
  );
}
