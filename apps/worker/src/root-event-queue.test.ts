// The worker's part of live root activity: with ROOTAUDIT_EVENTS_QUEUE_URL set it consumes the SQS
// queue (moto over HTTP) through the processing it is given, and a worker stopped mid-event loses
// nothing. The consumer's own rules are tested in @rootaudit/aws (event-queue.test.ts).
import { startMoto, testQueues } from '@rootaudit/aws/testing';
import { loadConfig } from '@rootaudit/config';
import { createLogger } from '@rootaudit/log';
import { startQueue, stopQueue } from '@rootaudit/queue';
import { type IngestOutcome, parseRootEvent } from '@rootaudit/root-events';
import { rootSignInWithMfa } from '@rootaudit/root-events/fixtures';
import t from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { startWorker } from './worker.ts';

const moto = await startMoto();
if ('skip' in moto) {
  t.plan(0, moto.skip);
  process.exit(0);
}
t.teardown(() => moto.stop());
const { endpoint } = moto;
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' };
const queues = await testQueues(endpoint, credentials);
t.teardown(() => queues.destroy());

const { url: databaseUrl, prisma } = await testDatabase(t);
const logger = createLogger({ level: 'silent' });
const boss = await startQueue(databaseUrl, logger);
t.teardown(() => stopQueue(boss, { timeoutMs: 5_000 }));

const stored = async (envelope: unknown): Promise<IngestOutcome> => {
  const parsed = parseRootEvent(envelope);
  if (!parsed.ok) return { status: 'refused', reason: parsed.reason };
  return { status: 'stored', eventId: parsed.event.eventId, accountId: parsed.event.accountId };
};

function worker(queueUrl: string | null, ingest?: (envelope: unknown) => Promise<IngestOutcome>) {
  return startWorker({
    config: loadConfig({
      DATABASE_URL: databaseUrl,
      ...(queueUrl ? { ROOTAUDIT_EVENTS_QUEUE_URL: queueUrl } : {}),
    }),
    logger,
    database: { prisma },
    boss,
    clients: { endpoint, credentials },
    pollingIntervalSeconds: 0.5,
    shutdownGraceMs: 200,
    rootEvents: { ...(ingest ? { ingest } : {}), queue: { waitTimeSeconds: 1 } },
  });
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

t.test(
  'with ROOTAUDIT_EVENTS_QUEUE_URL set, the worker processes queued root events and deletes them',
  async (t) => {
    const { url } = await queues.create();
    await queues.send(url, rootSignInWithMfa);
    const seen: unknown[] = [];
    const running = await worker(url, async (envelope) => {
      seen.push(envelope);
      return stored(envelope);
    });
    t.teardown(() => running.close());
    await until('processed and deleted', async () => seen.length === 1 && (await queues.depth(url)) === 0);
    t.same(seen, [rootSignInWithMfa]);
  },
);

t.test('a worker stopped while processing an event loses it not: the next worker processes it', async (t) => {
  const { url } = await queues.create({ visibility: 1 });
  await queues.send(url, rootSignInWithMfa);
  let began = false;
  const first = await worker(url, async (envelope) => {
    began = true;
    // Still processing when the worker is stopped (longer than its 200 ms grace).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return stored(envelope);
  });
  await until('the first worker processing', () => began);
  await first.close();
  t.equal(await queues.depth(url), 1, 'the event is still queued');

  const seen: unknown[] = [];
  const next = await worker(url, async (envelope) => {
    seen.push(envelope);
    return stored(envelope);
  });
  t.teardown(() => next.close());
  await until(
    'processed by the next worker',
    async () => seen.length === 1 && (await queues.depth(url)) === 0,
  );
  t.same(seen, [rootSignInWithMfa]);
});
