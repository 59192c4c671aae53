import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { redactedPaths } from '@rootaudit/log';
import { createApiKey, LAST_USED_RESOLUTION_MS, revokeApiKey } from '@rootaudit/store';
import Fastify from 'fastify';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import { handleError } from '../errors.ts';
import { serveTestApi } from '../test-support.ts';
import { authPlugin } from './plugin.ts';

// One database for the file: every test makes its own keys, so they share it safely.
const database = testDatabase(t);

/** An app with one read route and one write route behind the plugin, like /v1. */
async function serveProtected(
  t: Test,
  rateLimit = { max: 1000, timeWindowMs: 60_000 },
  keyCacheTtlMs?: number,
) {
  const { prisma } = await database;
  const app = Fastify();
  app.setErrorHandler(handleError);
  await app.register(
    async (scope) => {
      await scope.register(authPlugin, { prisma, rateLimit, keyCacheTtlMs });
      scope.get('/things', async (request) => ({ keyId: request.apiKey?.id }));
      scope.post('/things', { config: { scope: 'write' } }, async () => ({ written: true }));
    },
    { prefix: '/v1' },
  );
  app.get('/open', async () => ({ open: true }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const call = (method: string, path: string, authorization?: string) =>
    fetch(`${url}${path}`, { method, headers: authorization ? { authorization } : {} });
  return { prisma, call };
}

t.test('a created key is ra_ + 43 base64url characters, stored only as its SHA-256', async (t) => {
  const { prisma } = await database;
  const { key, record } = await createApiKey(prisma, { name: 'siem', scope: 'read' });
  t.match(key, /^ra_[A-Za-z0-9_-]{43}$/);
  t.equal(record.hash, createHash('sha256').update(key).digest('hex'));
  t.equal(record.prefix, key.slice(0, 11));
  t.same(record.scopes, ['read']);
  const stored = JSON.stringify(await prisma.apiKey.findUnique({ where: { id: record.id } }));
  t.notOk(stored.includes(key), 'the key itself is stored nowhere');
  const other = await createApiKey(prisma, { name: 'ci', scope: 'write' });
  t.not(other.key, key);
  t.same(other.record.scopes, ['read', 'write'], 'write implies read');
});

t.test('401 without an Authorization header, with a body naming what to send', async (t) => {
  const { call } = await serveProtected(t);
  const response = await call('GET', '/v1/things');
  t.equal(response.status, 401);
  t.equal(response.headers.get('www-authenticate'), 'Bearer');
  t.same(await response.json(), {
    statusCode: 401,
    error: 'Unauthorized',
    message: 'missing Authorization header: send "Authorization: Bearer <api key>"',
  });
});

t.test('401 for a scheme other than Bearer', async (t) => {
  const { call, prisma } = await serveProtected(t);
  const { key } = await createApiKey(prisma, { name: 'k', scope: 'read' });
  const response = await call('GET', '/v1/things', `Basic ${key}`);
  t.equal(response.status, 401);
  t.match(await response.json(), { message: /must be "Bearer <api key>"/ });
});

t.test('401 for a malformed key and for a well-formed key that does not exist', async (t) => {
  const { call } = await serveProtected(t);
  for (const presented of ['nope', `ra_${'A'.repeat(43)}`, `ra_${'A'.repeat(44)}`]) {
    const response = await call('GET', '/v1/things', `Bearer ${presented}`);
    t.equal(response.status, 401, presented);
    t.match(await response.json(), { statusCode: 401, message: 'unknown or revoked API key' });
  }
});

t.test('401 for a revoked key', async (t) => {
  const { call, prisma } = await serveProtected(t);
  const { key, record } = await createApiKey(prisma, { name: 'k', scope: 'write' });
  t.equal((await call('GET', '/v1/things', `Bearer ${key}`)).status, 200);
  t.equal(await revokeApiKey(prisma, record.id), true);
  t.equal((await call('GET', '/v1/things', `Bearer ${key}`)).status, 401);
});

t.test('a read key reads but gets 403 on a write route', async (t) => {
  const { call, prisma } = await serveProtected(t);
  const { key, record } = await createApiKey(prisma, { name: 'k', scope: 'read' });
  const read = await call('GET', '/v1/things', `bearer ${key}`);
  t.equal(read.status, 200, 'the scheme is case-insensitive');
  t.same(await read.json(), { keyId: record.id });
  const write = await call('POST', '/v1/things', `Bearer ${key}`);
  t.equal(write.status, 403);
  t.same(await write.json(), {
    statusCode: 403,
    error: 'Forbidden',
    message: 'this route needs an API key with the "write" scope',
  });
});

t.test('a write key reads and writes', async (t) => {
  const { call, prisma } = await serveProtected(t);
  const { key } = await createApiKey(prisma, { name: 'k', scope: 'write' });
  t.equal((await call('GET', '/v1/things', `Bearer ${key}`)).status, 200);
  t.equal((await call('POST', '/v1/things', `Bearer ${key}`)).status, 200);
});

t.test('routes outside the scope need no key', async (t) => {
  const { call } = await serveProtected(t);
  t.equal((await call('GET', '/open')).status, 200);
});

t.test('a verified key is remembered for a few seconds; revoking it here takes effect at once', async (t) => {
  const { call, prisma } = await serveProtected(t, undefined, 300);
  const { key, record } = await createApiKey(prisma, { name: 'k', scope: 'read' });
  t.equal((await call('GET', '/v1/things', `Bearer ${key}`)).status, 200);
  // Revoked by another process (the CLI): this process still knows the key as valid for a while…
  await prisma.apiKey.update({ where: { id: record.id }, data: { revokedAt: new Date() } });
  t.equal((await call('GET', '/v1/things', `Bearer ${key}`)).status, 200, 'remembered');
  await new Promise((resolve) => setTimeout(resolve, 350));
  t.equal((await call('GET', '/v1/things', `Bearer ${key}`)).status, 401, 'refused once the TTL passed');

  // …while revokeApiKey in this process forgets it at once.
  const other = await createApiKey(prisma, { name: 'k2', scope: 'read' });
  t.equal((await call('GET', '/v1/things', `Bearer ${other.key}`)).status, 200);
  await revokeApiKey(prisma, other.record.id);
  t.equal((await call('GET', '/v1/things', `Bearer ${other.key}`)).status, 401, 'revoked here: at once');
});

t.test('lastUsedAt is recorded on first use and then at most once a minute', async (t) => {
  // Not remembered between requests, so the test can age lastUsedAt in the database.
  const { call, prisma } = await serveProtected(t, undefined, 0);
  const { key, record } = await createApiKey(prisma, { name: 'k', scope: 'read' });
  t.equal(record.lastUsedAt, null);
  await call('GET', '/v1/things', `Bearer ${key}`);
  const first = (await prisma.apiKey.findUniqueOrThrow({ where: { id: record.id } })).lastUsedAt;
  t.ok(first, 'set on first use');
  await call('GET', '/v1/things', `Bearer ${key}`);
  const second = (await prisma.apiKey.findUniqueOrThrow({ where: { id: record.id } })).lastUsedAt;
  t.same(second, first, 'not rewritten within the minute');
  const old = new Date(Date.now() - LAST_USED_RESOLUTION_MS - 1000);
  await prisma.apiKey.update({ where: { id: record.id }, data: { lastUsedAt: old } });
  await call('GET', '/v1/things', `Bearer ${key}`);
  const third = (await prisma.apiKey.findUniqueOrThrow({ where: { id: record.id } })).lastUsedAt;
  t.ok(third && third.getTime() > old.getTime() + LAST_USED_RESOLUTION_MS, 'rewritten once stale');
});

t.test('the rate limit counts per key', async (t) => {
  const { call, prisma } = await serveProtected(t, { max: 3, timeWindowMs: 60_000 });
  const a = (await createApiKey(prisma, { name: 'a', scope: 'read' })).key;
  const b = (await createApiKey(prisma, { name: 'b', scope: 'read' })).key;
  for (let i = 0; i < 3; i++) t.equal((await call('GET', '/v1/things', `Bearer ${a}`)).status, 200);
  const limited = await call('GET', '/v1/things', `Bearer ${a}`);
  t.equal(limited.status, 429);
  t.match(await limited.json(), { statusCode: 429, error: 'Too Many Requests', message: /rate limit/i });
  t.equal((await call('GET', '/v1/things', `Bearer ${b}`)).status, 200, 'another key is not limited');
});

t.test('the key never reaches the logs, even at trace level', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'trace', redact: { paths: redactedPaths, censor: '[redacted]' } }, sink);
  const api = await serveTestApi(t, { prisma: (await database).prisma, api: { logger } });
  const key = await api.key('read');
  t.equal((await api.get('/v1/findings', key)).status, 200);
  t.equal((await api.get('/v1/findings', `${key}x`)).status, 401);
  // Anything that logs request headers is redacted too.
  logger.info({ req: { headers: { authorization: `Bearer ${key}` } } }, 'headers');
  const log = lines.join('');
  t.ok(lines.length > 3, 'requests were logged');
  t.notOk(log.includes(key.slice(3)), 'no trace of the key');
  t.match(log, /\[redacted\]/);
});
