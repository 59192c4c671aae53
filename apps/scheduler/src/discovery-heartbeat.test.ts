/**
 * A live scheduler's discovery that outlasts its heartbeat period is never taken from it: the
 * scheduler's job heart-beats while discovery runs (see discovery-recovery.test.ts for the dead one).
 */
import { QUEUES, type ScanOrganizationJob } from '@rootaudit/queue';
import t from 'tap';
import { startPipeline } from './testing.ts';

t.test('a discovery longer than two heartbeat periods completes in its first attempt', async (t) => {
  // 3 s per AWS call: the discovery (OU tree level by level, accounts, SCPs, features, trails)
  // takes longer than pg-boss's 10 s heartbeat limit; no worker, only discovery is watched.
  const pipeline = await startPipeline(t, {
    accounts: 8,
    seed: 4,
    worker: false,
    knobs: { latency: { fixedMs: 3_000 } },
    queueOverrides: { scanOrganization: { heartbeatSeconds: 10, expireInSeconds: 1800 } },
  });
  const startedAt = Date.now();
  const outcome = await pipeline.scheduler.triggerScan({ requestedBy: 'test' });
  const deadline = Date.now() + 100_000;
  let scan = outcome.scan;
  while (scan.status === 'QUEUED' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    scan = await pipeline.prisma.scan.findUniqueOrThrow({ where: { id: scan.id } });
  }
  t.equal(scan.status, 'RUNNING', 'discovered: the accounts are enqueued');
  const took = Date.now() - startedAt;
  t.ok(took > 12_000, `discovery took ${took} ms, past the heartbeat limit and pg-boss's look`);
  // The scan runs as soon as discovery has enqueued its accounts; pg-boss marks the job completed
  // just after the handler returns.
  let jobs = await pipeline.boss.findJobs<ScanOrganizationJob>(QUEUES.scanOrganization);
  while (jobs.some((job) => job.state === 'active') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    jobs = await pipeline.boss.findJobs<ScanOrganizationJob>(QUEUES.scanOrganization);
  }
  t.same(
    jobs.map((job) => [job.state, job.retryCount]),
    [['completed', 0]],
    'completed by its first attempt: its heartbeat kept it',
  );
});
