/**
 * Test doubles for collectors: AccountClients whose SDK clients answer from a handler, recording
 * every call. For wire-level tests use moto or @rootaudit/aws-sim instead.
 */
import type { EvidenceKey, EvidenceMap } from '@rootaudit/checks';
import pLimit from 'p-limit';
import type { AccountClients, ClientOf, OrganizationClients, ServiceName } from './clients.ts';
import type { AccountCollectorContext } from './collector.ts';
import type { OutageWatch } from './outage.ts';
import type { PacerClock } from './pacer.ts';

export interface FakeCall {
  service: ServiceName;
  operation: string;
  input: Record<string, unknown>;
  region: string;
  /** Which credentials signed: the account's, the organization's, or a session's. */
  signer: 'account' | 'organization' | 'session';
}

export type FakeHandler = (call: FakeCall) => unknown;

/** An error shaped like the SDK's service exceptions. */
export function awsError(code: string, message = `${code} (fake)`, status = 400): Error {
  return Object.assign(new Error(message), {
    name: code,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}

function fakeClient(
  service: ServiceName,
  region: string,
  signer: FakeCall['signer'],
  handler: FakeHandler,
  calls: FakeCall[],
) {
  return {
    async send(command: { input: Record<string, unknown>; constructor: { name: string } }) {
      const call: FakeCall = {
        service,
        operation: command.constructor.name.replace(/Command$/, ''),
        input: command.input,
        region,
        signer,
      };
      calls.push(call);
      await new Promise((resolve) => setImmediate(resolve));
      return (await handler(call)) ?? {};
    },
    destroy() {},
  };
}

const GLOBAL = new Set<ServiceName>(['iam', 'organizations', 'account']);

export function fakeAccountClients(
  handler: FakeHandler,
  options: { accountId?: string; concurrency?: number; calls?: FakeCall[]; outage?: OutageWatch } = {},
): { clients: AccountClients; organizationClients: OrganizationClients; calls: FakeCall[] } {
  const calls = options.calls ?? [];
  const limiter = pLimit(options.concurrency ?? 8);
  const bounded = <T>(fn: () => Promise<T>) => limiter(fn);
  const regionOf = (service: ServiceName, region?: string) =>
    GLOBAL.has(service) ? 'us-east-1' : (region ?? 'us-east-1');
  const clients: AccountClients = {
    accountId: options.accountId ?? '111122223333',
    partition: 'aws',
    homeRegion: 'us-east-1',
    auditRoleArn: `arn:aws:iam::${options.accountId ?? '111122223333'}:role/RootAuditRole`,
    client: <S extends ServiceName>(service: S, region?: string) =>
      fakeClient(service, regionOf(service, region), 'account', handler, calls) as unknown as ClientOf<S>,
    verifyAccess: async () => {},
    limit: options.outage ? options.outage.watch(bounded) : bounded,
    paceLookupEvents: (_region, fn) => fn(),
    release: () => {},
  };
  const organizationClients: OrganizationClients = {
    partition: 'aws',
    homeRegion: 'us-east-1',
    client: <S extends ServiceName>(service: S, region?: string) =>
      fakeClient(
        service,
        regionOf(service, region),
        'organization',
        handler,
        calls,
      ) as unknown as ClientOf<S>,
    sessionClient: <S extends ServiceName>(service: S, _credentials: unknown, region?: string) =>
      fakeClient(service, regionOf(service, region), 'session', handler, calls) as unknown as ClientOf<S>,
    verifyAccess: async () => {},
    denied: new Map(),
  };
  return { clients, organizationClients, calls };
}

/** A context for one collector; `evidence` answers from the map given (other keys throw). */
export function collectorContext(
  clients: AccountClients,
  overrides: Partial<Omit<AccountCollectorContext, 'evidence'>> & { evidence?: Partial<EvidenceMap> } = {},
): AccountCollectorContext {
  const { evidence = {}, ...rest } = overrides;
  return {
    account: { id: clients.accountId, partition: 'aws', isManagementAccount: false },
    regions: ['us-east-1'],
    now: new Date('2026-11-23T12:00:00Z'),
    rootUsageWindowDays: 90,
    clients,
    organizationClients: null,
    evidence: async <K extends EvidenceKey>(key: K) => {
      const value = evidence[key];
      if (value === undefined) throw new Error(`test gave no ${key} evidence`);
      return value as EvidenceMap[K];
    },
    ...rest,
  };
}

/** A clock that advances only when slept on. */
export function manualClock(start = 0): PacerClock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

export interface Moto {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts `moto_server` on a free port; null (with the reason) when it is not installed. */
export async function startMoto(): Promise<Moto | { skip: string }> {
  const { spawn } = await import('node:child_process');
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const failed = await Promise.race([
      spawnError,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 100)),
    ]);
    if (failed) return { skip: `moto_server is not available: ${failed.message}` };
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      return { skip: 'moto_server did not start within 20 s' };
    }
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** Queues on an SQS endpoint (moto) for tests of the root-event consumer. */
export interface TestQueues {
  /** A queue (and its dead-letter queue unless `deadLetter: false`), messages visible again after `visibility` s. */
  create(options?: {
    deadLetter?: boolean;
    visibility?: number;
    maxReceiveCount?: number;
  }): Promise<{ url: string; deadLetterUrl: string | null }>;
  /** Sends `body` (JSON unless a string) to the queue. */
  send(queueUrl: string, body: unknown): Promise<string>;
  /** Sends `count` copies of `body`, ten to a request. */
  sendMany(queueUrl: string, body: unknown, count: number): Promise<void>;
  /** Messages the queue holds, visible or in flight. */
  depth(queueUrl: string): Promise<number>;
  /** Receives up to 10 messages at once (no wait) and deletes them, one DeleteMessage each; answers how many were deleted. */
  receiveAndDelete(queueUrl: string): Promise<number>;
  destroy(): void;
}

export async function testQueues(
  endpoint: string,
  credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' },
  region = 'us-east-1',
): Promise<TestQueues> {
  const {
    CreateQueueCommand,
    DeleteMessageCommand,
    GetQueueAttributesCommand,
    ReceiveMessageCommand,
    SendMessageBatchCommand,
    SendMessageCommand,
    SQSClient,
  } = await import('@aws-sdk/client-sqs');
  const sqs = new SQSClient({ region, endpoint, credentials });
  let created = 0;
  return {
    async create(options = {}) {
      const name = `root-events-${process.pid}-${++created}`;
      const attributes: Record<string, string> = { VisibilityTimeout: String(options.visibility ?? 30) };
      let deadLetterUrl: string | null = null;
      if (options.deadLetter !== false) {
        deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl ?? '';
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }),
        );
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: Attributes?.QueueArn,
          maxReceiveCount: options.maxReceiveCount ?? 5,
        });
      }
      const url =
        (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? '';
      return { url, deadLetterUrl };
    },
    async send(queueUrl, body) {
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      );
      return sent.MessageId ?? '';
    },
    async sendMany(queueUrl, body, count) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      for (let sent = 0; sent < count; sent += 10) {
        const entries = Array.from({ length: Math.min(10, count - sent) }, (_, index) => ({
          Id: String(index),
          MessageBody: text,
        }));
        const answer = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        if (answer.Failed?.length)
          throw new Error(`SendMessageBatch failed: ${JSON.stringify(answer.Failed)}`);
      }
    },
    async depth(queueUrl) {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    },
    async receiveAndDelete(queueUrl) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      // A message handed to two receives at once (moto does, under concurrent receives) is deleted
      // by one of them: the other's receipt handle is no longer valid.
      const deletes = await Promise.allSettled(
        Messages.map((message) =>
          sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle })),
        ),
      );
      return deletes.filter((outcome) => outcome.status === 'fulfilled').length;
    },
    destroy: () => sqs.destroy(),
  };
}
