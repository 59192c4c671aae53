import { createHmac } from 'node:crypto';
import t from 'tap';
import { signatureHeader, signPayload, verifySignature } from './signature.ts';

const secret = 'whsec_test-secret-of-at-least-32-characters';
const body = '{"event":"scan.completed","data":{}}';

t.test('the signature is HMAC-SHA256 hex over "<timestamp>.<body>"', async (t) => {
  const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
  t.equal(signPayload(secret, 1700000000, body), expected);
  t.match(expected, /^[0-9a-f]{64}$/);
  t.equal(signatureHeader(secret, 1700000000, body), `t=1700000000,v1=${expected}`);
});

t.test('a receiver verifies a fresh signature of the exact body', async (t) => {
  const header = signatureHeader(secret, 1700000000, body);
  t.ok(verifySignature(secret, header, body, { now: 1700000010 }));
});

t.test('a different secret, body, timestamp or a stale signature is refused', async (t) => {
  const header = signatureHeader(secret, 1700000000, body);
  t.notOk(verifySignature('whsec_another-secret-of-32-characters!!', header, body, { now: 1700000000 }));
  t.notOk(verifySignature(secret, header, `${body} `, { now: 1700000000 }));
  t.notOk(verifySignature(secret, header.replace('t=1700000000', 't=1700000001'), body, { now: 1700000000 }));
  t.notOk(verifySignature(secret, header, body, { now: 1700000000 + 301 }), 'older than 5 minutes');
  t.ok(verifySignature(secret, header, body, { now: 1700000000 + 3600, toleranceSeconds: 3600 }));
});

t.test('malformed headers are refused, not thrown on', async (t) => {
  for (const header of [undefined, '', 'v1=abc', 't=x,v1=00', 't=1700000000', 't=1700000000,v1=zz']) {
    t.notOk(verifySignature(secret, header, body, { now: 1700000000 }), String(header));
  }
});
