/**
 * Two schedulers (two pg-boss instances, as two processes would have) on one cron: each tick
 * becomes one scan-organization job and one scan. pg-boss checks the cron every second here
 * (cronMonitorIntervalSeconds), and a cron of every minute fires at once on start, so both
 * schedulers race for the same tick for several seconds.
 */
import { QUEUE_SCHEMA, QUEUES } from '@rootaudit/queue';
import t from 'tap';
import { startScheduler } from './scheduler.ts';
import { startPipeline, waitForScan } from './testing.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('two schedulers on one cron: one scan per tick', async (t) => {
  // Observe within one minute, so exactly one tick is due.
  const second = new Date().getUTCSeconds();
  if (second > 35) await sleep((61 - second) * 1000);

  const pipeline = await startPipeline(t, { accounts: 5, schedule: true, cron: '* * * * *' });
  const { prisma } = pipeline;
  const otherBoss = await pipeline.startBoss();
  const other = await startScheduler({
    config: pipeline.config,
    logger: pipeline.logger,
    database: { prisma },
    boss: otherBoss,
    clients: pipeline.clients,
    checks: pipeline.checks,
    pollingIntervalSeconds: 0.5,
  });
  t.teardown(() => other.close());

  let scan = null;
  const deadline = Date.now() + 15_000;
  while (!scan && Date.now() < deadline) {
    scan = await prisma.scan.findFirst({ where: { trigger: 'SCHEDULED' } });
    if (!scan) await sleep(250);
  }
  if (!scan) throw new Error('the cron never fired');
  const finished = await waitForScan(prisma, scan.id);
  t.equal(finished.status, 'SUCCEEDED');
  // Both schedulers keep checking the cron every second: give them time to fire again.
  await sleep(6_000);
  const jobs = await prisma.$queryRawUnsafe<{ id: string; created_on: Date }[]>(
    `SELECT id::text, created_on FROM ${QUEUE_SCHEMA}.job WHERE name = $1 ORDER BY created_on`,
    QUEUES.scanOrganization,
  );
  const scans = await prisma.scan.findMany({ where: { trigger: 'SCHEDULED' } });
  // Normally all of this happens within one minute: one tick. Should the clock have crossed a
  // minute meanwhile, the next tick must have made exactly one more job (and at most one scan).
  const firstTick = Math.floor(jobs[0]!.created_on.getTime() / 60_000);
  const ticks = Math.floor(Date.now() / 60_000) - firstTick + 1;
  if (ticks > 1) t.comment(`the observation spanned ${ticks} minutes`);
  t.equal(jobs.length, ticks, 'one scan-organization job per tick');
  t.ok(scans.length >= 1 && scans.length <= ticks, 'at most one scan per tick');
  t.same(
    scans.map((scan) => scan.requestedBy).sort(),
    jobs
      .filter((job) => scans.some((scan) => scan.requestedBy === `cron:${job.id}`))
      .map((job) => `cron:${job.id}`)
      .sort(),
    'each scan comes from its own tick',
  );
});
