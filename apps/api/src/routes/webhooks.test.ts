import { isNonPublicAddress } from '@rootaudit/webhooks';
import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import { serveTestApi } from '../test-support.ts';

const database = testDatabase(t);

// A fake DNS: names resolve to what the test says, without the network.
const dns: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'internal.example.com': ['93.184.215.14', '10.1.2.3'],
  'rebind.example.com': ['::ffff:169.254.169.254'],
};
const resolve = async (hostname: string) => {
  const addresses = dns[hostname];
  if (!addresses) throw new Error('ENOTFOUND');
  return addresses;
};

t.test('addresses refused as webhook targets', async (t) => {
  for (const address of [
    '127.0.0.1',
    '10.0.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    'not-an-ip',
  ]) {
    t.ok(isNonPublicAddress(address), address);
  }
  for (const address of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::1111']) {
    t.notOk(isNonPublicAddress(address), address);
  }
});

t.test('create returns the secret once; list never shows it; delete removes', async (t) => {
  const { prisma } = await database;
  const api = await serveTestApi(t, { prisma, api: { resolve } });
  const created = await api.send('POST', '/v1/webhooks', {
    url: 'https://hooks.example.com/rootaudit',
    events: ['finding.failed', 'scan.completed'],
  });
  t.equal(created.status, 201);
  const body = (await created.json()) as { id: string; secret: string; events: string[]; enabled: boolean };
  t.match(body.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  t.same(body.events, ['finding.failed', 'scan.completed']);
  t.equal(body.enabled, true);
  const listed = await (await api.get('/v1/webhooks')).text();
  t.match(listed, /hooks\.example\.com/);
  t.notOk(listed.includes(body.secret), 'the secret is not listed');
  t.equal((await api.send('DELETE', `/v1/webhooks/${body.id}`)).status, 204);
  t.equal((await api.send('DELETE', `/v1/webhooks/${body.id}`)).status, 404);
  const readKey = await api.key('read');
  t.equal(
    (
      await api.send(
        'POST',
        '/v1/webhooks',
        { url: 'https://hooks.example.com/x', events: ['scan.completed'] },
        readKey,
      )
    ).status,
    403,
  );
});

t.test('URLs that reach loopback, link-local or private addresses are refused', async (t) => {
  const { prisma } = await database;
  const api = await serveTestApi(t, { prisma, api: { resolve } });
  const cases: [string, RegExp][] = [
    [
      'http://127.0.0.1:8080/hook',
      /127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback, link-local or private address/,
    ],
    ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254/],
    ['http://[::1]/hook', /::1/],
    ['https://internal.example.com/hook', /internal\.example\.com resolves to 10\.1\.2\.3/],
    ['https://rebind.example.com/hook', /::ffff:169\.254\.169\.254/],
    ['https://nowhere.example.com/hook', /nowhere\.example\.com does not resolve/],
    ['ftp://hooks.example.com/hook', /must be an http:\/\/ or https:\/\/ URL/],
    ['https://user:pass@hooks.example.com/hook', /must not carry credentials/],
    ['hooks.example.com', /not a URL/],
  ];
  for (const [url, message] of cases) {
    const response = await api.send('POST', '/v1/webhooks', { url, events: ['finding.resolved'] });
    t.equal(response.status, 400, url);
    const body = (await response.json()) as { statusCode: number; message: string };
    t.match(body, { statusCode: 400, message: /^invalid value for field "url": / }, url);
    t.match(body.message, message, url);
  }
  const badEvent = await api.send('POST', '/v1/webhooks', {
    url: 'https://hooks.example.com/x',
    events: ['scan.started'],
  });
  t.match(await badEvent.json(), {
    message:
      'invalid value for field "events": expected one of finding.failed, finding.resolved, scan.completed',
  });
  const weakSecret = await api.send('POST', '/v1/webhooks', {
    url: 'https://hooks.example.com/x',
    events: ['scan.completed'],
    secret: 'short',
  });
  t.match(await weakSecret.json(), {
    message: 'invalid value for field "secret": expected at least 32 characters',
  });
  t.equal(
    await prisma.webhook.count({ where: { url: { not: 'https://hooks.example.com/rootaudit' } } }),
    0,
    'nothing written',
  );
});

t.test('configuration can allow private URLs (a webhook receiver inside the VPC)', async (t) => {
  const { prisma } = await database;
  const api = await serveTestApi(t, { prisma, api: { resolve, allowPrivateWebhookUrls: true } });
  const response = await api.send('POST', '/v1/webhooks', {
    url: 'http://10.0.0.5:8080/hook',
    events: ['scan.completed'],
    secret: 'a-secret-chosen-by-the-receiver-team-0001',
  });
  t.equal(response.status, 201);
  t.match(await response.json(), { secret: 'a-secret-chosen-by-the-receiver-team-0001' });
});
