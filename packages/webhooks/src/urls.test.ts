import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { guardedLookup, isNonPublicAddress, webhookUrlProblem } from './urls.ts';

const dns: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14'],
  'rebind.example.com': ['127.0.0.1'],
  'mapped.example.com': ['::ffff:10.0.0.8'],
  'mixed.example.com': ['93.184.215.14', 'fd12::1'],
};
const resolve = async (hostname: string) => {
  const addresses = dns[hostname];
  if (!addresses) throw new Error('ENOTFOUND');
  return addresses;
};

t.test('loopback, link-local, private, unique-local and IPv4-mapped addresses are not public', async (t) => {
  for (const address of [
    '127.0.0.1',
    '169.254.169.254',
    '10.1.1.1',
    '192.168.0.1',
    'fd00::1',
    'fe80::1',
    '::1',
  ]) {
    t.ok(isNonPublicAddress(address), address);
  }
  t.ok(isNonPublicAddress('::ffff:127.0.0.1'), 'IPv4-mapped loopback');
  t.notOk(isNonPublicAddress('::ffff:93.184.215.14'), 'IPv4-mapped public');
});

t.test('webhookUrlProblem refuses what resolves to a non-public address', async (t) => {
  t.equal(await webhookUrlProblem('https://hooks.example.com/x', { allowPrivate: false, resolve }), null);
  for (const url of [
    'http://rebind.example.com/x',
    'http://mapped.example.com/x',
    'http://mixed.example.com/x',
    'http://127.0.0.1:8080/x',
    'http://[::1]/x',
    'http://unknown.example.com/x',
    'ftp://hooks.example.com/x',
    'https://user:pass@hooks.example.com/x',
  ]) {
    t.type(await webhookUrlProblem(url, { allowPrivate: false, resolve }), 'string', url);
  }
  t.equal(await webhookUrlProblem('http://127.0.0.1:8080/x', { allowPrivate: true }), null);
  t.type(await webhookUrlProblem('ftp://127.0.0.1/x', { allowPrivate: true }), 'string');
});

t.test('the connect-time lookup refuses a name that resolves to loopback', async (t) => {
  const server = createServer((_request, response) => response.end('reached'));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => new Promise((done) => server.close(done)));
  const { port } = server.address() as AddressInfo;
  const { request } = await import('node:http');
  const get = (allowPrivate: boolean) =>
    new Promise<string>((done, fail) => {
      const outgoing = request(
        `http://rebind.example.com:${port}/`,
        { lookup: guardedLookup({ allowPrivate, resolve }) as never },
        (response) => {
          let text = '';
          response.on('data', (chunk) => {
            text += chunk;
          });
          response.on('end', () => done(text));
        },
      );
      outgoing.on('error', fail);
      outgoing.end();
    });
  await t.rejects(get(false), { code: 'EWEBHOOKREFUSED' });
  t.equal(await get(true), 'reached');
});
