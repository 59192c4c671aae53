/**
 * A worker process stopped with SIGTERM mid-scan: it takes no new job, lets the accounts in hand
 * finish within its grace period, hands back those that do not (failed in pg-boss, so retried),
 * and exits 0. Another worker then completes the scan with each account recorded exactly once.
 */
import type { PrismaClient } from '@rootaudit/db';
import { accountJobId, QUEUES } from '@rootaudit/queue';
import t, { type Test } from 'tap';
import {
  activeAccounts,
  assertRecordedOnce,
  FAST_QUEUE,
  type Pipeline,
  spawnWorkerProcess,
  startPipeline,
  type WorkerProcess,
} from './testing.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function spawnWorker(
  t: Test,
  pipeline: Pipeline,
  shutdownGraceMs: number,
  env: NodeJS.ProcessEnv = {},
): WorkerProcess {
  return spawnWorkerProcess(t, pipeline, {
    ROOTAUDIT_TEST_QUEUE: JSON.stringify({ ...FAST_QUEUE, shutdownGraceMs }),
    ...env,
  });
}

/** Waits until `count` accounts of the scan are RUNNING (in a worker's hands). */
async function waitForRunning(prisma: PrismaClient, scanId: string, count: number, worker: WorkerProcess) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const running = await prisma.accountScan.findMany({ where: { scanId, status: 'RUNNING' } });
    if (running.length >= count) return running.map((row) => row.accountId);
    if (Date.now() > deadline || worker.child.exitCode !== null) {
      throw new Error(
        `${running.length} of ${count} accounts running\n${worker.output.join('').slice(-3000)}`,
      );
    }
    await sleep(50);
  }
}

/** SIGTERM, then the exit: code 0 and no signal. Returns how long the worker took to exit. */
async function stopWithSigterm(t: Test, worker: WorkerProcess): Promise<number> {
  const signalled = Date.now();
  worker.child.kill('SIGTERM');
  const [code, signal] = await worker.exited;
  const took = Date.now() - signalled;
  t.equal(code, 0, worker.output.join('').slice(-3000));
  t.equal(signal, null);
  return took;
}

t.test('SIGTERM: the account in hand finishes within the grace period, no new job is taken', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 5, seed: 11, worker: false, accountConcurrency: 1 });
  // Each account takes over a second: the credential report is slow to generate.
  for (const account of pipeline.sim.model.accounts) account.credentialReport = { generationDelayMs: 1_200 };
  const { scan } = await pipeline.scheduler.triggerScan({ requestedBy: 'test' });

  const first = spawnWorker(t, pipeline, 20_000);
  const [inHand] = await waitForRunning(pipeline.prisma, scan.id, 1, first);
  const took = await stopWithSigterm(t, first);
  t.ok(took < 10_000, `exited once its account was done (${took} ms)`);

  const rows = await pipeline.prisma.accountScan.findMany({ where: { scanId: scan.id } });
  const recorded = rows.filter((row) => row.status === 'SUCCEEDED');
  t.same(
    recorded.map((row) => row.accountId),
    [inHand],
    'the account in hand was recorded before the exit',
  );
  t.notOk(
    rows.some((row) => row.status === 'RUNNING'),
    'nothing left running',
  );
  const pending = rows.filter((row) => row.status === 'PENDING');
  t.ok(pending.length > 0, 'the other accounts were not taken');
  for (const row of pending) {
    const [job] = await pipeline.boss.findJobs(QUEUES.scanAccount, {
      id: accountJobId(scan.id, row.accountId),
    });
    t.equal(job?.state, 'created', `the job of ${row.accountId} is still queued, untouched`);
  }
  t.notMatch(first.output.join(''), /handed back/);

  for (const account of pipeline.sim.model.accounts) delete account.credentialReport;
  spawnWorker(t, pipeline, 20_000, { ROOTAUDIT_ACCOUNT_CONCURRENCY: '4' });
  const final = await assertRecordedOnce(t, pipeline, scan.id);
  t.ok(
    final.every((row) => row.attempts === 1),
    'no account was scanned twice',
  );
});

t.test('SIGTERM: accounts outlasting the grace period are handed back and retried elsewhere', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 4, seed: 3, worker: false, accountConcurrency: 4 });
  const active = activeAccounts(pipeline).map((account) => account.id);
  // Credential reports that never complete: every account job runs until it is stopped.
  pipeline.sim.setKnobs({ faults: { credentialReportStuck: true } });
  const { scan } = await pipeline.scheduler.triggerScan({ requestedBy: 'test' });

  const graceMs = 500;
  const first = spawnWorker(t, pipeline, graceMs);
  const inHand = await waitForRunning(pipeline.prisma, scan.id, active.length, first);
  const took = await stopWithSigterm(t, first);
  t.ok(took < graceMs + 4_000, `exited soon after the grace period (${took} ms)`);
  t.equal(
    (first.output.join('').match(/job handed back at shutdown/g) ?? []).length,
    inHand.length,
    'each account in hand was handed back',
  );

  for (const accountId of inHand) {
    const [job] = await pipeline.boss.findJobs(QUEUES.scanAccount, { id: accountJobId(scan.id, accountId) });
    t.equal(job?.state, 'retry', `the job of ${accountId} waits for a retry`);
  }
  t.equal(
    await pipeline.prisma.checkResult.count({ where: { scanId: scan.id, scope: 'account' } }),
    0,
    'nothing was recorded for the accounts handed back',
  );

  pipeline.sim.setKnobs({});
  spawnWorker(t, pipeline, 20_000);
  const rows = await assertRecordedOnce(t, pipeline, scan.id);
  t.ok(
    rows.every((row) => row.attempts === 2),
    'each account was scanned again, once, by the second worker',
  );
});
