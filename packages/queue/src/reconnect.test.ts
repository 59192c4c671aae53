/**
 * A worker whose database goes away while it completes a job: its process stays up (pg-boss
 * settles the job or reports the error; nothing rejects unhandled), and once PostgreSQL is back
 * the same pg-boss takes new jobs and retries the one whose completion was lost. A dedicated
 * embedded PostgreSQL, stopped and started again on the same port and data.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import t from 'tap';
import { QUEUES, type ScanAccountJob, startQueue, stopQueue } from './index.ts';

const logger = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

t.test(
  'a database restart while a worker completes a job: no unhandled rejection, work goes on',
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'rootaudit-reconnect-'));
    // As root, PostgreSQL runs as the postgres user, which must reach the data directory.
    await chmod(dir, 0o755);
    const dataDir = join(dir, 'pg');
    let server: EmbeddedPostgresServer | null = await startEmbeddedPostgres({ dataDir, logger: () => {} });
    const { port, url } = server;
    t.teardown(async () => {
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    t.teardown(() => {
      process.off('unhandledRejection', onUnhandled);
    });

    const boss = await startQueue(url, logger, {
      boss: { superviseIntervalSeconds: 1, monitorIntervalSeconds: 1, maintenanceIntervalSeconds: 1 },
      // The job whose completion is lost expires and is retried quickly.
      scanAccount: { expireInSeconds: 5, retryDelay: 1, retryBackoff: false },
    });
    t.teardown(() => stopQueue(boss, { timeoutMs: 5_000 }));
    const errors: unknown[] = [];
    boss.on('error', (error) => errors.push(error));

    const taken: string[] = [];
    await boss.work<ScanAccountJob>(QUEUES.scanAccount, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
      if (!job) return;
      taken.push(job.data.accountId);
      // The database stops under the worker: the job's completion meets a closed connection.
      if (taken.length === 1) {
        await server?.stop();
        server = null;
      }
    });
    await boss.send(QUEUES.scanAccount, {
      scanId: 'scan-1',
      accountId: '111111111111',
    } satisfies ScanAccountJob);
    await until('the worker took the job and the database stopped', () => server === null);
    await until('pg-boss reported the lost completion', () => errors.length > 0);
    // Some polls of the worker fail while the database is down.
    await sleep(2_000);
    t.same(unhandled, [], 'no unhandled rejection while the database was down');

    server = await startEmbeddedPostgres({ dataDir, port, logger: () => {} });
    // The pool reconnects on its next use.
    await until('a job can be sent again', async () => {
      try {
        await boss.send(QUEUES.scanAccount, {
          scanId: 'scan-1',
          accountId: '222222222222',
        } satisfies ScanAccountJob);
        return true;
      } catch {
        return false;
      }
    });
    await until('the worker took the new job', () => taken.includes('222222222222'));
    await until(
      'the job whose completion was lost ran again',
      () => taken.filter((id) => id === '111111111111').length >= 2,
    );
    t.same(unhandled, [], 'no unhandled rejection at all');
  },
);
