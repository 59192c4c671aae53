/**
 * A discovery that finds AWS unavailable (5xx past the SDK's retries here) fails its job, which
 * pg-boss retries; the scan goes on rather than ending FAILED.
 */
import { QUEUES, type ScanOrganizationJob } from '@rootaudit/queue';
import t from 'tap';
import { activeAccounts, startPipeline, waitForScan } from './testing.ts';

t.test('AWS unavailable during discovery: the job is retried and the scan goes on, not FAILED', async (t) => {
  // The pipeline's SDK makes 3 attempts: three 503s in a row fail the call past them.
  const pipeline = await startPipeline(t, {
    accounts: 8,
    seed: 6,
    knobs: {
      faults: {
        serverErrors: [
          { service: 'organizations', operation: 'DescribeOrganization', count: 3, status: 503 },
        ],
      },
    },
  });
  const outcome = await pipeline.scheduler.triggerScan({ requestedBy: 'test' });
  const scan = await waitForScan(pipeline.prisma, outcome.scan.id, 60_000);
  t.equal(scan.status, 'SUCCEEDED', scan.failureReason ?? '');
  t.equal(scan.accountsDone, activeAccounts(pipeline).length);
  const jobs = await pipeline.boss.findJobs<ScanOrganizationJob>(QUEUES.scanOrganization);
  t.same(
    jobs.map((job) => [job.state, job.retryCount]),
    [['completed', 1]],
    'its first attempt failed, the retry discovered',
  );
});
