/**
 * Fault: a database restart: PostgreSQL (a server of this test's own, so the rest of the suite
 * keeps its own) is stopped mid-scan and started again on the same port and data. Every process
 * survives it: the two worker processes (whose jobs meet closed connections while it is down) go on
 * recording accounts once it is back, and so does the scheduler in this process; the scan
 * completes with every account recorded once.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrismaClient, type EmbeddedPostgresServer, startEmbeddedPostgres } from '@rootaudit/db';
import t from 'tap';
import { FAST_QUEUE } from '../../apps/scheduler/src/testing.ts';
import { createTestDatabase } from '../../packages/db/src/test-databases.ts';
import {
  accountsDone,
  assertFaultScanRecordedOnce,
  logged,
  ORGANIZATION_ACCOUNTS,
  scanUntil,
  sleep,
  startFaultPipeline,
} from './support.ts';

/**
 * Production's queue, but what the restart interrupts is retried at once: pg-boss supervises every
 * second and retries after 1 s. Jobs keep production's 15-minute expiry (a loaded machine may take
 * seconds per account) and their heart-beats, which is how a job whose failure could not be written
 * while the database was down comes back.
 */
const RESTART_QUEUE = {
  boss: FAST_QUEUE.boss,
  scanAccount: { retryDelay: 1, retryBackoff: false },
  pollingIntervalSeconds: 0.5,
};

/** How long the database stays down: long enough for every worker to meet it closed. */
const DOWN_MS = 3_000;

t.setTimeout(15 * 60_000);

t.test('PostgreSQL restarted mid-scan: every process lives on and the scan completes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rootaudit-faults-pg-'));
  // As root, PostgreSQL runs as the postgres user, which must reach the data directory.
  await chmod(dir, 0o755);
  const dataDir = join(dir, 'pg');
  const serverLog = (line: string) => {
    if (/\b(PANIC)\b/.test(line)) t.comment(line);
  };
  let server: EmbeddedPostgresServer = await startEmbeddedPostgres({ dataDir, logger: serverLog });
  // Registered first, so it runs after the pipeline's teardowns (they need the server).
  t.teardown(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const database = await createTestDatabase(server.url);
  const prisma = createPrismaClient(database.url);
  t.teardown(() => prisma.$disconnect());

  const fault = await startFaultPipeline(t, {
    workers: 2,
    database: { url: database.url, prisma },
    queue: RESTART_QUEUE,
  });
  const { scanId, done } = await scanUntil(fault, Math.round(ORGANIZATION_ACCOUNTS / 4));

  await server.stop();
  const stoppedAt = Date.now();
  await sleep(DOWN_MS);
  server = await startEmbeddedPostgres({ dataDir, port: server.port, logger: serverLog });
  const restartedAt = new Date();
  t.comment(
    `PostgreSQL restarted with ${done} accounts recorded; down ${((restartedAt.getTime() - stoppedAt) / 1000).toFixed(1)} s`,
  );

  // This process's own pool meets the closed connections once, then reconnects.
  for (let attempt = 0; ; attempt++) {
    try {
      await accountsDone(prisma, scanId);
      break;
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(250);
    }
  }
  await assertFaultScanRecordedOnce(t, fault, scanId);
  for (const worker of fault.workers) {
    t.ok(worker.alive(), `${worker.name} still runs`);
    const after = logged(worker, 'account scanned').filter(
      (line) => new Date(String(line.time)) > restartedAt,
    );
    t.ok(after.length > 0, `${worker.name} recorded accounts after the restart (${after.length})`);
  }
});
