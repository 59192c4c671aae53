import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { guardedLookup, isNonPublicAddress, webhookUrlProblem } from './urls.ts';

const dns: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14'],
  'rebind.example.com': ['127.0.0.1'],
  'mapped.example.com': ['::ffff:10.0.0.8'],
  'mixed.example.com': ['93.184.215.14', 'fd12::1'],
  'compat.example.com': ['::7f00:1'],
  'sixtofour.example.com': ['2002:7f00:1::1'],
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

t.test('IPv6 forms of private IPv4 addresses are not public', async (t) => {
  for (const address of [
    '::127.0.0.1',
    '::7f00:1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:0:7f00:1',
    '::ffff:a9fe:a9fe',
    '2002:7f00::1',
    '2002:7f00:1::1',
    '2002:a00:1::',
    '2002:a9fe:a9fe::1',
    '2002:c0a8:101::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'fec0::1',
    '64:ff9b:1::a00:1',
  ]) {
    t.ok(isNonPublicAddress(address), address);
  }
  for (const address of ['2002:5db8:d70e::1', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '::ffff:5db8:d70e']) {
    t.notOk(isNonPublicAddress(address), address);
  }
});

t.test('webhookUrlProblem refuses what resolves to a non-public address', async (t) => {
  t.equal(await webhookUrlProblem('https://hooks.example.com/x', { allowPrivate: false, resolve }), null);
  for (const url of [
    'http://rebind.example.com/x',
    'http://mapped.example.com/x',
    'http://mixed.example.com/x',
    'http://127.0.0.1:8080/x',
    'http://[::1]/x',
    'http://[::127.0.0.1]/x',
    'http://[::7f00:1]/x',
    'http://[::ffff:127.0.0.1]/x',
    'http://[2002:7f00::1]/x',
    'http://compat.example.com/x',
    'http://sixtofour.example.com/x',
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

t.test('the connect-time lookup refuses a name that resolves to an IPv6 form of loopback', async (t) => {
  const { request } = await import('node:http');
  for (const hostname of ['compat.example.com', 'sixtofour.example.com']) {
    const failure = new Promise<unknown>((done) => {
      const outgoing = request(`http://${hostname}:9/`, {
        lookup: guardedLookup({ allowPrivate: false, resolve }) as never,
      });
      outgoing.on('error', done);
      outgoing.end();
    });
    t.match(await failure, { code: 'EWEBHOOKREFUSED' }, hostname);
  }
});
