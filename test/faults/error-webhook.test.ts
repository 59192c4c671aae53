/**
 * Fault: an unknown never hides a known failure nor re-announces it: an account whose root has
 * an access key FAILs root-no-access-keys (announced once as `finding.failed`); the next scan
 * cannot read its IAM (AccessDenied: the result is ERROR, the finding stays FAIL and says why its
 * last evaluation failed, nothing is announced); the scan after that FAILs it again, and no second
 * `finding.failed` reaches the webhook receiver. Three scans of the 200-account organization through
 * two worker processes, each recording every account once.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { activeAccounts, assertRecordedOnce, finding } from '../../apps/scheduler/src/testing.ts';
import { type FaultPipeline, LATENCY, PRODUCTION_QUEUE, sleep, startFaultPipeline } from './support.ts';

const CHECK = 'root-no-access-keys';

interface Delivery {
  event: string;
  eventId: string;
  data: { finding?: { id: string } };
}

t.setTimeout(20 * 60_000);

/** Runs one scan to its end; returns its id. */
async function scan(t: Test, fault: FaultPipeline, scanStatus: 'SUCCEEDED' | 'PARTIAL') {
  const outcome = await fault.pipeline.scheduler.triggerScan({ requestedBy: 'fault-suite' });
  if (!outcome.started) throw new Error(`scan ${outcome.scan.id} is already running`);
  await assertRecordedOnce(t, fault.pipeline, outcome.scan.id, {
    timeoutMs: 6 * 60_000,
    scanStatus,
    anyStatus: scanStatus !== 'SUCCEEDED',
  });
  return outcome.scan.id;
}

t.test('a FAIL finding that errors once, then FAILs again: finding.failed is sent once', async (t) => {
  const fault = await startFaultPipeline(t, { workers: 2, queue: PRODUCTION_QUEUE });
  const { prisma, sim } = fault.pipeline;

  const received: Delivery[] = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push(JSON.parse(body) as Delivery);
      response.end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  t.teardown(() => new Promise((done) => receiver.close(done)));
  await prisma.webhook.create({
    data: {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`,
      secret: 'whsec_fault-suite-receiver-0123456789',
      events: ['finding.failed', 'finding.resolved'],
    },
  });
  /** Every delivery made and received (none left to retry). */
  const settled = async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [made, pending] = await Promise.all([
        prisma.webhookDelivery.count(),
        prisma.webhookDelivery.count({ where: { status: 'PENDING' } }),
      ]);
      if (pending === 0 && made === received.length) return;
      if (Date.now() > deadline) throw new Error(`${made} deliveries made, ${received.length} received`);
      await sleep(250);
    }
  };
  const failedEvents = (from: number) =>
    received.slice(from).filter((body) => body.event === 'finding.failed');

  const account = activeAccounts(fault.pipeline).find((candidate) => candidate.root.accessKeys.length > 0);
  if (!account) throw new Error('the organization has no account with a root access key');

  await scan(t, fault, 'SUCCEEDED');
  await settled();
  const failing = await finding(prisma, account.id, CHECK);
  t.equal(failing.status, 'FAIL', `${account.id} fails ${CHECK}`);
  t.equal(
    failedEvents(0).filter((body) => body.data.finding?.id === failing.id).length,
    1,
    'its failure is announced once',
  );
  const afterFirst = received.length;

  // IAM refuses every call in that account: nothing read can answer.
  sim.setKnobs({ latency: LATENCY, faults: { accessDenied: [{ service: 'iam', accountId: account.id }] } });
  const erroring = await scan(t, fault, 'PARTIAL');
  await settled();
  const errored = await prisma.checkResult.findFirstOrThrow({
    where: { scanId: erroring, accountId: account.id, checkId: CHECK },
  });
  t.equal(errored.status, 'ERROR', `${CHECK} could not be evaluated: ${errored.message}`);
  const kept = await finding(prisma, account.id, CHECK);
  t.equal(kept.status, 'FAIL', 'the finding keeps its last known status');
  t.ok(kept.lastErrorAt && kept.lastError, `and says its last evaluation failed: ${kept.lastError}`);

  sim.setKnobs({ latency: LATENCY });
  await scan(t, fault, 'SUCCEEDED');
  await settled();
  const again = await finding(prisma, account.id, CHECK);
  t.equal(again.status, 'FAIL', 'it FAILs again');
  t.equal(again.lastError, null, 'an answer clears the failed evaluation');
  t.same(
    failedEvents(afterFirst).map((body) => body.data.finding?.id),
    [],
    'no finding.failed sent by the scan that could not read it nor by the one that FAILed it again',
  );
  t.equal(
    failedEvents(0).filter((body) => body.data.finding?.id === failing.id).length,
    1,
    'its failure announced once in all',
  );
  t.equal(new Set(received.map((body) => body.eventId)).size, received.length, 'no event received twice');
});
