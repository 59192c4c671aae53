import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import t from 'tap';
import { errorCode, isThrottlingCode, toCollectionError } from './errors.ts';
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
