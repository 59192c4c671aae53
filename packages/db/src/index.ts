/**
 * @rootaudit/db: the Prisma client over PostgreSQL (an embedded server when DATABASE_URL is unset),
 * migrations applied by Prisma's wasm schema engine, readiness.
 */
export {
  checkReadiness,
  createPrismaClient,
  type Database,
  EMBEDDED_DATABASE_NAME,
  type OpenDatabaseOptions,
  openDatabase,
  prismaPoolConfig,
  type Readiness,
  redactDatabaseUrl,
} from './database.ts';
export {
  EmbeddedPostgresError,
  type EmbeddedPostgresOptions,
  type EmbeddedPostgresServer,
  startEmbeddedPostgres,
  startTemporaryPostgres,
} from './embedded.ts';
export * from './generated/prisma/client.ts';
export {
  createMigration,
  defaultMigrationsDir,
  defaultSchemaPath,
  diffMigrationsToSchema,
  isEmptyMigration,
  type MigrateOptions,
  type MigrationStatus,
  migrateDatabase,
  migrationStatus,
  withScratchDatabase,
} from './migrations.ts';
