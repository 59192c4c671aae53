/**
 * Scheduler and worker behaviour around the happy path: unreadable organization, missing audit
 * role, one scan at a time, re-delivered jobs, dead-lettered accounts, stalled scans, accounts
 * that left. Real PostgreSQL and pg-boss, AWS from the simulator.
 */
import type { PrismaClient } from '@rootaudit/db';
import { accountJobId, QUEUES, type ScanAccountJob } from '@rootaudit/queue';
import t from 'tap';
import { scanOnce, startPipeline, startPipelineWorker, waitForScan } from './testing.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until pg-boss has run the scan's discovery job (the scan is RUNNING). */
async function waitForDiscovery(prisma: PrismaClient, scanId: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await prisma.scan.findUniqueOrThrow({ where: { id: scanId } })).status !== 'RUNNING') {
    if (Date.now() > deadline) throw new Error('discovery never ran');
    await sleep(100);
  }
}

t.test(
  'an organization that cannot be read fails the scan with the reason; the next scan may run',
  async (t) => {
    const pipeline = await startPipeline(t, { accounts: 5 });
    pipeline.sim.setKnobs({ faults: { accessDenied: [{ service: 'organizations' }] } });
    const scan = await scanOnce(pipeline);
    t.equal(scan.status, 'FAILED');
    t.match(scan.failureReason, /the organization could not be read \(AccessDenied/);
    t.match(scan.failureReason, /ROOTAUDIT_ORG_ROLE_ARN/);
    pipeline.sim.setKnobs({});
    t.equal((await scanOnce(pipeline)).status, 'SUCCEEDED');
  },
);

t.test('a missing audit role: that account ERROR with what to do, the scan goes on (PARTIAL)', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 8 });
  const { sim, prisma } = pipeline;
  const member = sim.model.accounts.find(
    (account) => account.status === 'ACTIVE' && account.id !== sim.model.organization.managementAccountId,
  )!;
  sim.setKnobs({ faults: { missingAuditRole: [member.id] } });
  const scan = await scanOnce(pipeline);
  t.equal(scan.status, 'PARTIAL');
  t.equal(scan.accountsFailed, 1);
  const row = await prisma.accountScan.findUniqueOrThrow({
    where: { scanId_accountId: { scanId: scan.id, accountId: member.id } },
  });
  t.equal(row.status, 'ERROR');
  t.match(row.error, /AccessDenied on sts:AssumeRole for arn:aws:iam::\d{12}:role\/RootAuditRole/);
  t.match(row.error, /deploy the audit-role template/);
  t.equal(
    await prisma.accountScan.count({ where: { scanId: scan.id, status: 'SUCCEEDED' } }),
    scan.accountsDone - 1,
  );
});

t.test('one scan at a time: an on-demand request while a scan runs gets the running scan', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 5, worker: false });
  const first = await pipeline.scheduler.triggerScan({ requestedBy: 'a' });
  t.equal(first.started, true);
  const second = await pipeline.scheduler.triggerScan({ requestedBy: 'b' });
  t.equal(second.started, false);
  t.equal(second.scan.id, first.scan.id);
  // A cron tick while it runs does not start another one either.
  t.equal(await pipeline.scheduler.runOrganizationScan({ trigger: 'SCHEDULED' }), null);
  t.equal(await pipeline.prisma.scan.count(), 1);
});

t.test('a retried cron job resumes the scan its first attempt created', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 5 });
  const { prisma, scheduler } = pipeline;
  // The first attempt created its scan and died before discovery finished.
  const first = await prisma.scan.create({ data: { trigger: 'SCHEDULED', requestedBy: 'cron:job-1' } });
  t.equal(await scheduler.runOrganizationScan({ trigger: 'SCHEDULED' }, 'job-2'), null, 'another tick waits');
  const resumed = await scheduler.runOrganizationScan({ trigger: 'SCHEDULED' }, 'job-1');
  t.equal(resumed?.id, first.id);
  t.equal((await waitForScan(prisma, first.id)).status, 'SUCCEEDED');
  t.equal(await prisma.scan.count(), 1);
});

t.test('a re-delivered discovery job and a re-delivered account job write nothing twice', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 12, worker: false });
  const { prisma, boss, scheduler } = pipeline;
  const outcome = await scheduler.triggerScan();
  const scanId = outcome.scan.id;
  // The discovery job runs (pg-boss delivers it to the scheduler); then a duplicate.
  await waitForDiscovery(prisma, scanId);
  const organizationCalls = pipeline.sim.callLog.count({ service: 'organizations' });
  t.ok(organizationCalls > 0, 'the discovery read the organization');
  await scheduler.runOrganizationScan({ trigger: 'MANUAL', scanId });
  t.equal(
    pipeline.sim.callLog.count({ service: 'organizations' }),
    organizationCalls,
    'the re-delivered discovery reused the evidence stored with the scan',
  );
  const active = pipeline.sim.model.accounts.filter((account) => account.status === 'ACTIVE');
  t.equal(await prisma.accountScan.count({ where: { scanId } }), pipeline.sim.model.accounts.length);
  t.equal(
    (await boss.findJobs(QUEUES.scanAccount, { queued: true })).length,
    active.length,
    'one job per active account',
  );
  const orgResults = await prisma.checkResult.count({ where: { scanId, scope: 'organization' } });
  const orgChecks = pipeline.checks.filter((check) => check.metadata.scope === 'organization').length;
  t.equal(orgResults, orgChecks, 'organization checks evaluated once');

  // The workers finish the scan; then the same account job comes again (a new id: as if pg-boss
  // had archived the first one): it is dropped without any AWS call.
  await startPipelineWorker(t, pipeline);
  const scan = await waitForScan(prisma, scanId);
  t.equal(scan.status, 'SUCCEEDED');
  t.equal(
    pipeline.sim.callLog.count({ service: 'organizations' }),
    organizationCalls,
    'the account jobs made no organizations call',
  );
  const results = await prisma.checkResult.count({ where: { scanId } });
  const [account] = active;
  pipeline.sim.callLog.clear();
  await boss.send(QUEUES.scanAccount, { scanId, accountId: account!.id } satisfies ScanAccountJob);
  await boss.insert(QUEUES.scanAccount, [
    { id: accountJobId(scanId, account!.id), data: { scanId, accountId: account!.id } },
  ]);
  const unfinished = async () =>
    (await boss.findJobs(QUEUES.scanAccount)).filter((job) => job.state !== 'completed').length;
  const idle = Date.now() + 10_000;
  while ((await unfinished()) > 0 && Date.now() < idle) {
    await sleep(200);
  }
  await sleep(500);
  t.equal(await prisma.checkResult.count({ where: { scanId } }), results, 'no result written twice');
  const after = await prisma.scan.findUniqueOrThrow({ where: { id: scanId } });
  t.same(
    [after.accountsDone, after.resultsPass, after.resultsFail, after.finishedAt],
    [scan.accountsDone, scan.resultsPass, scan.resultsFail, scan.finishedAt],
  );
  t.equal(pipeline.sim.callLog.count({ accountId: account!.id }), 0, 'no AWS call for a recorded account');
});

t.test('an account whose job failed on every attempt ends ERROR and the scan still ends', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 6, worker: false });
  const { prisma, boss, scheduler } = pipeline;
  const member = pipeline.sim.model.accounts.find((account) => account.status === 'ACTIVE')!;
  const outcome = await scheduler.triggerScan({ accountIds: [member.id] });
  const scanId = outcome.scan.id;
  await waitForDiscovery(prisma, scanId);
  // As if every attempt had failed: the job is in the dead-letter queue, not the account queue.
  await boss.deleteJob(QUEUES.scanAccount, accountJobId(scanId, member.id));
  await boss.send(QUEUES.scanAccountFailed, { scanId, accountId: member.id } satisfies ScanAccountJob);
  await startPipelineWorker(t, pipeline);
  const scan = await waitForScan(prisma, scanId);
  t.equal(scan.status, 'FAILED', 'its only account could not be scanned');
  const row = await prisma.accountScan.findUniqueOrThrow({
    where: { scanId_accountId: { scanId, accountId: member.id } },
  });
  t.equal(row.status, 'ERROR');
  t.match(row.error, /failed on every attempt/);
});

t.test('a scan that stops making progress is ended FAILED by the watchdog', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 5, worker: false, stalledAfterMs: 1_000 });
  const { prisma, scheduler } = pipeline;
  const outcome = await scheduler.triggerScan();
  await waitForDiscovery(prisma, outcome.scan.id);
  await sleep(1_200);
  const ended = await scheduler.failStalledScans();
  t.same(
    ended.map((scan) => scan.id),
    [outcome.scan.id],
  );
  const scan = await prisma.scan.findUniqueOrThrow({ where: { id: outcome.scan.id } });
  t.equal(scan.status, 'FAILED');
  t.match(scan.failureReason, /no progress .* account\(s\) were never recorded/);
  t.equal(
    await prisma.accountScan.count({ where: { scanId: scan.id, status: { in: ['PENDING', 'RUNNING'] } } }),
    0,
  );
  t.equal((await scheduler.triggerScan()).started, true, 'a new scan may start');
});

t.test('an account that left the organization is marked, kept, and no longer scanned', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 8 });
  const { prisma, sim } = pipeline;
  const first = await scanOnce(pipeline);
  t.equal(first.status, 'SUCCEEDED');
  const leaving = sim.model.accounts.find(
    (account) => account.status === 'ACTIVE' && account.id !== sim.model.organization.managementAccountId,
  )!;
  sim.model.accounts = sim.model.accounts.filter((account) => account.id !== leaving.id);
  for (const policy of sim.model.policies) policy.targets = policy.targets.filter((id) => id !== leaving.id);
  sim.reindex();
  const second = await scanOnce(pipeline);
  t.equal(second.status, 'SUCCEEDED');
  const account = await prisma.account.findUniqueOrThrow({ where: { id: leaving.id } });
  t.ok(account.leftOrganizationAt, 'marked as left');
  t.equal(
    await prisma.accountScan.count({ where: { scanId: second.id, accountId: leaving.id } }),
    0,
    'not part of the new scan',
  );
  t.ok(
    (await prisma.checkResult.count({ where: { scanId: first.id, accountId: leaving.id } })) > 0,
    'history kept',
  );
});

t.test(
  'a scan limited to one account reads only its part of the organization and marks no other account as gone',
  async (t) => {
    const pipeline = await startPipeline(t, { accounts: 8 });
    const { sim, prisma, scheduler } = pipeline;
    t.equal((await scanOnce(pipeline)).status, 'SUCCEEDED', 'a whole-organization scan first');
    const wholeReads = sim.callLog.count({ service: 'organizations' });
    const known = await prisma.account.count({ where: { leftOrganizationAt: null } });
    const member = sim.model.accounts.find(
      (account) => account.status === 'ACTIVE' && account.id !== sim.model.organization.managementAccountId,
    )!;
    sim.callLog.clear();
    const outcome = await scheduler.triggerScan({ accountIds: [member.id] });
    const scan = await waitForScan(prisma, outcome.scan.id);
    t.equal(scan.status, 'SUCCEEDED');
    t.equal(scan.accountsDone, 1, 'the one account named');
    const limitedReads = sim.callLog.count({ service: 'organizations' });
    t.ok(limitedReads < wholeReads, `fewer organization reads (${limitedReads} < ${wholeReads})`);
    t.equal(sim.callLog.count({ service: 'organizations', operation: 'ListAccounts' }), 0, 'no ListAccounts');
    t.equal(
      await prisma.account.count({ where: { leftOrganizationAt: null } }),
      known,
      'every account the whole scan found is still in the organization',
    );
  },
);
