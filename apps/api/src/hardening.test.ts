/**
 * Input the database or the response cannot hold is a 400 naming the field, before anything is
 * written or streamed; cursors belong to their list; authenticated answers are not cached or
 * sniffed; failed authentications are limited per address before the key is looked up.
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { loggerOptions } from '@rootaudit/log';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { insertAccount, insertFinding, insertOrganization, OU_PROD, serveTestApi } from './test-support.ts';

const setUp = (async () => {
  const { prisma } = await testDatabase(t);
  await insertOrganization(prisma);
  await insertAccount(prisma, '222222222222', OU_PROD);
  await insertAccount(prisma, '333333333333', OU_PROD);
  await insertFinding(prisma, { accountId: '222222222222', checkId: 'guardduty-enabled', status: 'FAIL' });
  await insertFinding(prisma, { accountId: '333333333333', checkId: 'guardduty-enabled', status: 'FAIL' });
  return { prisma };
})();

const resolve = async (hostname: string) => {
  if (hostname === 'hooks.example.com') return ['93.184.215.14'];
  throw new Error('ENOTFOUND');
};

async function expect400(t: Test, response: Response, message: string | RegExp, what: string) {
  t.equal(response.status, 400, what);
  const body = (await response.json()) as { message: string };
  if (typeof message === 'string') t.equal(body.message, message, what);
  else t.match(body.message, message, what);
}

t.test(
  'an expiresAt past 9999 in UTC is a 400; nothing is stored or muted, the list still answers',
  async (t) => {
    const { prisma } = await setUp;
    const api = await serveTestApi(t, { prisma });
    const response = await api.send('POST', '/v1/suppressions', {
      checkId: 'guardduty-enabled',
      reason: 'delegated',
      expiresAt: '9999-12-31T23:59:59-12:00',
    });
    await expect400(
      t,
      response,
      'invalid value for field "expiresAt": expected a date-time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z (UTC)',
      'year 10000 in UTC',
    );
    t.equal(await prisma.suppression.count(), 0, 'nothing stored');
    t.equal(await prisma.finding.count({ where: { muted: true } }), 0, 'nothing muted');
    t.equal((await api.get('/v1/suppressions')).status, 200);
  },
);

t.test(
  'a suppression whose muting fails is not stored: write and response are one transaction',
  async (t) => {
    const { prisma } = await setUp;
    const api = await serveTestApi(t, { prisma });
    // The database refuses to mute anything, after the suppression row was inserted.
    await prisma.$executeRawUnsafe(
      `CREATE FUNCTION refuse_update() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql`,
    );
    await prisma.$executeRawUnsafe(
      'CREATE TRIGGER refuse_mute BEFORE UPDATE ON findings FOR EACH ROW EXECUTE FUNCTION refuse_update()',
    );
    t.teardown(async () => {
      await prisma.$executeRawUnsafe('DROP TRIGGER refuse_mute ON findings');
      await prisma.$executeRawUnsafe('DROP FUNCTION refuse_update()');
    });
    const response = await api.send('POST', '/v1/suppressions', {
      checkId: 'guardduty-enabled',
      reason: 'delegated',
    });
    t.equal(response.status, 500);
    t.equal(await prisma.suppression.count(), 0, 'the suppression was rolled back');
  },
);

t.test(
  'a suppression stored with a date past 9999 (before validation) can still be listed and deleted',
  async (t) => {
    const { prisma } = await setUp;
    const api = await serveTestApi(t, { prisma });
    const stored = await prisma.suppression.create({
      data: {
        checkId: 'root-mfa-enabled',
        reason: 'written by an older version',
        author: 'api-key:old',
        expiresAt: new Date('9999-12-31T23:59:59-12:00'),
      },
    });
    t.teardown(() => prisma.suppression.deleteMany({ where: { id: stored.id } }));
    const listed = await api.get('/v1/suppressions');
    t.equal(listed.status, 200);
    const body = (await listed.json()) as { items: { id: string; expiresAt: string }[] };
    t.equal(body.items.find((item) => item.id === stored.id)?.expiresAt, '9999-12-31T23:59:59.999Z');
    t.equal((await api.send('DELETE', `/v1/suppressions/${stored.id}`)).status, 204);
  },
);

t.test('a NUL character in any string is a 400 naming the field', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma, api: { resolve } });
  const nul = 'must not contain NUL characters';
  await expect400(
    t,
    await api.send('POST', '/v1/suppressions', { checkId: 'guardduty-enabled', reason: 'a\u0000b' }),
    `invalid value for field "reason": ${nul}`,
    'suppression reason',
  );
  await expect400(
    t,
    await api.send('POST', '/v1/webhooks', {
      url: 'https://hooks.example.com/a\u0000b',
      events: ['scan.completed'],
    }),
    `invalid value for field "url": ${nul}`,
    'webhook url',
  );
  await expect400(
    t,
    await api.send('POST', '/v1/webhooks', {
      url: 'https://hooks.example.com/rootaudit',
      events: ['scan.completed'],
      secret: `${'s'.repeat(40)}\u0000`,
    }),
    `invalid value for field "secret": ${nul}`,
    'webhook secret',
  );
  await expect400(
    t,
    await api.get('/v1/suppressions?expired=true%00'),
    /^invalid value for query parameter "expired"/,
    'query parameter',
  );
  const nulCursor = Buffer.from(JSON.stringify({ id: '\u0000' })).toString('base64url');
  for (const list of ['/v1/findings', '/v1/accounts', '/v1/scans', '/v1/suppressions', '/v1/webhooks']) {
    await expect400(
      t,
      await api.get(`${list}?cursor=${nulCursor}`),
      'invalid value for query parameter "cursor": not a cursor returned by this endpoint',
      `${list} cursor`,
    );
  }
  t.equal(await prisma.suppression.count(), 0);
  t.equal(await prisma.webhook.count(), 0);
});

t.test('dates outside 1970..9999 are a 400, and the export says so before streaming', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const message =
    'invalid value for query parameter "changedSince": expected a date-time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z (UTC)';
  for (const value of ['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '9999-12-31T23:59:59-01:00']) {
    await expect400(
      t,
      await api.get(`/v1/findings?changedSince=${encodeURIComponent(value)}`),
      message,
      value,
    );
    for (const format of ['csv', 'json', 'ocsf']) {
      await expect400(
        t,
        await api.get(`/v1/findings/export?format=${format}&changedSince=${encodeURIComponent(value)}`),
        message,
        `export ${format} ${value}`,
      );
    }
  }
  t.equal((await api.get('/v1/findings?changedSince=1970-01-01T00:00:00Z')).status, 200, 'the first instant');
  t.equal((await api.get('/v1/findings?changedSince=9999-12-31T23:59:59Z')).status, 200, 'the last second');
});

t.test('integers are plain decimal digits: hex, exponents and signs are a 400', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  for (const value of ['0x10', '1e2', '+5', ' 5', '5 ', '0b11', '']) {
    await expect400(
      t,
      await api.get(`/v1/findings?limit=${encodeURIComponent(value)}`),
      'invalid value for query parameter "limit": expected an integer from 1 to 500',
      `limit=${JSON.stringify(value)}`,
    );
  }
  await expect400(
    t,
    await api.get('/v1/summary?trend=0x5'),
    'invalid value for query parameter "trend": expected an integer from 1 to 100',
    'trend=0x5',
  );
  t.equal((await api.get('/v1/findings?limit=1')).status, 200);
});

t.test('a cursor from one list is refused by another', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const accounts = (await (await api.get('/v1/accounts?limit=1')).json()) as { nextCursor: string };
  const findings = (await (await api.get('/v1/findings?limit=1')).json()) as { nextCursor: string };
  t.type(accounts.nextCursor, 'string');
  t.type(findings.nextCursor, 'string');
  t.equal((await api.get(`/v1/accounts?cursor=${accounts.nextCursor}`)).status, 200, 'its own list');
  t.equal((await api.get(`/v1/findings?cursor=${findings.nextCursor}`)).status, 200, 'its own list');
  const refused = 'invalid value for query parameter "cursor": not a cursor returned by this endpoint';
  for (const list of ['/v1/findings', '/v1/scans', '/v1/suppressions', '/v1/webhooks']) {
    await expect400(t, await api.get(`${list}?cursor=${accounts.nextCursor}`), refused, `accounts → ${list}`);
  }
  for (const list of ['/v1/accounts', '/v1/scans', '/v1/suppressions', '/v1/webhooks']) {
    await expect400(t, await api.get(`${list}?cursor=${findings.nextCursor}`), refused, `findings → ${list}`);
  }
});

t.test('authenticated answers are not cached or sniffed; /docs has a CSP', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  for (const path of ['/v1/findings', '/v1/findings/export?format=csv', '/v1/findings?limit=nope']) {
    const response = await api.get(path);
    t.equal(response.headers.get('cache-control'), 'no-store', path);
    t.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
    await response.arrayBuffer();
  }
  const docs = await fetch(`${api.url}/docs/static/index.html`);
  t.equal(docs.status, 200);
  t.match(docs.headers.get('content-security-policy') ?? '', /default-src 'self'/);
});

t.test('read-scope keys see webhook hosts, not URLs; write keys see URLs', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma, api: { resolve } });
  const created = await api.send('POST', '/v1/webhooks', {
    url: 'https://hooks.example.com/services/T000/B000/XXXXSECRETTOKEN?token=abc',
    events: ['scan.completed'],
  });
  t.equal(created.status, 201);
  const { id } = (await created.json()) as { id: string };
  t.teardown(() => prisma.webhook.deleteMany({ where: { id } }));
  const asRead = await (await api.get('/v1/webhooks')).text();
  t.notMatch(asRead, /XXXXSECRETTOKEN|token=abc/, 'no path or query for read keys');
  t.match(JSON.parse(asRead), { items: [{ id, host: 'hooks.example.com', url: null }] });
  const asWrite = (await (await api.get('/v1/webhooks', await api.key('write'))).json()) as {
    items: { url: string; host: string }[];
  };
  t.match(asWrite.items, [
    {
      host: 'hooks.example.com',
      url: 'https://hooks.example.com/services/T000/B000/XXXXSECRETTOKEN?token=abc',
    },
  ]);
});

t.test('failed authentications are limited per address, before the key is looked up', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, {
    prisma,
    api: { failedAuthLimit: { max: 3, timeWindowMs: 60_000 } },
  });
  const good = await api.key('read');
  t.equal((await api.get('/v1/checks', good)).status, 200, 'a good key counts nothing');
  const unknown = `ra_${'A'.repeat(43)}`;
  for (let attempt = 1; attempt <= 3; attempt++) {
    t.equal((await api.get('/v1/checks', unknown)).status, 401, `failure ${attempt}`);
  }
  const limited = await api.get('/v1/checks', unknown);
  t.equal(limited.status, 429);
  t.match(await limited.json(), { statusCode: 429, message: /too many failed authentications/ });
  t.ok(Number(limited.headers.get('retry-after')) > 0, 'Retry-After');
  t.equal((await api.get('/v1/checks', null)).status, 429, 'no key: refused before looking');
  t.equal((await api.get('/v1/checks', good)).status, 429, 'the address is refused whatever it sends');
});

t.test('a client that sends part of a body is cut off after the request timeout', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, {
    prisma,
    api: { timeouts: { requestMs: 1_000, headersMs: 1_000, checkIntervalMs: 100 } },
  });
  const writeKey = await api.key('write');
  const { hostname, port } = new URL(api.url);
  const socket = connect(Number(port), hostname);
  t.teardown(() => socket.destroy());
  await new Promise<void>((done) => socket.once('connect', done));
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise<string>((done) => socket.once('close', () => done('closed')));
  socket.write(
    `POST /v1/suppressions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${writeKey}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
  );
  // Generous on purpose: the bound is 1 s; only a connection held far beyond it fails the test.
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    closed,
    new Promise<string>((done) => {
      timer = setTimeout(() => done('still open'), 20_000);
    }),
  ]);
  clearTimeout(timer);
  t.equal(outcome, 'closed', 'the server closed the connection');
  t.match(Buffer.concat(received).toString('latin1'), /^HTTP\/1\.1 408/, 'answered 408 Request Timeout');
});

t.test('request URLs are logged with api_key-like query values redacted', async (t) => {
  const { prisma } = await setUp;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const api = await serveTestApi(t, {
    prisma,
    api: { logger: pino(loggerOptions({ level: 'info' }), sink) },
  });
  const key = await api.key('read');
  t.equal((await fetch(`${api.url}/v1/findings?api_key=${key}&limit=1`)).status, 401);
  t.equal((await api.get(`/v1/findings?token=${key}`)).status, 400);
  const log = lines.join('');
  t.match(log, /"url":"\/v1\/findings\?api_key=\[redacted\]&limit=1"/);
  t.match(log, /"url":"\/v1\/findings\?token=\[redacted\]"/);
  t.notOk(log.includes(key.slice(3)), 'no trace of the key');
});
