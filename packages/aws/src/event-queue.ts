/**
 * The pull way in of live root activity (SPEC §3a): a consumer of the SQS queue an EventBridge rule
 * sends root events to. Outbound only: it long-polls the queue, hands each message's JSON body (the
 * EventBridge event, as an SQS target without input transformer sends it) to the processing, and
 * deletes the message only once the processing returned, that is once the event was committed.
 *
 * - The processing throws (the database is down): the message is left. It becomes visible again
 *   after the queue's visibility timeout, and the queue's redrive policy moves it to the dead-letter
 *   queue after `maxReceiveCount` receives.
 * - The processing refuses it (malformed, not root), or the body is not JSON: delivering it again
 *   cannot help, so it is sent to the dead-letter queue of the queue's redrive policy at once, with
 *   the reason as a message attribute, then deleted. A queue without a redrive policy has nowhere to
 *   put it: the message is kept (never deleted unseen), logged at error each time it comes back, and
 *   hidden for 12 hours at a time until the queue's retention period ends.
 * - SQS fails (AccessDenied, unreachable): the consumer backs off (1 s doubling to 60 s) and logs
 *   one line per kind of failure, again every 5 minutes while it lasts, and once when it recovers.
 * - Stopping: no new receive; the receive in flight is aborted; messages in hand get the grace
 *   period to finish (and are deleted), the others are abandoned undeleted and come back after the
 *   visibility timeout, to this or another worker. A stopped worker loses no event; the processing
 *   dedupes what comes back.
 *
 * IAM: sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes and sqs:ChangeMessageVisibility
 * on the queue, sqs:SendMessage on its dead-letter queue (`eventQueueActions`).
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { IngestOutcome, RootEventHandler } from '@rootaudit/root-events';
import { type CredentialSource, type SdkClientSettings, sdkClientConfig } from './clients.ts';
import { errorCode, errorMessage, isAwsUnavailable } from './errors.ts';

/** Every IAM action the consumer calls (the queue's, then its dead-letter queue's). */
export const eventQueueActions = {
  queue: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
  deadLetterQueue: ['sqs:SendMessage'],
} as const;

/** The message attributes a refused message carries into the dead-letter queue. */
export const REFUSED_REASON_ATTRIBUTE = 'rootaudit.refused-reason';
export const SOURCE_MESSAGE_ID_ATTRIBUTE = 'rootaudit.source-message-id';

/** SQS's limits: messages per receive, message attributes per message, longest visibility timeout. */
const MAX_MESSAGES_PER_RECEIVE = 10;
const MAX_MESSAGE_ATTRIBUTES = 10;
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/** pino's shape, so the worker's logger fits. */
export interface EventQueueLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface EventQueueOptions extends SdkClientSettings {
  /** The queue, as SQS names it: https://sqs.<region>.amazonaws.com/<account>/<name> (or an emulator's). */
  queueUrl: string;
  /** Processes one event; its outcome says whether the message is deleted or dead-lettered. */
  handler: RootEventHandler;
  logger: EventQueueLogger;
  /** Messages in hand at once [10]; one long poll runs per 10. */
  concurrency?: number;
  /** How long one ReceiveMessage waits for messages, 0-20 s [20]. */
  waitTimeSeconds?: number;
  /** Region to sign for when the queue URL does not name one (an emulator's) [us-east-1]. */
  region?: string;
  /** Base credentials; unset: the SDK default chain, as for every other AWS call. */
  credentials?: CredentialSource;
  /** After a failed receive: the first wait, doubled up to the longest [1 s, 60 s]. */
  backoff?: { initialMs: number; maxMs: number };
  /** How long the redrive policy read is trusted before it is read again [5 min]. */
  redrivePolicyTtlMs?: number;
  /**
   * How long a processed message waits for others to be deleted with it, up to 10 a request [10 ms].
   * One request per event would be most of what the queue is asked (and billed).
   */
  deleteBatchWindowMs?: number;
}

export interface EventQueueStats {
  received: number;
  /** Processed (stored, duplicate, own session, foreign account) and deleted. */
  deleted: number;
  /** Refused and moved to the dead-letter queue. */
  deadLettered: number;
  /** Refused with no dead-letter queue to move it to (or the move failed): kept in the queue. */
  refusedKept: number;
  /** The processing threw: left for a later delivery. */
  failed: number;
  /** ReceiveMessage calls answered, messages or not. */
  receives: number;
  /** DeleteMessageBatch requests made (up to 10 messages each). */
  deleteRequests: number;
  /** ReceiveMessage calls that failed. */
  receiveErrors: number;
}

/** The region in an SQS queue URL's host (sqs.<region>.amazonaws.com, <region>.queue.amazonaws.com, VPC endpoints), else null. */
export function queueUrlRegion(queueUrl: string): string | null {
  const host = new URL(queueUrl).hostname;
  const match =
    /(?:^|\.)sqs[.-]([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/.exec(host) ??
    /^([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.queue\.amazonaws\.com(?:\.cn)?$/.exec(host);
  return match?.[1] ?? null;
}

/**
 * The URL of a queue named by ARN (a redrive policy's deadLetterTargetArn), on the endpoint of
 * `sourceQueueUrl`: a dead-letter queue lives in its source queue's region, and an ARN carries no
 * endpoint (a VPC endpoint, an emulator). Null for anything that is not an SQS queue ARN.
 */
export function queueUrlFromArn(arn: string, sourceQueueUrl: string): string | null {
  const match = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:(\d{12}):([\w-]{1,80}(?:\.fifo)?)$/.exec(arn);
  if (!match) return null;
  return `${new URL(sourceQueueUrl).origin}/${match[1]}/${match[2]}`;
}

type DeadLetterQueue = { url: string } | { none: string };

/** A processed message waiting for its DeleteMessageBatch; told whether it was deleted. */
interface PendingDelete {
  message: Message;
  about: object;
  deleted: (done: boolean) => void;
}

/** A count of free places, awaited by those that need one. */
class Slots {
  #waiting: (() => void)[] = [];
  constructor(public free: number) {}
  take(count: number) {
    this.free -= count;
  }
  give(count: number) {
    this.free += count;
    if (this.free > 0) for (const wake of this.#waiting.splice(0)) wake();
  }
  /** Resolves once a place is free, or at once when `signal` aborted. */
  async untilFree(signal: AbortSignal): Promise<void> {
    while (this.free <= 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        // Waits happen all day long: each takes its abort listener away again.
        const done = () => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.#waiting.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

const CREDENTIAL_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'InvalidSecurity',
  'CredentialsProviderError',
]);
const MISSING_QUEUE_ERRORS = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

/** What to do about a failed ReceiveMessage, by its kind. */
function receiveFailureHint(code: string, error: unknown, queueUrl: string): string {
  if (CREDENTIAL_ERRORS.has(code))
    return `the worker's AWS credentials may not read ${queueUrl}: allow ${eventQueueActions.queue.join(', ')} on it (and sqs:SendMessage on its dead-letter queue)`;
  if (MISSING_QUEUE_ERRORS.has(code)) return `no queue ${queueUrl}: check the queue URL and its region`;
  if (isAwsUnavailable(error)) return 'SQS is unreachable or failing';
  return 'SQS refused the receive';
}

export class EventQueueConsumer {
  readonly queueUrl: string;
  readonly #options: EventQueueOptions;
  readonly #sqs: SQSClient;
  readonly #log: EventQueueLogger;
  readonly #concurrency: number;
  readonly #waitTimeSeconds: number;
  readonly #slots: Slots;
  /** Aborted by stop(): no new receive, the one in flight is aborted. */
  readonly #stopping = new AbortController();
  /** Set once stop() gave up waiting: messages still in hand are neither deleted nor dead-lettered. */
  #abandoned = false;
  readonly #inHand = new Set<Promise<void>>();
  /** Processed messages waiting for their DeleteMessageBatch. */
  #toDelete: PendingDelete[] = [];
  #deleteTimer: NodeJS.Timeout | null = null;
  /** DeleteMessageBatch requests in flight. */
  readonly #deleting = new Set<Promise<void>>();
  #receivers: Promise<void>[] = [];
  #deadLetterQueue: { resolved: Promise<DeadLetterQueue>; at: number } | null = null;
  /** The failure receives are meeting, for one line per kind (and a reminder while it lasts). */
  #failing: { kind: string; since: number; count: number; loggedAt: number } | null = null;
  #backoffMs = 0;
  readonly stats: EventQueueStats = {
    received: 0,
    deleted: 0,
    deadLettered: 0,
    refusedKept: 0,
    failed: 0,
    receives: 0,
    deleteRequests: 0,
    receiveErrors: 0,
  };

  constructor(options: EventQueueOptions) {
    this.#options = options;
    this.queueUrl = options.queueUrl;
    this.#log = options.logger;
    this.#concurrency = Math.max(1, options.concurrency ?? 10);
    this.#waitTimeSeconds = Math.min(20, Math.max(0, options.waitTimeSeconds ?? 20));
    this.#slots = new Slots(this.#concurrency);
    const region = queueUrlRegion(options.queueUrl) ?? options.region ?? 'us-east-1';
    this.#sqs = new SQSClient(
      sdkClientConfig(
        {
          ...options,
          // A long poll holds the request open for the wait: a request timeout shorter than that
          // would cut every empty receive.
          requestTimeoutMs: Math.max(
            options.requestTimeoutMs ?? 30_000,
            this.#waitTimeSeconds * 1000 + 10_000,
          ),
        },
        region,
        options.credentials,
      ),
    );
  }

  /** Starts the long polls (one per 10 messages of concurrency). */
  start(): void {
    if (this.#receivers.length > 0) return;
    const receivers = Math.ceil(this.#concurrency / MAX_MESSAGES_PER_RECEIVE);
    for (let index = 0; index < receivers; index++) this.#receivers.push(this.#receive());
    this.#log.info(
      { queueUrl: this.queueUrl, concurrency: this.#concurrency, waitTimeSeconds: this.#waitTimeSeconds },
      'consuming root events from the queue',
    );
  }

  /**
   * Stops consuming. Messages in hand get `graceMs` to finish (their messages are deleted or
   * dead-lettered); those still unfinished are abandoned, undeleted: SQS delivers them again after
   * the visibility timeout.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping.abort();
    await Promise.allSettled(this.#receivers);
    if (this.#inHand.size > 0) {
      const timeUp = new AbortController();
      await Promise.race([
        Promise.allSettled([...this.#inHand]).then(() => timeUp.abort()),
        sleep(graceMs, timeUp.signal),
      ]);
      timeUp.abort();
    }
    this.#abandoned = true;
    // Those processed within the grace are deleted now, not left for the batch window, and every
    // delete is answered before the client closes.
    while (this.#toDelete.length > 0) void this.#flushDeletes();
    await Promise.allSettled([...this.#deleting]);
    if (this.#inHand.size > 0)
      this.#log.warn(
        { queueUrl: this.queueUrl, abandoned: this.#inHand.size, graceMs },
        `stopped with ${this.#inHand.size} root event(s) unfinished: not deleted, SQS delivers them again after the visibility timeout`,
      );
    this.#sqs.destroy();
  }

  async #receive(): Promise<void> {
    const signal = this.#stopping.signal;
    while (!signal.aborted) {
      await this.#slots.untilFree(signal);
      if (signal.aborted) return;
      // Another long poll woken with this one may have taken the places first.
      if (this.#slots.free <= 0) continue;
      const wanted = Math.min(MAX_MESSAGES_PER_RECEIVE, this.#slots.free);
      this.#slots.take(wanted);
      let messages: Message[];
      try {
        const answer = await this.#sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: wanted,
            WaitTimeSeconds: this.#waitTimeSeconds,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId'],
          }),
          { abortSignal: signal },
        );
        messages = answer.Messages ?? [];
      } catch (error) {
        this.#slots.give(wanted);
        if (signal.aborted) return;
        await sleep(this.#receiveFailed(error), signal);
        continue;
      }
      this.stats.receives++;
      this.#receiveSucceeded();
      this.#slots.give(wanted - messages.length);
      this.stats.received += messages.length;
      const receivedAt = Date.now();
      for (const message of messages) {
        const handling = this.#handle(message, receivedAt).finally(() => {
          this.#inHand.delete(handling);
          this.#slots.give(1);
        });
        this.#inHand.add(handling);
      }
    }
  }

  /** Logs the failure (once per kind, then every 5 minutes) and answers how long to wait. */
  #receiveFailed(error: unknown): number {
    this.stats.receiveErrors++;
    const code = errorCode(error);
    const now = Date.now();
    const backoff = this.#options.backoff ?? { initialMs: 1_000, maxMs: 60_000 };
    this.#backoffMs = Math.min(
      backoff.maxMs,
      this.#backoffMs === 0 ? backoff.initialMs : this.#backoffMs * 2,
    );
    if (this.#failing?.kind === code) {
      this.#failing.count++;
      if (now - this.#failing.loggedAt < 5 * 60_000) return this.#backoffMs;
      this.#failing.loggedAt = now;
    } else {
      this.#failing = { kind: code, since: now, count: 1, loggedAt: now };
    }
    const hint = receiveFailureHint(code, error, this.queueUrl);
    this.#log.error(
      {
        queueUrl: this.queueUrl,
        code,
        failedReceives: this.#failing.count,
        retryInMs: this.#backoffMs,
        cause: errorMessage(error),
      },
      `cannot receive root events: ${code} on sqs:ReceiveMessage: ${hint}; retrying with backoff`,
    );
    return this.#backoffMs;
  }

  #receiveSucceeded(): void {
    this.#backoffMs = 0;
    if (!this.#failing) return;
    this.#log.info(
      {
        queueUrl: this.queueUrl,
        code: this.#failing.kind,
        failedReceives: this.#failing.count,
        downMs: Date.now() - this.#failing.since,
      },
      'receiving root events again',
    );
    this.#failing = null;
  }

  async #handle(message: Message, receivedAt: number): Promise<void> {
    const about = {
      queueUrl: this.queueUrl,
      messageId: message.MessageId,
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
    };
    let outcome: IngestOutcome | undefined;
    let envelope: unknown;
    try {
      envelope = JSON.parse(message.Body ?? '');
    } catch (error) {
      outcome = { status: 'refused', reason: `message body is not JSON: ${errorMessage(error)}` };
    }
    try {
      outcome ??= await this.#options.handler(envelope);
    } catch (error) {
      this.stats.failed++;
      this.#log.warn(
        { ...about, err: error },
        `root event not processed (${errorMessage(error)}); it is delivered again after the visibility timeout`,
      );
      return;
    }
    if (this.#abandoned) return;
    if (outcome.status === 'refused') {
      await this.#refuse(message, receivedAt, outcome.reason, about);
      return;
    }
    if (await this.#delete(message, about))
      this.#log.debug(
        { ...about, status: outcome.status, eventId: outcome.eventId, accountId: outcome.accountId },
        'root event processed',
      );
  }

  /** Deletes the message with others processed within the batch window; answers whether it was deleted. */
  #delete(message: Message, about: object): Promise<boolean> {
    return new Promise((deleted) => {
      this.#toDelete.push({ message, about, deleted });
      if (this.#toDelete.length >= MAX_MESSAGES_PER_RECEIVE) void this.#flushDeletes();
      else
        this.#deleteTimer ??= setTimeout(
          () => void this.#flushDeletes(),
          this.#options.deleteBatchWindowMs ?? 10,
        );
    });
  }

  #flushDeletes(): Promise<void> {
    if (this.#deleteTimer) clearTimeout(this.#deleteTimer);
    this.#deleteTimer = null;
    const batch = this.#toDelete.splice(0, MAX_MESSAGES_PER_RECEIVE);
    if (this.#toDelete.length > 0) void this.#flushDeletes();
    if (batch.length === 0) return Promise.resolve();
    const deleting = this.#deleteBatch(batch).finally(() => this.#deleting.delete(deleting));
    this.#deleting.add(deleting);
    return deleting;
  }

  async #deleteBatch(batch: PendingDelete[]): Promise<void> {
    this.stats.deleteRequests++;
    let failed: Map<string, string>;
    try {
      const answer = await this.#sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map(({ message }, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      failed = new Map((answer.Failed ?? []).map((entry) => [entry.Id ?? '', entry.Code ?? 'UnknownError']));
    } catch (error) {
      failed = new Map(batch.map((_, index) => [String(index), errorCode(error)]));
    }
    batch.forEach(({ about, deleted }, index) => {
      const code = failed.get(String(index));
      if (code === undefined) {
        this.stats.deleted++;
        deleted(true);
        return;
      }
      // Processed, not deleted: it comes back and the processing finds it a duplicate.
      this.#log.warn(
        { ...about, code },
        `root event processed but not deleted from the queue (${code} on sqs:DeleteMessage); it is delivered again and found a duplicate`,
      );
      deleted(false);
    });
  }

  async #refuse(message: Message, receivedAt: number, reason: string, about: object): Promise<void> {
    let deadLetterQueue: DeadLetterQueue;
    try {
      deadLetterQueue = await this.#resolveDeadLetterQueue();
    } catch (error) {
      this.stats.refusedKept++;
      this.#log.error(
        { ...about, reason, code: errorCode(error), err: error },
        `root event refused (${reason}) but kept: its dead-letter queue is unknown (${errorCode(error)} on sqs:GetQueueAttributes); SQS moves it there after maxReceiveCount receives`,
      );
      return;
    }
    if ('none' in deadLetterQueue) {
      this.stats.refusedKept++;
      this.#log.error(
        { ...about, reason },
        `root event refused (${reason}) and kept in the queue: ${deadLetterQueue.none}; it is hidden for 12 hours at a time until the queue's retention period ends. Give the queue a redrive policy with a dead-letter queue`,
      );
      await this.#hide(message, receivedAt, about);
      return;
    }
    try {
      await this.#sqs.send(
        new SendMessageCommand({
          QueueUrl: deadLetterQueue.url,
          MessageBody: message.Body,
          MessageAttributes: deadLetterAttributes(message, reason),
          ...(deadLetterQueue.url.endsWith('.fifo')
            ? {
                MessageGroupId: message.Attributes?.MessageGroupId ?? 'rootaudit-refused',
                MessageDeduplicationId: message.MessageId,
              }
            : {}),
        }),
      );
    } catch (error) {
      this.stats.refusedKept++;
      this.#log.error(
        { ...about, reason, deadLetterQueue: deadLetterQueue.url, code: errorCode(error), err: error },
        `root event refused (${reason}) but kept: ${errorCode(error)} on sqs:SendMessage to ${deadLetterQueue.url}; SQS moves it there after maxReceiveCount receives`,
      );
      return;
    }
    this.stats.deadLettered++;
    await this.#delete(message, about);
    this.#log.warn(
      { ...about, reason, deadLetterQueue: deadLetterQueue.url },
      `root event refused (${reason}): moved to the dead-letter queue`,
    );
  }

  /** Keeps a refused message out of sight as long as SQS allows, so it is not refused every 30 s. */
  async #hide(message: Message, receivedAt: number, about: object): Promise<void> {
    // SQS counts the 12 hours from the receive, and refuses a timeout that would go past them.
    const elapsedSeconds = Math.ceil((Date.now() - receivedAt) / 1000);
    try {
      await this.#sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: Math.max(0, MAX_VISIBILITY_TIMEOUT_SECONDS - elapsedSeconds - 60),
        }),
      );
    } catch (error) {
      this.#log.warn(
        { ...about, code: errorCode(error), err: error },
        `could not hide the refused root event (${errorCode(error)} on sqs:ChangeMessageVisibility); it comes back after the visibility timeout`,
      );
    }
  }

  /** The queue's dead-letter queue, from its redrive policy; read again after the TTL. */
  #resolveDeadLetterQueue(): Promise<DeadLetterQueue> {
    const ttl = this.#options.redrivePolicyTtlMs ?? 5 * 60_000;
    const cached = this.#deadLetterQueue;
    if (cached && Date.now() - cached.at < ttl) return cached.resolved;
    const resolved = this.#readRedrivePolicy();
    const entry = { resolved, at: Date.now() };
    this.#deadLetterQueue = entry;
    // A failed read is not kept: the next refused message asks again.
    resolved.catch(() => {
      if (this.#deadLetterQueue === entry) this.#deadLetterQueue = null;
    });
    return resolved;
  }

  async #readRedrivePolicy(): Promise<DeadLetterQueue> {
    const answer = await this.#sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    const policy = answer.Attributes?.RedrivePolicy;
    if (!policy) return { none: `${this.queueUrl} has no redrive policy` };
    let target: unknown;
    try {
      target = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
    } catch {
      return { none: `the redrive policy of ${this.queueUrl} is not JSON` };
    }
    const url = typeof target === 'string' ? queueUrlFromArn(target, this.queueUrl) : null;
    if (!url)
      return {
        none: `the redrive policy of ${this.queueUrl} names no SQS queue (${JSON.stringify(target)})`,
      };
    return { url };
  }
}

/**
 * The message's own attributes, then the reason and the source message id (ours win when SQS's
 * limit of 10 attributes leaves no room for all).
 */
function deadLetterAttributes(message: Message, reason: string): Record<string, MessageAttributeValue> {
  const ours: Record<string, MessageAttributeValue> = {
    [REFUSED_REASON_ATTRIBUTE]: { DataType: 'String', StringValue: reason },
    ...(message.MessageId
      ? { [SOURCE_MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: message.MessageId } }
      : {}),
  };
  const own = Object.entries(message.MessageAttributes ?? {})
    .filter(([name]) => !(name in ours))
    .slice(0, MAX_MESSAGE_ATTRIBUTES - Object.keys(ours).length)
    // A received value may carry empty list members SendMessage does not take.
    .map(([name, { DataType, StringValue, BinaryValue }]) => [
      name,
      {
        DataType,
        ...(StringValue !== undefined ? { StringValue } : {}),
        ...(BinaryValue ? { BinaryValue } : {}),
      },
    ]);
  return { ...Object.fromEntries(own), ...ours };
}

/** Starts a consumer of `options.queueUrl`; stop() it on shutdown. */
export function startEventQueueConsumer(options: EventQueueOptions): EventQueueConsumer {
  const consumer = new EventQueueConsumer(options);
  consumer.start();
  return consumer;
}
