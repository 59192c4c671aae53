/**
 * `pnpm db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded PostgreSQL
 * under ROOTAUDIT_DATA_DIR (default .data at the repository root) when it is unset.
 * Logs go to stderr; stdout gets one JSON line: {"applied": [...]}.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { openDatabase, redactDatabaseUrl } from '../src/database.ts';
import { migrateDatabase, migrationStatus } from '../src/migrations.ts';

const repositoryRoot = resolve(import.meta.dirname, '..', '..', '..');
const log = (message: string) => process.stderr.write(`[migrate] ${message}\n`);
const dataDirSetting = process.env.ROOTAUDIT_DATA_DIR ?? '.data';
// pnpm runs package scripts in packages/db; a relative data dir means the caller's directory.
const dataDir = isAbsolute(dataDirSetting)
  ? dataDirSetting
  : join(process.env.INIT_CWD ?? repositoryRoot, dataDirSetting);

const database = await openDatabase({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir,
  logger: log,
  migrate: false,
});
try {
  log(`database ${redactDatabaseUrl(database.url)}`);
  const { applied } = await migrateDatabase(database.url, { logger: log });
  const status = await migrationStatus(database.url);
  log(`${status.applied.length} applied, ${status.pending.length} pending`);
  process.stdout.write(`${JSON.stringify({ applied })}\n`);
} finally {
  await database.close();
}
