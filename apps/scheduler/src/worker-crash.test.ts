/**
 * A worker process killed mid-scan loses nothing: its jobs expire, pg-boss retries them, another
 * worker process finishes the scan, and no account is missing or recorded twice.
 */
import t from 'tap';
import { spawnWorkerProcess, startPipeline, waitForScan } from './testing.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test(
  'kill a worker process mid-scan, start another: the scan completes, nothing missing or doubled',
  async (t) => {
    const pipeline = await startPipeline(t, {
      accounts: 50,
      seed: 5,
      worker: false,
      accountConcurrency: 4,
      // Slow AWS, so the first worker is surely mid-scan when it dies.
      knobs: { latency: { fixedMs: 25 } },
    });
    const { prisma } = pipeline;
    const outcome = await pipeline.scheduler.triggerScan({ requestedBy: 'test' });
    const scanId = outcome.scan.id;

    const first = spawnWorkerProcess(t, pipeline);
    const deadline = Date.now() + 30_000;
    let done = 0;
    while (done < 8) {
      if (Date.now() > deadline || !first.alive()) {
        t.comment(first.output.join(''));
        throw new Error(`the first worker recorded ${done} accounts before the deadline or its exit`);
      }
      await sleep(100);
      done = (await prisma.scan.findUniqueOrThrow({ where: { id: scanId } })).accountsDone;
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const running = await prisma.accountScan.count({ where: { scanId, status: 'RUNNING' } });
    t.comment(`killed the first worker with ${done} accounts recorded and ${running} in flight`);
    t.ok(running > 0, 'the killed worker had accounts in flight');

    const second = spawnWorkerProcess(t, pipeline);
    const scan = await waitForScan(prisma, scanId, 50_000).catch((error: unknown) => {
      t.comment([...first.output, ...second.output].join('').slice(-5000));
      throw error;
    });

    const active = pipeline.sim.model.accounts.filter((account) => account.status === 'ACTIVE');
    t.equal(scan.status, 'SUCCEEDED', scan.failureReason ?? '');
    t.equal(scan.accountsDone, active.length);
    const rows = await prisma.accountScan.findMany({ where: { scanId, status: { not: 'SKIPPED' } } });
    t.same(
      rows.map((row) => row.accountId).sort(),
      active.map((account) => account.id).sort(),
      'every active account has exactly one AccountScan',
    );
    t.ok(
      rows.every((row) => row.status === 'SUCCEEDED'),
      'every account succeeded',
    );
    const retried = rows.filter((row) => row.attempts > 1);
    t.ok(retried.length > 0, `accounts in flight at the kill were retried (${retried.length})`);

    // Nothing recorded twice: the counters match the rows, one result per account and check.
    const results = await prisma.checkResult.count({ where: { scanId } });
    t.equal(scan.resultsPass + scan.resultsFail + scan.resultsError + scan.resultsNotApplicable, results);
    const perAccount = await prisma.checkResult.groupBy({
      by: ['accountId', 'checkId', 'resource'],
      where: { scanId },
      _count: { _all: true },
    });
    t.ok(perAccount.every((group) => group._count._all === 1));
    const accountChecks = pipeline.checks.filter((check) => check.metadata.scope === 'account').length;
    const accounts = new Set(perAccount.map((group) => group.accountId));
    t.equal(accounts.size, active.length, 'results for every active account');
    t.ok(perAccount.length >= active.length * accountChecks);
  },
);
