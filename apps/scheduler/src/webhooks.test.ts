/**
 * Webhooks end to end: a scan of the simulated organization (scheduler and worker) announces each
 * finding that starts failing, each one resolved and the scan's end; a receiver on 127.0.0.1 gets
 * every delivery once, signed with the webhook's secret.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, verifySignature } from '@rootaudit/webhooks';
import t from 'tap';
import { activeAccounts, finding, scanOnce, startPipeline } from './testing.ts';

const SECRET = 'whsec_pipeline-receiver-secret-0123456789';

interface Delivery {
  event: string;
  eventId: string;
  data: { scanId?: string; finding?: { id: string }; scan?: { id: string; status: string } };
}

t.test('a scan announces failed and resolved findings and its end, each once, signed', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 20, seed: 11 });
  const { prisma, sim } = pipeline;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => new Promise((done) => server.close(done)));
  const { port } = server.address() as AddressInfo;
  await prisma.webhook.create({
    data: {
      url: `http://127.0.0.1:${port}/hooks`,
      secret: SECRET,
      events: ['finding.failed', 'finding.resolved', 'scan.completed'],
    },
  });
  const deliveries = () => received.map((request) => JSON.parse(request.body) as Delivery);
  const settled = async (count: () => Promise<number>) => {
    const deadline = Date.now() + 30_000;
    while (
      (await count()) !== received.length ||
      (await prisma.webhookDelivery.count({ where: { status: 'PENDING' } })) > 0
    ) {
      if (Date.now() > deadline) throw new Error(`deliveries did not settle: ${received.length} received`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const withKeys = activeAccounts(pipeline).find((account) => account.root.accessKeys.length > 0);
  if (!withKeys) throw new Error('seed 11 (20 accounts) has no account with root keys');

  const first = await scanOnce(pipeline);
  t.equal(first.status, 'SUCCEEDED');
  const failing = await prisma.finding.count({ where: { status: 'FAIL' } });
  t.ok(failing > 0, 'the first scan finds failures');
  await settled(() => prisma.webhookDelivery.count());
  const firstEvents = deliveries();
  t.equal(
    firstEvents.filter((body) => body.event === 'finding.failed').length,
    failing,
    'one per failing finding',
  );
  t.same(
    firstEvents.filter((body) => body.event === 'scan.completed').map((body) => body.data.scan?.id),
    [first.id],
  );
  t.equal(firstEvents.filter((body) => body.event === 'finding.resolved').length, 0);

  // Keys removed: that finding is resolved by the second scan.
  withKeys.root.accessKeys = [];
  sim.reset();
  const second = await scanOnce(pipeline);
  t.equal(second.status, 'SUCCEEDED');
  await settled(() => prisma.webhookDelivery.count());
  const secondEvents = deliveries().slice(firstEvents.length);
  const resolved = await finding(prisma, withKeys.id, 'root-no-access-keys');
  t.ok(
    secondEvents.some((body) => body.event === 'finding.resolved' && body.data.finding?.id === resolved.id),
    'the resolved finding is announced',
  );
  t.same(
    secondEvents.filter((body) => body.event === 'scan.completed').map((body) => body.data.scan?.id),
    [second.id],
  );
  t.equal(new Set(deliveries().map((body) => body.eventId)).size, received.length, 'no event twice');
  for (const request of received) {
    t.ok(verifySignature(SECRET, request.headers[SIGNATURE_HEADER.toLowerCase()] as string, request.body));
  }
  t.equal(await prisma.webhookDelivery.count({ where: { status: 'DELIVERED' } }), received.length);
});
