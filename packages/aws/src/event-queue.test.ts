// The SQS consumer of live root events over HTTP against moto_server's SQS (JSON protocol, as the
// SDK speaks it): delete after processing, leave on a throw, dead-letter on a refusal, stop without
// losing anything, back off when SQS fails.
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type IngestOutcome, parseRootEvent } from '@rootaudit/root-events';
import { iamUserApiCall, rootSignInWithMfa, rootSignInWithoutMfa } from '@rootaudit/root-events/fixtures';
import t from 'tap';
import {
  EventQueueConsumer,
  type EventQueueLogger,
  type EventQueueOptions,
  queueUrlFromArn,
  queueUrlRegion,
  REFUSED_REASON_ATTRIBUTE,
  SOURCE_MESSAGE_ID_ATTRIBUTE,
} from './event-queue.ts';
import { startMoto } from './testing.ts';

const moto = await startMoto();
if ('skip' in moto) {
  t.plan(0, moto.skip);
  process.exit(0);
}
t.teardown(() => moto.stop());
const { endpoint } = moto;

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' };
const region = 'eu-west-1';
const sqs = new SQSClient({ region, endpoint, credentials });
t.teardown(() => sqs.destroy());

let queues = 0;
/** A fresh queue (and its dead-letter queue unless told not to), messages visible again after `visibility` s. */
async function createQueues(
  options: { deadLetter?: boolean; visibility?: number; maxReceiveCount?: number } = {},
) {
  const name = `root-events-${++queues}`;
  let deadLetterUrl: string | null = null;
  const attributes: Record<string, string> = { VisibilityTimeout: String(options.visibility ?? 30) };
  if (options.deadLetter !== false) {
    deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl ?? '';
    const arn = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }),
    );
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: arn.Attributes?.QueueArn,
      maxReceiveCount: options.maxReceiveCount ?? 5,
    });
  }
  const url =
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? '';
  return { url, deadLetterUrl };
}

const send = (queueUrl: string, body: unknown) =>
  sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );

/** Every message the queue holds now, visible or not. */
async function depth(queueUrl: string): Promise<number> {
  const answer = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(answer.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(answer.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

async function receiveAll(queueUrl: string): Promise<Message[]> {
  const answer = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    }),
  );
  return answer.Messages ?? [];
}

interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  details: object;
  message: string;
}
function recordingLogger(): EventQueueLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (details: object, message: string) => {
    lines.push({ level, details, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The processing as the service does it, minus the database: parse, refuse what is not a root event. */
const parsingHandler =
  (seen: unknown[] = []) =>
  async (envelope: unknown): Promise<IngestOutcome> => {
    seen.push(envelope);
    const parsed = parseRootEvent(envelope);
    if (!parsed.ok) return { status: 'refused', reason: parsed.reason };
    return { status: 'stored', eventId: parsed.event.eventId, accountId: parsed.event.accountId };
  };

function consumer(
  t: { teardown(fn: () => unknown): void },
  options: Partial<EventQueueOptions> & { queueUrl: string },
) {
  const started = new EventQueueConsumer({
    handler: parsingHandler(),
    logger: recordingLogger(),
    endpoint,
    region,
    credentials,
    maxAttempts: 2,
    waitTimeSeconds: 1,
    ...options,
  });
  started.start();
  t.teardown(() => started.stop(0));
  return started;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The queue's depth once it reached 0, or after 5 s: deletes go out in batches a moment after
 * processing (and a refused event's after its copy reached the dead-letter queue). A message left
 * undeleted stays counted well past that (its visibility timeout is longer).
 */
async function emptied(url: string): Promise<number> {
  const deadline = Date.now() + 5_000;
  let count = await depth(url);
  while (count > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    count = await depth(url);
  }
  return count;
}

t.test('root events are handed to the processing as JSON and deleted once it returned', async (t) => {
  const { url, deadLetterUrl } = await createQueues();
  await send(url, rootSignInWithMfa);
  await send(url, rootSignInWithoutMfa);
  const seen: unknown[] = [];
  let deletedBeforeReturn = -1;
  const queue = consumer(t, {
    queueUrl: url,
    handler: async (envelope) => {
      // Still in the queue while the processing runs: deleted only after it returned.
      deletedBeforeReturn = Math.max(deletedBeforeReturn, 2 - (await depth(url)));
      return parsingHandler(seen)(envelope);
    },
  });
  await until('both deleted', () => queue.stats.deleted === 2);
  t.same(
    seen.map((envelope) => (envelope as { id: string }).id).sort(),
    [rootSignInWithMfa.id, rootSignInWithoutMfa.id].sort(),
  );
  t.equal(deletedBeforeReturn, 0, 'no message was deleted before its processing returned');
  t.equal(await emptied(url), 0);
  t.equal(await depth(deadLetterUrl ?? ''), 0);
  t.match(queue.stats, { received: 2, deleted: 2, deadLettered: 0, failed: 0 });
});

t.test(
  'a processing that throws leaves the message, which comes back after the visibility timeout',
  async (t) => {
    const { url, deadLetterUrl } = await createQueues({ visibility: 1 });
    await send(url, rootSignInWithMfa);
    let calls = 0;
    const logger = recordingLogger();
    const queue = consumer(t, {
      queueUrl: url,
      logger,
      handler: async (envelope) => {
        calls++;
        if (calls === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return parsingHandler()(envelope);
      },
    });
    await until('the second delivery processed', () => queue.stats.deleted === 1);
    t.equal(calls, 2, 'delivered again after the throw');
    t.equal(queue.stats.failed, 1);
    t.equal(await emptied(url), 0);
    t.equal(await depth(deadLetterUrl ?? ''), 0, 'a transient failure is not dead-lettered');
    t.match(
      logger.lines.find((line) => line.level === 'warn')?.message,
      /root event not processed \(connect ECONNREFUSED 127\.0\.0\.1:5432\); it is delivered again after the visibility timeout/,
    );
  },
);

t.test(
  'a message that always fails moves to the dead-letter queue after maxReceiveCount (SQS redrive)',
  async (t) => {
    const { url, deadLetterUrl } = await createQueues({ visibility: 1, maxReceiveCount: 2 });
    await send(url, rootSignInWithMfa);
    let calls = 0;
    consumer(t, {
      queueUrl: url,
      handler: async () => {
        calls++;
        throw new Error('database down');
      },
    });
    await until('redriven', async () => (await depth(deadLetterUrl ?? '')) === 1);
    t.equal(calls, 2, 'received maxReceiveCount times, then moved by SQS');
    t.equal(await emptied(url), 0);
  },
);

t.test(
  'a refused event goes to the dead-letter queue at once, with its reason, and leaves the queue',
  async (t) => {
    const { url, deadLetterUrl } = await createQueues({ maxReceiveCount: 5 });
    const sent = await send(url, iamUserApiCall);
    const logger = recordingLogger();
    const queue = consumer(t, { queueUrl: url, logger });
    await until('dead-lettered', () => queue.stats.deadLettered === 1 && queue.stats.deleted === 1);
    t.equal(await emptied(url), 0, 'deleted from the queue');
    const [moved] = await receiveAll(deadLetterUrl ?? '');
    t.ok(moved, 'in the dead-letter queue');
    t.same(JSON.parse(moved?.Body ?? ''), iamUserApiCall, 'the body as it was sent');
    const reason = moved?.MessageAttributes?.[REFUSED_REASON_ATTRIBUTE]?.StringValue ?? '';
    t.match(reason, /^not a root identity: detail\.userIdentity\.type is "IAMUser", not "Root"/);
    t.equal(moved?.MessageAttributes?.[SOURCE_MESSAGE_ID_ATTRIBUTE]?.StringValue, sent.MessageId);
    const line = logger.lines.find((entry) => entry.level === 'warn');
    t.match(line?.message, /root event refused \(not a root identity: .*\): moved to the dead-letter queue/);
    t.match(line?.details, { reason, deadLetterQueue: deadLetterUrl });
  },
);

t.test('a body that is not JSON is refused and dead-lettered without reaching the processing', async (t) => {
  const { url, deadLetterUrl } = await createQueues();
  await send(url, 'Root signed in! <not json>');
  const seen: unknown[] = [];
  const queue = consumer(t, { queueUrl: url, handler: parsingHandler(seen) });
  await until('dead-lettered', () => queue.stats.deadLettered === 1);
  t.same(seen, [], 'the processing never saw it');
  const [moved] = await receiveAll(deadLetterUrl ?? '');
  t.equal(moved?.Body, 'Root signed in! <not json>');
  t.match(moved?.MessageAttributes?.[REFUSED_REASON_ATTRIBUTE]?.StringValue, /^message body is not JSON: /);
  t.equal(await emptied(url), 0);
});

t.test('a queue without a redrive policy keeps a refused event, hidden, and says so at error', async (t) => {
  const { url } = await createQueues({ deadLetter: false, visibility: 1 });
  await send(url, iamUserApiCall);
  const logger = recordingLogger();
  const seen: unknown[] = [];
  const queue = consumer(t, { queueUrl: url, logger, handler: parsingHandler(seen) });
  await until('refused', () => queue.stats.refusedKept === 1);
  const line = logger.lines.find((entry) => entry.level === 'error');
  t.match(
    line?.message,
    /root event refused \(not a root identity: .*\) and kept in the queue: .* has no redrive policy/,
  );
  t.match(line?.message, /Give the queue a redrive policy with a dead-letter queue/);
  // Visibility 1 s, yet it does not come back: hidden for 12 hours.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  t.equal(seen.length, 1, 'not received again after the visibility timeout');
  t.equal(await depth(url), 1, 'never deleted');
  t.equal(queue.stats.deleted, 0);
});

t.test(
  'a consumer stopped mid-processing loses nothing: the next one gets the event after the visibility timeout',
  async (t) => {
    const { url } = await createQueues({ visibility: 1 });
    await send(url, rootSignInWithMfa);
    let release: () => void = () => {};
    let started = false;
    const first = new EventQueueConsumer({
      queueUrl: url,
      endpoint,
      region,
      credentials,
      waitTimeSeconds: 1,
      logger: recordingLogger(),
      handler: async (envelope) => {
        started = true;
        // Still processing when the worker stops.
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return parsingHandler()(envelope);
      },
    });
    first.start();
    await until('the first consumer processing', () => started);
    await first.stop(100);
    release();
    t.equal(first.stats.deleted, 0, 'the abandoned message was not deleted');
    t.equal(await depth(url), 1, 'still in the queue');

    const seen: unknown[] = [];
    const next = consumer(t, { queueUrl: url, handler: parsingHandler(seen) });
    await until('processed by the next consumer', () => next.stats.deleted === 1);
    t.same(seen, [rootSignInWithMfa]);
    t.equal(await emptied(url), 0);
  },
);

t.test('stop() aborts the long poll at once', async (t) => {
  const { url } = await createQueues();
  const queue = consumer(t, { queueUrl: url, waitTimeSeconds: 20 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const began = Date.now();
  await queue.stop(0);
  t.ok(Date.now() - began < 2_000, `stopped in ${Date.now() - began} ms, not after the 20 s wait`);
});

t.test('stop() lets messages in hand finish within the grace period, and deletes them', async (t) => {
  const { url } = await createQueues();
  await send(url, rootSignInWithMfa);
  let started = false;
  const queue = consumer(t, {
    queueUrl: url,
    handler: async (envelope) => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return parsingHandler()(envelope);
    },
  });
  await until('processing', () => started);
  await queue.stop(5_000);
  t.equal(queue.stats.deleted, 1);
  t.equal(await emptied(url), 0);
});

t.test(
  'the same event delivered three times is handed to the processing three times (it dedupes)',
  async (t) => {
    const { url } = await createQueues();
    for (let i = 0; i < 3; i++) await send(url, rootSignInWithMfa);
    const seen: unknown[] = [];
    const eventIds = new Set<string>();
    const queue = consumer(t, {
      queueUrl: url,
      handler: async (envelope) => {
        seen.push(envelope);
        const parsed = parseRootEvent(envelope);
        if (!parsed.ok) return { status: 'refused', reason: parsed.reason };
        const { eventId, accountId } = parsed.event;
        const status = eventIds.has(eventId) ? 'duplicate' : 'stored';
        eventIds.add(eventId);
        return { status, eventId, accountId };
      },
    });
    await until('all three deleted', () => queue.stats.deleted === 3);
    t.same(seen, [rootSignInWithMfa, rootSignInWithMfa, rootSignInWithMfa]);
    t.equal(eventIds.size, 1);
    t.equal(await emptied(url), 0);
  },
);

t.test('stop() deletes every message processed before it, however many wait for a batch', async (t) => {
  const { url } = await createQueues();
  for (let i = 0; i < 25; i++) await send(url, rootSignInWithMfa);
  let processed = 0;
  const queue = consumer(t, {
    queueUrl: url,
    concurrency: 30,
    // Processed messages wait for their batch until stop() comes.
    deleteBatchWindowMs: 60_000,
    handler: async (envelope) => {
      processed++;
      return parsingHandler()(envelope);
    },
  });
  await until('all processed', () => processed === 25 && queue.stats.deleteRequests >= 2);
  await queue.stop(5_000);
  t.equal(queue.stats.deleted, 25);
  t.equal(await emptied(url), 0);
});

t.test('processed messages are deleted ten to a request', async (t) => {
  const { url } = await createQueues();
  for (let i = 0; i < 10; i++) await send(url, rootSignInWithMfa);
  // Created before it starts, so one receive finds all ten.
  const queue = consumer(t, { queueUrl: url, concurrency: 10 });
  await until('all deleted', () => queue.stats.deleted === 10);
  t.ok(queue.stats.deleteRequests <= 2, `${queue.stats.deleteRequests} delete requests for 10 events`);
  t.equal(await emptied(url), 0);
});

t.test('messages are processed at most `concurrency` at once', async (t) => {
  const { url } = await createQueues();
  for (let i = 0; i < 8; i++) await send(url, rootSignInWithMfa);
  let running = 0;
  let most = 0;
  const queue = consumer(t, {
    queueUrl: url,
    concurrency: 3,
    handler: async (envelope) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 100));
      running--;
      return parsingHandler()(envelope);
    },
  });
  await until('all deleted', () => queue.stats.deleted === 8);
  t.ok(most <= 3, `at most 3 at once (saw ${most})`);
  t.ok(most >= 2, `more than one at once (saw ${most})`);
});

t.test('above 10 at once, several long polls share the places without asking for none', async (t) => {
  const { url } = await createQueues();
  for (let i = 0; i < 60; i += 10)
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: Array.from({ length: 10 }, (_, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(rootSignInWithMfa),
        })),
      }),
    );
  const logger = recordingLogger();
  const queue = consumer(t, { queueUrl: url, logger, concurrency: 30 });
  await until('all deleted', () => queue.stats.deleted >= 60);
  t.equal(queue.stats.receiveErrors, 0, 'no receive failed');
  t.same(
    logger.lines.filter((line) => line.level === 'error').map((line) => line.message),
    [],
  );
  // moto now and then hands one message to two concurrent receives: the count of deletes can reach
  // 60 with a message still on its way out. The queue empties all the same.
  await until('the queue empty', async () => (await depth(url)) === 0);
  t.equal(await emptied(url), 0);
});

t.test(
  'SQS failing: one error line per kind, backoff without spinning, one line when it recovers',
  async (t) => {
    const name = `root-events-later-${++queues}`;
    const url = `${endpoint}/123456789012/${name}`;
    const logger = recordingLogger();
    const queue = consumer(t, { queueUrl: url, logger, backoff: { initialMs: 200, maxMs: 400 } });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const errors = logger.lines.filter((line) => line.level === 'error');
    t.equal(errors.length, 1, 'one line for the kind, however many receives failed');
    t.match(
      errors[0]?.message,
      /cannot receive root events: AWS\.SimpleQueueService\.NonExistentQueue on sqs:ReceiveMessage: no queue .*: check the queue URL and its region; retrying with backoff/,
    );
    t.ok(queue.stats.receiveErrors >= 2, `tried again (${queue.stats.receiveErrors} failed receives)`);
    t.ok(
      queue.stats.receiveErrors <= 6,
      `backed off rather than spinning (${queue.stats.receiveErrors} in 1.5 s)`,
    );

    await sqs.send(new CreateQueueCommand({ QueueName: name }));
    await send(url, rootSignInWithMfa);
    await until('processed once the queue exists', () => queue.stats.deleted === 1);
    t.match(
      logger.lines.find((line) => line.level === 'info' && /again/.test(line.message)),
      {
        message: 'receiving root events again',
        details: { code: 'AWS.SimpleQueueService.NonExistentQueue' },
      },
    );
  },
);

t.test('access denied is named with the permissions to grant', async (t) => {
  // moto grants every call: an endpoint answering as SQS does when the policy refuses (JSON protocol,
  // with the query-compatible code header).
  const { createServer } = await import('node:http');
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    request.resume();
    response.writeHead(400, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': 'AccessDenied;Sender',
    });
    response.end(
      JSON.stringify({
        __type: 'com.amazon.coral.service#AccessDeniedException',
        message:
          'User: arn:aws:iam::111122223333:user/worker is not authorized to perform: sqs:receivemessage',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as import('node:net').AddressInfo).port;
  const logger = recordingLogger();
  const queue = consumer(t, {
    queueUrl: `http://127.0.0.1:${port}/111122223333/root-events`,
    endpoint: `http://127.0.0.1:${port}`,
    logger,
    backoff: { initialMs: 200, maxMs: 400 },
  });
  await until('two failed receives', () => queue.stats.receiveErrors >= 2);
  const errors = logger.lines.filter((line) => line.level === 'error');
  t.equal(errors.length, 1);
  t.match(
    errors[0]?.message,
    /^cannot receive root events: AccessDenied\w* on sqs:ReceiveMessage: the worker's AWS credentials may not read http:\/\/127\.0\.0\.1:\d+\/111122223333\/root-events: allow sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes, sqs:ChangeMessageVisibility on it \(and sqs:SendMessage on its dead-letter queue\); retrying with backoff$/,
  );
  t.match(errors[0]?.details, { cause: /not authorized to perform: sqs:receivemessage/ });
  t.ok(requests <= 8, `backed off (${requests} requests)`);
});

t.test('queue URLs: the region from AWS hosts, dead-letter queue URLs from ARNs', async (t) => {
  t.equal(queueUrlRegion('https://sqs.eu-central-1.amazonaws.com/111122223333/root-events'), 'eu-central-1');
  t.equal(queueUrlRegion('https://eu-west-1.queue.amazonaws.com/111122223333/root-events'), 'eu-west-1');
  t.equal(queueUrlRegion('https://sqs.cn-north-1.amazonaws.com.cn/111122223333/root-events'), 'cn-north-1');
  t.equal(
    queueUrlRegion('https://vpce-0123-abcd.sqs.us-east-2.vpce.amazonaws.com/111122223333/root-events'),
    'us-east-2',
  );
  t.equal(queueUrlRegion('http://127.0.0.1:4566/000000000000/root-events'), null);
  t.equal(
    queueUrlFromArn(
      'arn:aws:sqs:eu-central-1:111122223333:root-events-dlq',
      'https://sqs.eu-central-1.amazonaws.com/111122223333/root-events',
    ),
    'https://sqs.eu-central-1.amazonaws.com/111122223333/root-events-dlq',
  );
  t.equal(
    queueUrlFromArn(
      'arn:aws:sqs:us-east-1:000000000000:dlq.fifo',
      'http://127.0.0.1:4566/000000000000/q.fifo',
    ),
    'http://127.0.0.1:4566/000000000000/dlq.fifo',
  );
  t.equal(queueUrlFromArn('arn:aws:sns:us-east-1:000000000000:topic', 'http://127.0.0.1:4566/0/q'), null);
});
