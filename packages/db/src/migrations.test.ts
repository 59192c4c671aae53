import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { emptyTestDatabase, testServerUrl } from '../../../test/support/db.ts';
import {
  createMigration,
  defaultMigrationsDir,
  defaultSchemaPath,
  diffMigrationsToSchema,
  isEmptyMigration,
  migrateDatabase,
  migrationFolderName,
  migrationStatus,
} from './migrations.ts';

t.test('schema.prisma and the committed migrations do not drift apart', async (t) => {
  const started = Date.now();
  const sql = await diffMigrationsToSchema(await testServerUrl());
  t.comment(`drift check: ${Date.now() - started} ms`);
  t.ok(
    isEmptyMigration(sql),
    `a database built from prisma/migrations differs from prisma/schema.prisma; run \`pnpm db:migration:create <name>\`:\n${sql}`,
  );
});

t.test('the committed migrations are in Prisma format with a postgresql lock file', async (t) => {
  const entries = await readdir(defaultMigrationsDir, { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  t.ok(folders.length > 0);
  for (const folder of folders) t.match(folder, /^\d{14}_[a-z0-9_]+$/);
  t.match(
    await readFile(join(defaultMigrationsDir, 'migration_lock.toml'), 'utf8'),
    /provider = "postgresql"/,
  );
});

t.test('migration status goes from pending to applied, and migrating again applies nothing', async (t) => {
  const { url } = await emptyTestDatabase(t);
  const names = (await readdir(defaultMigrationsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  t.same(await migrationStatus(url), { applied: [], pending: names, failed: [] });
  const started = Date.now();
  t.same(await migrateDatabase(url), { applied: names });
  t.comment(`migrate an empty database: ${Date.now() - started} ms`);
  t.same(await migrationStatus(url), { applied: names, pending: [], failed: [] });
  t.same(await migrateDatabase(url), { applied: [] }, 'idempotent');
});

t.test('concurrent migrators apply each migration once', async (t) => {
  const { url } = await emptyTestDatabase(t);
  const results = await Promise.all([migrateDatabase(url), migrateDatabase(url), migrateDatabase(url)]);
  const appliedTotal = results.flatMap((result) => result.applied);
  t.equal(appliedTotal.length, (await migrationStatus(url)).applied.length);
  t.same((await migrationStatus(url)).pending, []);
});

t.test('createMigration writes the difference as a new folder, and nothing when in step', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rootaudit-migrations-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const migrationsDir = join(dir, 'migrations');
  await cp(defaultMigrationsDir, migrationsDir, { recursive: true });
  const schemaPath = join(dir, 'schema.prisma');
  const serverUrl = await testServerUrl();

  await writeFile(schemaPath, await readFile(defaultSchemaPath, 'utf8'));
  t.equal(await createMigration(serverUrl, 'nothing', { migrationsDir, schemaPath }), null);

  const changed = (await readFile(defaultSchemaPath, 'utf8')).replace(
    'failureReason        String?     @map("failure_reason")',
    'failureReason        String?     @map("failure_reason")\n  note String?',
  );
  t.not(changed, await readFile(defaultSchemaPath, 'utf8'), 'the test edits the schema');
  await writeFile(schemaPath, changed);
  const created = await createMigration(serverUrl, 'Add scan note', { migrationsDir, schemaPath });
  t.ok(created);
  t.match(created?.name, /^\d{14}_add_scan_note$/);
  t.match(created?.sql, /ALTER TABLE "scans" ADD COLUMN\s+"note" TEXT/);
  t.equal(await readFile(join(migrationsDir, created?.name ?? '', 'migration.sql'), 'utf8'), created?.sql);
  t.ok(
    isEmptyMigration(await diffMigrationsToSchema(serverUrl, { migrationsDir, schemaPath })),
    'now in step',
  );
});

t.test('migration folder names follow Prisma (UTC timestamp + snake_case)', async (t) => {
  t.equal(
    migrationFolderName('Add index!', new Date('2026-11-23T15:04:05.123Z')),
    '20261123150405_add_index',
  );
  t.throws(() => migrationFolderName('!!!'));
});
