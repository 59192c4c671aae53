/**
 * `pnpm db:migration:create <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with
 * the SQL that takes the committed migrations to prisma/schema.prisma (Prisma's own diff, from the
 * wasm schema engine). Needs a PostgreSQL to replay the migrations in a scratch database:
 * DATABASE_URL's server when set, else a throw-away embedded PostgreSQL.
 */
import { startTemporaryPostgres } from '../src/embedded.ts';
import { createMigration } from '../src/migrations.ts';

const log = (message: string) => process.stderr.write(`[migration:create] ${message}\n`);
const name = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
if (!name) {
  log('usage: pnpm db:migration:create <name>   (e.g. add_scan_notes)');
  process.exit(2);
}

let serverUrl = process.env.DATABASE_URL || undefined;
let cleanup = async () => {};
if (!serverUrl) {
  const server = await startTemporaryPostgres({ logger: log });
  serverUrl = server.url;
  cleanup = () => server.stop();
}
try {
  const created = await createMigration(serverUrl, name);
  if (created) {
    log(`wrote ${created.path}/migration.sql`);
    process.stdout.write(`${created.sql}`);
  } else {
    log('schema.prisma and the migrations agree: no migration written');
  }
} finally {
  await cleanup();
}
