/**
 * The discovery job (scan-organization) heart-beats: a scheduler that dies mid-discovery has its
 * job retried within about DISCOVERY_HEARTBEAT_SECONDS of its last heartbeat, not after the job's
 * 30-minute expiry (a live scheduler's long discovery keeps its job: discovery-heartbeat.test.ts).
 */
import { DISCOVERY_HEARTBEAT_SECONDS, QUEUES, type ScanOrganizationJob } from '@rootaudit/queue';
import { triggerScan } from '@rootaudit/service';
import t from 'tap';
import { startScheduler } from './scheduler.ts';
import { activeAccounts, startPipeline, waitForScan } from './testing.ts';

t.test(
  'a scheduler that dies mid-discovery: its job is retried by another long before it expires',
  async (t) => {
    const pipeline = await startPipeline(t, {
      accounts: 6,
      seed: 3,
      // The queue's own heartbeat and expiry; only pg-boss's look and the retry delay are quickened.
      queueOverrides: { scanOrganization: { expireInSeconds: 1800 } },
    });
    const { prisma, boss } = pipeline;
    // Only the dead scheduler is consuming discovery jobs when the scan is triggered.
    await pipeline.scheduler.close();
    const outcome = await triggerScan({ prisma, boss }, { requestedBy: 'test' });
    const dead = await pipeline.startBoss();
    // A scheduler takes the job and dies: fetch() sends no heartbeat.
    const [taken] = await dead.fetch<ScanOrganizationJob>(QUEUES.scanOrganization);
    t.equal(taken?.data.scanId, outcome.scan.id, 'the dead scheduler held the discovery job');
    const started = Date.now();

    const survivor = await startScheduler({
      config: pipeline.config,
      logger: pipeline.logger,
      database: { prisma },
      boss,
      clients: pipeline.clients,
      checks: pipeline.checks,
      schedule: false,
      pollingIntervalSeconds: 0.5,
    });
    t.teardown(() => survivor.close());
    const scan = await waitForScan(prisma, outcome.scan.id, 90_000);
    t.equal(scan.status, 'SUCCEEDED', scan.failureReason ?? '');
    t.equal(scan.accountsDone, activeAccounts(pipeline).length);
    const took = Date.now() - started;
    t.ok(took >= DISCOVERY_HEARTBEAT_SECONDS * 1000, 'retried once its heartbeat was missed');
    t.ok(took < 90_000, `scanned ${Math.round(took / 1000)} s after the scheduler died`);
    const job = await boss.getJobById<ScanOrganizationJob>(QUEUES.scanOrganization, taken?.id ?? '');
    t.equal(job?.retryCount, 1, 'the same job, retried once');
  },
);
