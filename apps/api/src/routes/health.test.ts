import { createPrismaClient } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import t, { type Test } from 'tap';
import { buildApi } from '../server.ts';
import type { Readiness } from './health.ts';

const logger = createLogger({ level: 'silent' });
// Health routes never query: a client that would fail to connect proves it.
const prisma = createPrismaClient('postgresql://nobody@127.0.0.1:1/none');

async function serve(t: Test, readiness: () => Promise<Readiness>): Promise<string> {
  const app = await buildApi({ logger, readiness, prisma });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  return url;
}

t.test('/healthz answers ok without touching the database', async (t) => {
  let asked = 0;
  const url = await serve(t, async () => {
    asked++;
    return { ready: true };
  });
  const response = await fetch(`${url}/healthz`);
  t.equal(response.status, 200);
  t.same(await response.json(), { status: 'ok' });
  t.equal(asked, 0);
});

t.test('/readyz is 200 when ready and 503 with the reason when not', async (t) => {
  let state: Readiness = { ready: false, reason: '1 migration pending: 20261123000000_init' };
  const url = await serve(t, async () => state);
  const notReady = await fetch(`${url}/readyz`);
  t.equal(notReady.status, 503);
  t.same(await notReady.json(), { status: 'not ready', reason: '1 migration pending: 20261123000000_init' });
  state = { ready: true };
  const ready = await fetch(`${url}/readyz`);
  t.equal(ready.status, 200);
  t.same(await ready.json(), { status: 'ready' });
});

t.test('/readyz is 503 when the readiness check itself throws', async (t) => {
  const url = await serve(t, async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  });
  const response = await fetch(`${url}/readyz`);
  t.equal(response.status, 503);
  t.match(await response.json(), { status: 'not ready', reason: /ECONNREFUSED/ });
});
