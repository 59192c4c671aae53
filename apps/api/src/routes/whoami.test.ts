import { revokeApiKey } from '@rootaudit/store';
import t from 'tap';
import { serveTestApi } from '../test-support.ts';

t.test('whoami names the presented key and its scopes', async (t) => {
  const api = await serveTestApi(t);
  const read = await api.get('/v1/whoami', await api.key('read'));
  t.equal(read.status, 200);
  const reader = (await read.json()) as Record<string, unknown>;
  t.match(reader, { name: 'test-read', prefix: /^ra_/, createdAt: /^\d{4}-/ });
  t.same(reader.scopes, ['read']);
  const write = await api.get('/v1/whoami', await api.key('write'));
  const writer = (await write.json()) as { name: string; scopes: string[] };
  t.equal(writer.name, 'test-write');
  t.same(writer.scopes, ['read', 'write']);
  t.equal(write.headers.get('cache-control'), 'no-store');
});

t.test('whoami refuses a missing, unknown or revoked key like every /v1 route', async (t) => {
  const api = await serveTestApi(t);
  t.equal((await api.get('/v1/whoami', null)).status, 401);
  t.equal((await api.get('/v1/whoami', 'ra_not-a-key')).status, 401);
  const key = await api.key('read');
  const row = await api.prisma.apiKey.findFirstOrThrow({ where: { name: 'test-read' } });
  t.ok(await revokeApiKey(api.prisma, row.id));
  // The auth plugin remembers verified keys a few seconds; this key was never verified.
  const revoked = await api.get('/v1/whoami', key);
  t.equal(revoked.status, 401);
  t.match(await revoked.json(), { message: 'unknown or revoked API key' });
});
