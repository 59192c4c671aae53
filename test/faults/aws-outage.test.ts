/**
 * Fault: an AWS outage: the endpoint the two worker processes call (a relay in front of the
 * simulator) goes down for 20 s mid-scan: connections are refused, those open are reset. With
 * production's queue timings, an account whose calls cannot connect fails its job and pg-boss
 * retries it after the outage, so no account is recorded ERROR because of it, and the scan
 * completes once the endpoint is back (on the same port).
 */
import t from 'tap';
import { activeAccounts } from '../../apps/scheduler/src/testing.ts';
import { switchableEndpoint } from '../../apps/worker/src/testing.ts';
import {
  accountsDone,
  assertFaultScanRecordedOnce,
  ORGANIZATION_ACCOUNTS,
  PRODUCTION_QUEUE,
  scanUntil,
  sleep,
  startFaultPipeline,
} from './support.ts';

const OUTAGE_MS = 20_000;

t.setTimeout(15 * 60_000);

t.test('the AWS endpoint down for 20 s mid-scan: no account ERROR, the scan completes', async (t) => {
  let relay: Awaited<ReturnType<typeof switchableEndpoint>> | undefined;
  const fault = await startFaultPipeline(t, {
    workers: 2,
    queue: PRODUCTION_QUEUE,
    awsEndpoint: async (sim) => {
      relay = await switchableEndpoint(t, sim.endpoint);
      return relay.endpoint;
    },
  });
  if (!relay) throw new Error('no relay');
  const { prisma } = fault.pipeline;
  const { scanId } = await scanUntil(fault, Math.round(ORGANIZATION_ACCOUNTS / 4));

  await relay.down();
  const doneAtDown = await accountsDone(prisma, scanId);
  await sleep(OUTAGE_MS);
  const doneAtUp = await accountsDone(prisma, scanId);
  await relay.up();
  t.comment(
    `endpoint down for ${OUTAGE_MS / 1000} s from ${doneAtDown} accounts recorded; ${doneAtUp} when it came back`,
  );
  t.ok(doneAtUp < activeAccounts(fault.pipeline).length, 'accounts were left to scan when it came back');

  // Every account SUCCEEDED: none was recorded ERROR because of the outage.
  const rows = await assertFaultScanRecordedOnce(t, fault, scanId);
  t.ok(
    rows.some((row) => row.attempts > 1),
    'the outage reached the workers: accounts it cut were attempted again',
  );
  const errors = await prisma.checkResult.findMany({ where: { scanId, status: 'ERROR' } });
  t.same(
    errors.map((result) => `${result.accountId} ${result.checkId}: ${result.message}`),
    [],
    'no check ended ERROR',
  );
  for (const worker of fault.workers) t.ok(worker.alive(), `${worker.name} still runs`);
});
