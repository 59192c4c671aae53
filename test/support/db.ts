/**
 * The database test harness: `const { url, prisma } = await testDatabase(t)` gives the calling test
 * its own fresh, migrated PostgreSQL database, dropped in t's teardown, so test files run in
 * parallel without sharing rows.
 *
 * Which server:
 * 1. TEST_DATABASE_URL (else DATABASE_URL): databases are created on that server (the URL's own
 *    database is only used to issue CREATE/DROP DATABASE);
 * 2. else ROOTAUDIT_TEST_PG_URL: the embedded PostgreSQL that scripts/test.mjs starts for the run;
 * 3. else (one file run alone, `npx tap x.test.ts`): a private embedded PostgreSQL in a temp dir,
 *    started once for this process and stopped when the file ends.
 */
import tap from 'tap';
import {
  createPrismaClient,
  type PrismaClient,
  startTemporaryPostgres,
} from '../../packages/db/src/index.ts';
import { createEmptyDatabase, createTestDatabase } from '../../packages/db/src/test-databases.ts';

/** The subset of a tap Test the harness needs. */
interface TeardownTarget {
  teardown(fn: () => unknown): void;
}

export interface TestDatabase {
  /** URL of this test's database (password included: do not print it). */
  url: string;
  prisma: PrismaClient;
}

let serverUrlPromise: Promise<string> | undefined;

/** URL of the PostgreSQL server test databases are created on (see the header). */
export function testServerUrl(): Promise<string> {
  serverUrlPromise ??= (async () => {
    const configured =
      process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || process.env.ROOTAUDIT_TEST_PG_URL;
    if (configured) return configured;
    const server = await startTemporaryPostgres({ logger: () => {} });
    // The root tap object tears down when the file's tests are all done.
    tap.teardown(() => server.stop());
    return server.url;
  })();
  return serverUrlPromise;
}

/** A fresh migrated database for t, with a Prisma client; both gone after t. */
export async function testDatabase(t: TeardownTarget): Promise<TestDatabase> {
  const database = await createTestDatabase(await testServerUrl());
  const prisma = createPrismaClient(database.url);
  t.teardown(async () => {
    await prisma.$disconnect();
    await database.drop();
  });
  return { url: database.url, prisma };
}

/** A fresh database with no tables at all (for tests of migrations and readiness). */
export async function emptyTestDatabase(t: TeardownTarget): Promise<{ url: string }> {
  const database = await createEmptyDatabase(await testServerUrl());
  t.teardown(() => database.drop());
  return { url: database.url };
}
