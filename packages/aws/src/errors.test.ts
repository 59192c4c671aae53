import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { IAMClient, ListMFADevicesCommand } from '@aws-sdk/client-iam';
import t, { type Test } from 'tap';
import { ClientFactory } from './clients.ts';
import {
  AwsCallError,
  classifyStatusOnlyError,
  errorCode,
  isThrottlingCode,
  toCollectionError,
} from './errors.ts';
import { awsError } from './testing.ts';

t.test('a 5xx whose body the SDK could not parse is InternalFailure, not the parser error', async (t) => {
  const server = createServer((_request, response) => {
    response.writeHead(500, { 'content-type': 'text/html' });
    response.end('<html><body><h1>500 Internal Server Error</h1></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const cloudtrail = new CloudTrailClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  t.teardown(() => cloudtrail.destroy());
  const thrown = await cloudtrail.send(new LookupEventsCommand({})).then(
    () => null,
    (error: unknown) => error,
  );
  t.ok(thrown, 'the call fails');
  const error = toCollectionError(thrown, 'cloudtrail:LookupEvents', 'us-east-1');
  t.equal(error.code, 'InternalFailure');
  t.equal(error.action, 'cloudtrail:LookupEvents');
  t.equal(error.region, 'us-east-1');
});

t.test('the shape the SDK rethrows a parse failure in: a SyntaxError with the HTTP status', async (t) => {
  const parseFailure = Object.assign(new SyntaxError('Unexpected token < in JSON at position 0'), {
    $metadata: { httpStatusCode: 502 },
  });
  t.equal(errorCode(parseFailure), 'InternalFailure');
});

t.test('real AWS error codes are kept, whatever the status', async (t) => {
  t.equal(errorCode(awsError('InternalError', 'We encountered an internal error', 500)), 'InternalError');
  t.equal(errorCode(awsError('ServiceUnavailable', 'Service unavailable', 503)), 'ServiceUnavailable');
  t.equal(errorCode(awsError('AccessDenied', 'not authorized', 403)), 'AccessDenied');
  t.equal(errorCode({ Code: 'InternalFailure', $metadata: { httpStatusCode: 500 } }), 'InternalFailure');
});

t.test('errors without a usable name fall back to their code, then their status', async (t) => {
  t.equal(errorCode(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 'ECONNRESET');
  t.equal(
    errorCode(Object.assign(new SyntaxError('bad'), { $metadata: { httpStatusCode: 404 } })),
    'SyntaxError',
  );
  t.equal(errorCode(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 404 } })), 'Http404');
  t.equal(errorCode('boom'), 'UnknownError');
});

t.test("throttling codes: every service's, SNS's Throttled (HTTP 429) included", async (t) => {
  for (const code of [
    'Throttling',
    'ThrottlingException',
    'TooManyRequestsException',
    'Throttled',
    'ThrottledException',
  ])
    t.ok(isThrottlingCode(code), code);
  t.notOk(isThrottlingCode('AccessDenied'));
});

/** A server answering every request with `status` and an empty body; counts the requests. */
async function bareStatusServer(t: Test, status: number) {
  const server = createServer((request, response) => {
    hits.count++;
    request.resume();
    response.writeHead(status);
    response.end();
  });
  const hits = { count: 0 };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

t.test('an HTTP status with no AWS error code names the status, and 408 is retried', async (t) => {
  const { endpoint, hits } = await bareStatusServer(t, 408);
  const factory = new ClientFactory({
    scanId: 'test',
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 3,
    retryMode: 'standard',
  });
  t.teardown(() => factory.destroy());
  const thrown = await factory
    .forOrganization()
    .client('iam')
    .send(new ListMFADevicesCommand({}))
    .then(
      () => null,
      (error: unknown) => error,
    );
  t.equal(hits.count, 3, 'every attempt the call may make');
  const error = toCollectionError(thrown, 'iam:ListMFADevices');
  t.equal(error.code, 'Http408');
  t.equal(error.message, 'HTTP 408 (Request Timeout) with no AWS error code in the response');
  t.equal(new AwsCallError(error).message, `Http408 on iam:ListMFADevices: ${error.message}`);
});

t.test('a bare 403 is not retried and still names its status', async (t) => {
  const { endpoint, hits } = await bareStatusServer(t, 403);
  const iam = new IAMClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 3,
  });
  t.teardown(() => iam.destroy());
  const thrown = await iam.send(new ListMFADevicesCommand({})).then(
    () => null,
    (error: unknown) => error,
  );
  classifyStatusOnlyError(thrown);
  t.equal(hits.count, 1);
  t.same(toCollectionError(thrown, 'iam:ListMFADevices'), {
    action: 'iam:ListMFADevices',
    code: 'Http403',
    message: 'HTTP 403 (Forbidden) with no AWS error code in the response',
  });
});
