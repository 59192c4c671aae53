/**
 * Fault: a frozen worker: one of three worker processes is stopped (SIGSTOP) for 60 s mid-scan,
 * inside one of its account transactions when it can be caught there, with production's queue
 * timings. The others keep recording accounts all along (no row every account locks; PostgreSQL
 * ends the frozen session's transaction after idle_in_transaction_session_timeout); once resumed
 * (SIGCONT) the scan completes with every account recorded once.
 */
import t from 'tap';
import {
  ACCOUNT_CONCURRENCY,
  accountsDone,
  assertFaultScanRecordedOnce,
  freezeInsideTransaction,
  ORGANIZATION_ACCOUNTS,
  PRODUCTION_QUEUE,
  scanUntil,
  sleep,
  startFaultPipeline,
} from './support.ts';

const FREEZE_MS = 60_000;
/**
 * A statement waits at most lock_timeout (30 s) on a lock: a longer pause in recording while
 * accounts were left for the running workers is a pause no lock explains, and a pause that long
 * is what a lock held by the frozen worker would cause.
 */
const LONGEST_PAUSE_MS = 30_000;

t.setTimeout(15 * 60_000);

t.test('a worker frozen for 60 s: the others keep recording, the scan completes', async (t) => {
  const fault = await startFaultPipeline(t, { workers: 3, queue: PRODUCTION_QUEUE });
  const { prisma } = fault.pipeline;
  const [frozen] = fault.workers;
  if (!frozen) throw new Error('no worker');
  const { scanId } = await scanUntil(fault, Math.round(ORGANIZATION_ACCOUNTS / 6));

  const inTransaction = await freezeInsideTransaction(prisma, frozen);
  const frozenAt = Date.now();
  const doneAtFreeze = await accountsDone(prisma, scanId);
  t.comment(
    `${frozen.name} stopped ${inTransaction ? 'inside' : 'outside (not caught inside)'} a transaction, ${doneAtFreeze} accounts recorded`,
  );

  // Recording while it is stopped: how far, and the longest pause while accounts were still
  // waiting for a worker (more than the frozen one's slots could hold).
  let done = doneAtFreeze;
  let lastProgressAt = frozenAt;
  let longestPauseMs = 0;
  while (Date.now() - frozenAt < FREEZE_MS) {
    await sleep(1_000);
    const now = Date.now();
    const [recorded, pending] = await Promise.all([
      accountsDone(prisma, scanId),
      prisma.accountScan.count({ where: { scanId, status: 'PENDING' } }),
    ]);
    if (recorded > done || pending <= ACCOUNT_CONCURRENCY) lastProgressAt = now;
    longestPauseMs = Math.max(longestPauseMs, now - lastProgressAt);
    done = recorded;
  }
  const doneAtThaw = done;
  frozen.child.kill('SIGCONT');
  t.comment(
    `while ${frozen.name} was stopped (${FREEZE_MS / 1000} s): ${doneAtThaw - doneAtFreeze} accounts recorded, longest pause ${(longestPauseMs / 1000).toFixed(1)} s`,
  );
  t.ok(doneAtThaw > doneAtFreeze, 'the other workers recorded accounts while it was stopped');
  t.ok(
    longestPauseMs < LONGEST_PAUSE_MS,
    `no pause in recording of ${LONGEST_PAUSE_MS / 1000} s or more while accounts were waiting`,
  );

  await assertFaultScanRecordedOnce(t, fault, scanId);
  for (const worker of fault.workers) t.ok(worker.alive(), `${worker.name} still runs`);
});
