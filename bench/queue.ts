/**
 * Pull throughput of live root events (BENCHMARKS.md §8): how many queued events per second the
 * worker's SQS consumer (`EventQueueConsumer` of @rootaudit/aws, the real one, over HTTP) takes off
 * a queue of moto_server's SQS with processing that does nothing (it yields once and answers
 * `stored`), so the figure is the consumer's and the queue's, not the database's.
 *
 * What bounds it: moto serves every request in one Python process, so the rate is that of the
 * requests each event costs (its share of a ReceiveMessage of up to 10, and of a delete). The
 * baseline, measured in the same run on the same moto, is a bare SDK loop doing the least the SQS
 * API needs per event: receive 10, delete each with DeleteMessage; the table gives the consumer's
 * rate over it. The consumer deletes ten to a DeleteMessageBatch and keeps several receives and
 * deletes in flight, so it may go faster than that loop.
 */
import { EventQueueConsumer } from '@rootaudit/aws';
import { startMoto, testQueues } from '@rootaudit/aws/testing';
import { round } from './support.ts';
import type { BenchOptions, BenchSection } from './types.ts';

const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' };
const REGION = 'us-east-1';
/** The target for events ingested per second by pull (with the real processing). */
const TARGET_PER_SECOND = 1000;

/** A console sign-in as EventBridge delivers it (the size of a real one, ~1.3 kB). */
const EVENT = {
  version: '0',
  id: '6f2c8a1e-0b7d-4c55-9a41-2d3e5f6a7b8c',
  'detail-type': 'AWS Console Sign In via CloudTrail',
  source: 'aws.signin',
  account: '111122223333',
  time: '2026-11-20T08:15:02Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    eventVersion: '1.08',
    userIdentity: {
      type: 'Root',
      principalId: '111122223333',
      arn: 'arn:aws:iam::111122223333:root',
      accountId: '111122223333',
    },
    eventTime: '2026-11-20T08:15:02Z',
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.24',
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
    requestParameters: null,
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: {
      LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
      MobileVersion: 'No',
      MFAIdentifier: 'arn:aws:iam::111122223333:mfa/root-account-mfa-device',
      MFAUsed: 'Yes',
    },
    eventID: '3c5a2b1d-7e8f-4a9b-8c0d-1e2f3a4b5c6d',
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: 'signin.aws.amazon.com',
    },
  },
};

const silent = {
  debug() {},
  info() {},
  warn(details: object, message: string) {
    process.stderr.write(`warn ${message} ${JSON.stringify(details)}\n`);
  },
  error(details: object, message: string) {
    process.stderr.write(`error ${message} ${JSON.stringify(details)}\n`);
  },
};

interface PullRun {
  concurrency: number;
  events: number;
  seconds: number;
  perSecond: number;
  receives: number;
  deleteRequests: number;
  requestsPerEvent: number;
  /** Events per second of a bare SDK loop (receive 10, delete each) on the same moto. */
  baselinePerSecond: number;
}

export async function runQueueBenchmark(options: BenchOptions): Promise<BenchSection | null> {
  const moto = await startMoto();
  if ('skip' in moto) {
    options.log(`queue: skipped: ${moto.skip}`);
    return null;
  }
  const { endpoint } = moto;
  const queues = await testQueues(endpoint, CREDENTIALS, REGION);
  const events = options.quick ? 500 : 3000;
  const runs: PullRun[] = [];
  try {
    for (const concurrency of [10, 50]) {
      const { url } = await queues.create();
      await queues.sendMany(url, EVENT, events);

      // Baseline: the least the SQS API needs per event, on the same moto, now: one bare SDK loop that
      // receives 10 and deletes each with DeleteMessage, nothing around it. One loop: moto hands a
      // message to two concurrent receives at times, which leaves bare loops chasing it.
      const bare = await queues.create();
      await queues.sendMany(bare.url, EVENT, events);
      let bareDone = 0;
      const baselineStarted = performance.now();
      while (bareDone < events) bareDone += await queues.receiveAndDelete(bare.url);
      const baselinePerSecond = events / ((performance.now() - baselineStarted) / 1000);

      const consumer = new EventQueueConsumer({
        queueUrl: url,
        endpoint,
        region: REGION,
        credentials: CREDENTIALS,
        logger: silent,
        concurrency,
        waitTimeSeconds: 1,
        handler: async () => {
          await new Promise((resolve) => setTimeout(resolve, 0));
          return { status: 'stored', eventId: 'bench', accountId: '111122223333' };
        },
      });
      const started = performance.now();
      consumer.start();
      // Done when every event is deleted, or the queue is empty (a message moto handed to two receives
      // at once is deleted once, by either).
      let lastLook = performance.now();
      while (consumer.stats.deleted < events) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (performance.now() - lastLook > 1000) {
          lastLook = performance.now();
          if ((await queues.depth(url)) === 0) break;
        }
        if (performance.now() - started > 600_000)
          throw new Error('queue: events not consumed in 10 minutes');
      }
      const seconds = (performance.now() - started) / 1000;
      await consumer.stop(0);
      const deleteRequests = consumer.stats.deleteRequests;
      const run: PullRun = {
        concurrency,
        events,
        seconds: round(seconds),
        perSecond: round(events / seconds, 0),
        receives: consumer.stats.receives,
        deleteRequests,
        requestsPerEvent: round((consumer.stats.receives + deleteRequests) / events),
        baselinePerSecond: round(baselinePerSecond, 0),
      };
      options.log(`queue: ${JSON.stringify(run)}`);
      runs.push(run);
    }
  } finally {
    queues.destroy();
    await moto.stop();
  }
  return {
    id: 'queue',
    title: 'Live root events by pull: SQS consumer throughput',
    rows: runs.flatMap((run) => [
      {
        name: `pull, no-op processing, ${run.concurrency} at once: events consumed per second (moto)`,
        value: run.perSecond,
        unit: 'events/s',
        target: `≥ ${TARGET_PER_SECOND} (moto bounds it)`,
        met: run.perSecond >= TARGET_PER_SECOND,
        note: `bound by moto's SQS, one Python process: ${run.requestsPerEvent} requests per event (${run.receives} ReceiveMessage, ${run.deleteRequests} DeleteMessageBatch for ${run.events} events); a bare SDK loop receiving 10 and deleting each with DeleteMessage reached ${run.baselinePerSecond} events/s on it in this run`,
      },
      {
        name: `pull, ${run.concurrency} at once: consumer / a bare receive-and-delete loop`,
        value: round(run.perSecond / run.baselinePerSecond),
        unit: '×',
      },
    ]),
    details: { runs },
  };
}
