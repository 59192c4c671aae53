import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  applyMigrations,
  diffDatabaseToSchema,
  diffEmptyToSchema,
  LOCKFILE_CONTENT,
  LOCKFILE_NAME,
  migrationNames,
} from './schema-engine.ts';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** prisma/migrations at the repository root. */
export const defaultMigrationsDir = join(repositoryRoot, 'prisma', 'migrations');
/** prisma/schema.prisma at the repository root. */
export const defaultSchemaPath = join(repositoryRoot, 'prisma', 'schema.prisma');

export interface MigrateOptions {
  migrationsDir?: string;
  logger?: (msg: string) => void;
}

/**
 * Applies the pending migrations to the database, like `prisma migrate deploy`: each in order, each
 * recorded in _prisma_migrations, under the engine's advisory lock (concurrent callers wait).
 */
export async function migrateDatabase(
  databaseUrl: string,
  options: MigrateOptions = {},
): Promise<{ applied: string[] }> {
  const applied = await applyMigrations(databaseUrl, options.migrationsDir ?? defaultMigrationsDir);
  if (applied.length > 0) options.logger?.(`applied migrations: ${applied.join(', ')}`);
  return { applied };
}

export interface MigrationStatus {
  /** Finished, not rolled back, in the order they were applied. */
  applied: string[];
  /** In the migrations folder, not applied. */
  pending: string[];
  /** Started and not finished: a failed migration that needs attention. */
  failed: string[];
}

/** Compares _prisma_migrations with the migrations folder (plain SQL, no engine: cheap for /readyz). */
export async function migrationStatus(
  databaseUrl: string,
  options: { migrationsDir?: string } = {},
): Promise<MigrationStatus> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await statusFromRows(
      await appliedRows((sql) => client.query(sql).then((result) => result.rows)),
      options.migrationsDir,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface MigrationRow {
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

const APPLIED_SQL = `SELECT migration_name, finished_at, rolled_back_at
  FROM _prisma_migrations ORDER BY started_at, migration_name`;

/** Rows of _prisma_migrations; none when the table does not exist yet. */
export async function appliedRows(query: (sql: string) => Promise<unknown[]>): Promise<MigrationRow[]> {
  try {
    return (await query(APPLIED_SQL)) as MigrationRow[];
  } catch (error) {
    // 42P01: undefined_table (a database never migrated).
    if (
      (error as { code?: string }).code === '42P01' ||
      /_prisma_migrations.*does not exist/.test(String(error))
    ) {
      return [];
    }
    throw error;
  }
}

export async function statusFromRows(rows: MigrationRow[], migrationsDir?: string): Promise<MigrationStatus> {
  const onDisk = await migrationNames(migrationsDir ?? defaultMigrationsDir);
  const applied = rows
    .filter((row) => row.finished_at && !row.rolled_back_at)
    .map((row) => row.migration_name);
  const failed = rows
    .filter((row) => !row.finished_at && !row.rolled_back_at)
    .map((row) => row.migration_name);
  const appliedSet = new Set(applied);
  return { applied, pending: onDisk.filter((name) => !appliedSet.has(name)), failed };
}

/** Runs fn on a fresh, empty database created on the server of serverUrl, dropped afterwards. */
export async function withScratchDatabase<T>(serverUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `rootaudit_scratch_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    try {
      return await fn(url.toString());
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** A migration script is empty when it holds nothing but comments and blank lines. */
export function isEmptyMigration(sql: string): boolean {
  return sql
    .split('\n')
    .map((line) => line.trim())
    .every((line) => line === '' || line.startsWith('--'));
}

export interface SchemaDriftOptions {
  migrationsDir?: string;
  schemaPath?: string;
}

/**
 * SQL that would take a database built from the migrations to schema.prisma: empty (see
 * isEmptyMigration) when the migrations and the schema agree. Uses a scratch database on serverUrl.
 */
export async function diffMigrationsToSchema(
  serverUrl: string,
  options: SchemaDriftOptions = {},
): Promise<string> {
  const schemaPath = options.schemaPath ?? defaultSchemaPath;
  const schema = { path: 'schema.prisma', content: await readFile(schemaPath, 'utf8') };
  return withScratchDatabase(serverUrl, async (url) => {
    await applyMigrations(url, options.migrationsDir ?? defaultMigrationsDir);
    return diffDatabaseToSchema(url, schema);
  });
}

/** Migration folder name in Prisma's format: UTC timestamp, underscore, snake_case name. */
export function migrationFolderName(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').replace(/\..*$/, '');
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (slug === '') throw new Error(`migration name "${name}" has no letters or digits`);
  return `${stamp}_${slug}`;
}

/**
 * Writes a new migration folder with the SQL that takes the current migrations to schema.prisma
 * (the first one from an empty database). Returns null when there is nothing to migrate.
 */
export async function createMigration(
  serverUrl: string,
  name: string,
  options: SchemaDriftOptions = {},
): Promise<{ name: string; path: string; sql: string } | null> {
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir;
  const schemaPath = options.schemaPath ?? defaultSchemaPath;
  const existing = await migrationNames(migrationsDir);
  const sql =
    existing.length === 0
      ? await diffEmptyToSchema(serverUrl, {
          path: 'schema.prisma',
          content: await readFile(schemaPath, 'utf8'),
        })
      : await diffMigrationsToSchema(serverUrl, { migrationsDir, schemaPath });
  if (isEmptyMigration(sql)) return null;
  const folder = migrationFolderName(name);
  if (existing.some((existingName) => existingName >= folder)) {
    throw new Error(`a migration at or after ${folder} already exists; check the clock`);
  }
  const path = join(migrationsDir, folder);
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'migration.sql'), sql);
  await writeFile(join(migrationsDir, LOCKFILE_NAME), LOCKFILE_CONTENT);
  return { name: folder, path, sql };
}
