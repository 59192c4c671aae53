/**
 * Delivers simulated root events (root-activity.ts) the two ways AWS delivers them to rootaudit:
 * into an SQS queue, the message body being the event's JSON as an EventBridge SQS target sends it,
 * and by HTTP POST with `Authorization: Bearer <key>`, as an EventBridge API destination with an
 * API-key connection sends it. Bounded concurrency and an optional rate (events per second), for
 * demos and benchmarks.
 */
import { SendMessageCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import type { EventBridgeEnvelope } from './root-activity.ts';

/** Delivers one event; rejects when it was not accepted. */
export type RootEventSink = (envelope: EventBridgeEnvelope) => Promise<void>;

export interface SqsSinkOptions {
  queueUrl: string;
  /** A client of your own; else one is made from `clientConfig` (region, endpoint, credentials). */
  client?: SQSClient;
  clientConfig?: SQSClientConfig;
}

/** Sends each event as one SQS message whose body is the event's JSON. */
export function sqsSink(options: SqsSinkOptions): RootEventSink & { close(): void } {
  const own = options.client === undefined;
  const client = options.client ?? new SQSClient(options.clientConfig ?? {});
  const sink = async (envelope: EventBridgeEnvelope) => {
    await client.send(
      new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: JSON.stringify(envelope) }),
    );
  };
  return Object.assign(sink, {
    close() {
      if (own) client.destroy();
    },
  });
}

export interface HttpSinkOptions {
  /** The full URL, e.g. http://127.0.0.1:3000/v1/events/aws. */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
}

export class DeliveryRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
    this.name = 'DeliveryRefusedError';
  }
}

/** POSTs each event as its JSON body; anything but 2xx rejects with DeliveryRefusedError. */
export function httpSink(options: HttpSinkOptions): RootEventSink {
  return async (envelope) => {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
      body: JSON.stringify(envelope),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const body = await response.text();
    if (response.status < 200 || response.status > 299) throw new DeliveryRefusedError(response.status, body);
  };
}

export interface EmitOptions {
  /** Deliveries in flight at once. Default 8. */
  concurrency?: number;
  /** At most this many deliveries start per second (evenly spaced). Default: as fast as they go. */
  ratePerSecond?: number;
  /** Called after each delivery, with its outcome. */
  onDelivered?: (envelope: EventBridgeEnvelope, error: Error | null) => void;
}

export interface EmitReport {
  sent: number;
  failed: { id: string; error: string }[];
  elapsedMs: number;
}

/**
 * Delivers every event through the sink. A refused or failed delivery is counted in `failed`, not
 * thrown: the others still go.
 */
export async function emitRootEvents(
  envelopes: Iterable<EventBridgeEnvelope> | AsyncIterable<EventBridgeEnvelope>,
  sink: RootEventSink,
  options: EmitOptions = {},
): Promise<EmitReport> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const rate = options.ratePerSecond;
  if (rate !== undefined && !(rate > 0)) throw new Error(`ratePerSecond must be positive, got ${rate}`);
  const started = performance.now();
  const iterator =
    Symbol.asyncIterator in envelopes
      ? envelopes[Symbol.asyncIterator]()
      : (envelopes as Iterable<EventBridgeEnvelope>)[Symbol.iterator]();
  const report: EmitReport = { sent: 0, failed: [], elapsedMs: 0 };
  let index = 0;
  // Workers share one iterator; a slot in the rate's schedule is taken before each delivery.
  const worker = async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const slot = index++;
      if (rate !== undefined) {
        const due = started + (slot * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      try {
        await sink(next.value);
        report.sent++;
        options.onDelivered?.(next.value, null);
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        report.failed.push({ id: next.value.id, error: failure.message });
        options.onDelivered?.(next.value, failure);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  report.elapsedMs = performance.now() - started;
  return report;
}

export * from './root-activity.ts';
