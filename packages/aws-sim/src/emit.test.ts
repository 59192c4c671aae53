import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { parseRootEvent } from '@rootaudit/root-events';
import t from 'tap';
import { DeliveryRefusedError, emitRootEvents, httpSink, sqsSink } from './emit.ts';
import { generateOrganization } from './generate.ts';
import { type EventBridgeEnvelope, simulateRootActivity } from './root-activity.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const model = generateOrganization({ accounts: 100, seed: 3, now: NOW });
const envelopes = (count: number, seed = 1) => {
  let tick = 0;
  return simulateRootActivity(model, { seed, count, clock: () => NOW + 1000 * tick++ }).map(
    (e) => e.envelope,
  );
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function motoPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function startMoto(path: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(path, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).ok) return { endpoint, child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error('moto_server did not start within 15 s');
}

const MOTO = motoPath();

t.test(
  "into moto's SQS: one message per event, its body the event's JSON",
  { skip: MOTO ? false : 'moto_server is not on PATH: SQS delivery not tested' },
  async (t) => {
    const moto = await startMoto(MOTO as string);
    t.teardown(() => {
      moto.child.kill();
    });
    const client = new SQSClient({
      endpoint: moto.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    t.teardown(() => client.destroy());
    const queue = await client.send(new CreateQueueCommand({ QueueName: 'rootaudit-root-events' }));
    const queueUrl = queue.QueueUrl as string;
    const sent = envelopes(60);
    const report = await emitRootEvents(sent, sqsSink({ queueUrl, client }), { concurrency: 4 });
    t.match(report, { sent: 60, failed: [] });

    const received: string[] = [];
    for (;;) {
      const answer = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      const messages = answer.Messages ?? [];
      if (messages.length === 0) break;
      received.push(...messages.map((message) => message.Body ?? ''));
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
    t.equal(received.length, 60);
    const bodies = received.map((body) => JSON.parse(body) as EventBridgeEnvelope);
    t.same(
      bodies.map((body) => body.id).sort(),
      sent.map((envelope) => envelope.id).sort(),
      'each event once',
    );
    const byId = new Map(sent.map((envelope) => [envelope.id, envelope]));
    t.same(
      bodies
        .filter((body) => JSON.stringify(body) !== JSON.stringify(byId.get(body.id)))
        .map((body) => body.id),
      [],
      'each body is the event',
    );
    t.ok(
      bodies.every((body) => parseRootEvent(body).ok),
      'each body parses as root activity',
    );
  },
);

interface Received {
  authorization: string | undefined;
  contentType: string | undefined;
  path: string | undefined;
  body: EventBridgeEnvelope;
  at: number;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A stand-in for POST /v1/events/aws: 202 with the right key, 401 otherwise, 400 for a chosen id. */
async function ingestServer(options: { key: string; refuse?: string; delayMs?: number }) {
  const received: Received[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createHttpServer(async (request, response) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const body = JSON.parse(await readBody(request)) as EventBridgeEnvelope;
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    inFlight--;
    if (request.headers.authorization !== `Bearer ${options.key}`) {
      response.writeHead(401).end('{"error":"unauthorized"}');
      return;
    }
    received.push({
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      path: request.url,
      body,
      at: performance.now(),
    });
    if (body.id === options.refuse) {
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"reason":"not a root identity"}');
      return;
    }
    response.writeHead(202).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v1/events/aws`,
    received,
    maxInFlight: () => maxInFlight,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

t.test('by HTTP: POST of the event JSON with the bearer key, as an API destination sends it', async (t) => {
  const sent = envelopes(40, 2);
  const refused = sent[7] as EventBridgeEnvelope;
  const server = await ingestServer({ key: 'ra_ingest_test', refuse: refused.id, delayMs: 20 });
  t.teardown(() => server.close());
  const outcomes: (string | null)[] = [];
  const report = await emitRootEvents(sent, httpSink({ url: server.url, apiKey: 'ra_ingest_test' }), {
    concurrency: 5,
    onDelivered: (_envelope, error) => outcomes.push(error ? error.name : null),
  });
  t.equal(report.sent, 39);
  t.same(report.failed, [{ id: refused.id, error: 'HTTP 400: {"reason":"not a root identity"}' }]);
  t.equal(outcomes.filter((o) => o === 'DeliveryRefusedError').length, 1, 'the refusal is reported as such');
  t.equal(server.received.length, 40);
  for (const request of server.received) {
    t.equal(request.authorization, 'Bearer ra_ingest_test');
    t.equal(request.contentType, 'application/json');
    t.equal(request.path, '/v1/events/aws');
  }
  const byId = new Map(sent.map((envelope) => [envelope.id, envelope]));
  t.ok(
    server.received.every(
      (request) => JSON.stringify(request.body) === JSON.stringify(byId.get(request.body.id)),
    ),
    'each body is the event',
  );
  t.ok(server.maxInFlight() <= 5, `at most 5 in flight (saw ${server.maxInFlight()})`);
  t.ok(server.maxInFlight() >= 2, 'deliveries overlap');
});

t.test('by HTTP: a wrong key is refused, and the refusal counted, not thrown', async (t) => {
  const server = await ingestServer({ key: 'right' });
  t.teardown(() => server.close());
  const report = await emitRootEvents(envelopes(3), httpSink({ url: server.url, apiKey: 'wrong' }));
  t.equal(report.sent, 0);
  t.equal(report.failed.length, 3);
  t.match(report.failed[0], { error: /^HTTP 401/ });
  t.ok(new DeliveryRefusedError(401, 'x') instanceof Error);
});

t.test('a rate spaces deliveries evenly', async (t) => {
  const server = await ingestServer({ key: 'k' });
  t.teardown(() => server.close());
  const report = await emitRootEvents(envelopes(11), httpSink({ url: server.url, apiKey: 'k' }), {
    concurrency: 8,
    ratePerSecond: 50,
  });
  t.equal(report.sent, 11);
  // Ten intervals of 20 ms: at least 200 ms, whatever the concurrency.
  t.ok(report.elapsedMs >= 195, `11 events at 50/s took ${Math.round(report.elapsedMs)} ms`);
  const times = server.received.map((request) => request.at).sort((a, b) => a - b);
  t.ok((times.at(-1) as number) - (times[0] as number) >= 190, 'arrivals spread over the interval');
  await t.rejects(
    emitRootEvents([], httpSink({ url: server.url, apiKey: 'k' }), { ratePerSecond: 0 }),
    /ratePerSecond must be positive/,
  );
});

t.test('async sources are taken as they come', async (t) => {
  const server = await ingestServer({ key: 'k' });
  t.teardown(() => server.close());
  async function* stream() {
    for (const envelope of envelopes(5, 9)) yield envelope;
  }
  const report = await emitRootEvents(stream(), httpSink({ url: server.url, apiKey: 'k' }), {
    concurrency: 2,
  });
  t.equal(report.sent, 5);
});
