/**
 * AWS unavailable: the connection-level failures and server failures that say nothing about the
 * account (refused, reset, unresolvable name, no answer, 5xx and throttling past the SDK's retries)
 * are told apart from answers (AccessDenied, validation), and a watched account stops calling once
 * one is seen.
 */
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import t, { type Test } from 'tap';
import { ClientFactory } from './clients.ts';
import { awsCall } from './collector.ts';
import { AssumeRoleError, AwsCallError, errorCode, isAwsUnavailable, toCollectionError } from './errors.ts';
import { OutageWatch } from './outage.ts';
import { awsError } from './testing.ts';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

function factory(t: Test, endpoint: string, extra: { requestTimeoutMs?: number } = {}) {
  const clients = new ClientFactory({
    scanId: 'outage-test',
    endpoint,
    credentials: CREDENTIALS,
    maxAttempts: 2,
    retryMode: 'standard',
    connectionTimeoutMs: 500,
    ...extra,
  });
  t.teardown(() => clients.destroy());
  return clients;
}

/** What one GetAccountSummary through the factory's clients threw (null if it answered). */
async function summaryError(clients: ClientFactory): Promise<unknown> {
  return clients
    .forOrganization()
    .client('iam')
    .send(new GetAccountSummaryCommand({}))
    .then(
      () => null,
      (error: unknown) => error,
    );
}

/** A TCP server that does `onSocket` with every connection; closed at teardown. */
async function tcpServer(t: Test, onSocket: (socket: Socket) => void) {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

t.test('connection refused is AWS unavailable', async (t) => {
  const error = await summaryError(factory(t, await closedPort()));
  t.equal(errorCode(error), 'ECONNREFUSED');
  t.ok(isAwsUnavailable(error));
});

t.test('a connection reset is AWS unavailable, and named by its code', async (t) => {
  const endpoint = await tcpServer(t, (socket) => socket.once('data', () => socket.resetAndDestroy()));
  const error = await summaryError(factory(t, endpoint));
  t.equal(errorCode(error), 'ECONNRESET', 'not the SDK’s TimeoutError: nothing timed out');
  t.ok(isAwsUnavailable(error));
});

t.test('an endpoint that accepts and never answers fails the call (request timeout)', async (t) => {
  const endpoint = await tcpServer(t, () => {});
  const started = Date.now();
  const error = await Promise.race([
    summaryError(factory(t, endpoint, { requestTimeoutMs: 300 })),
    new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000)),
  ]);
  t.not(error, 'still waiting after 10 s', 'the SDK gave up on the silent endpoint');
  t.equal(errorCode(error), 'TimeoutError');
  t.ok(isAwsUnavailable(error));
  t.ok(Date.now() - started < 5_000, 'within its two attempts of 300 ms (and the retry wait)');
});

t.test('a name that does not resolve is AWS unavailable', async (t) => {
  const error = await summaryError(factory(t, 'http://rootaudit-outage-test.invalid'));
  t.match(errorCode(error), /^(ENOTFOUND|EAI_AGAIN)$/);
  t.ok(isAwsUnavailable(error));
});

t.test('5xx and throttling past the SDK’s retries are AWS unavailable; answers are not', async (t) => {
  for (const status of [500, 502, 503, 504, 408, 429]) {
    const server = createHttpServer((request, response) => {
      request.resume();
      response.writeHead(status);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const error = await summaryError(
      factory(t, `http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
    await new Promise<void>((resolve) => server.close(() => resolve()));
    t.ok(isAwsUnavailable(error), `bare HTTP ${status}`);
  }
  t.ok(isAwsUnavailable(awsError('ServiceUnavailable', 'down', 503)));
  t.ok(isAwsUnavailable(awsError('ThrottlingException', 'Rate exceeded', 400)));
  t.ok(isAwsUnavailable(awsError('Throttling', 'Rate exceeded', 400)));
  t.notOk(isAwsUnavailable(awsError('AccessDenied', 'not authorized', 403)));
  t.notOk(isAwsUnavailable(awsError('AccessDeniedException', 'not authorized', 403)));
  t.notOk(isAwsUnavailable(awsError('ValidationError', 'bad input', 400)));
  t.notOk(isAwsUnavailable(awsError('NoSuchEntity', 'none', 404)));
  t.notOk(isAwsUnavailable(new Error('a bug')));
  t.notOk(
    isAwsUnavailable(new AssumeRoleError('AccessDenied', 'arn:aws:iam::1:role/R', 'denied')),
    'a refused AssumeRole is an answer',
  );
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  t.ok(
    isAwsUnavailable(new AssumeRoleError('ECONNREFUSED', 'arn:aws:iam::1:role/R', 'x', undefined, refused)),
    'an AssumeRole that could not reach STS',
  );
});

t.test('awsCall says whether AWS was unavailable', async (t) => {
  const limit = <T>(fn: () => Promise<T>) => fn();
  const failed = (error: unknown) =>
    awsCall(limit, 'iam:GetAccountSummary', undefined, () => Promise.reject(error)).then(
      () => null,
      (thrown: unknown) => thrown,
    );
  const down = await failed(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
  t.type(down, AwsCallError);
  t.equal((down as AwsCallError).unavailable, true);
  t.equal((down as AwsCallError).collectionError.action, 'iam:GetAccountSummary');
  const denied = await failed(awsError('AccessDenied', 'no', 403));
  t.equal((denied as AwsCallError).unavailable, false);
});

t.test('a watched account stops calling AWS after the first call that found it unavailable', async (t) => {
  let made = 0;
  const answer = (error?: unknown) => () => {
    made++;
    return error ? Promise.reject(error) : Promise.resolve('ok');
  };
  const outage = new OutageWatch(true);
  const limit = outage.watch((fn) => fn());
  t.equal(await awsCall(limit, 'iam:GetAccountSummary', undefined, answer()), 'ok');
  await t.rejects(
    awsCall(limit, 'iam:ListVirtualMFADevices', undefined, answer(awsError('AccessDenied', 'no', 403))),
  );
  t.equal(outage.first, null, 'AccessDenied is an answer');
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  await t.rejects(awsCall(limit, 'cloudtrail:DescribeTrails', 'eu-west-1', answer(refused)));
  t.same(outage.first, {
    action: 'cloudtrail:DescribeTrails',
    code: 'ECONNREFUSED',
    message: 'connect ECONNREFUSED 127.0.0.1:1',
    region: 'eu-west-1',
  });
  const later = await awsCall(limit, 'sns:ListTopics', undefined, answer()).then(
    () => null,
    (error: unknown) => error,
  );
  t.equal(made, 3, 'the later call was not made');
  t.same(toCollectionError(later, 'sns:ListTopics').code, 'ECONNREFUSED');

  const noted = new OutageWatch(false);
  const going = noted.watch((fn) => fn());
  await t.rejects(awsCall(going, 'iam:GetAccountSummary', undefined, answer(refused)));
  t.equal(await awsCall(going, 'sns:ListTopics', undefined, answer()), 'ok', 'the last attempt goes on');
  t.equal(noted.first?.action, 'iam:GetAccountSummary');
});
