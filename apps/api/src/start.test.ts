import { loadConfig } from '@rootaudit/config';
import { openDatabase } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import t from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { createApiKey } from './auth/api-keys.ts';
import { startApi } from './start.ts';

t.test('startApi serves over the configured database, with its own queue for POST /v1/scans', async (t) => {
  const { url } = await testDatabase(t);
  const database = await openDatabase({ databaseUrl: url, dataDir: t.testdirName, logger: () => undefined });
  t.teardown(() => database.close());
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1' });
  const api = await startApi({ config, logger: createLogger({ level: 'silent' }), database });
  let closed = false;
  t.teardown(async () => {
    if (!closed) await api.close();
  });
  t.match(api.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.equal((await fetch(`${api.url}/readyz`)).status, 200, 'ready: migrated database');
  const { key } = await createApiKey(database.prisma, { name: 'ops', scope: 'write' });
  const started = await fetch(`${api.url}/v1/scans`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(started.status, 202);
  t.match(await started.json(), { status: 'QUEUED', requestedBy: 'api-key:ops' });
  await api.close();
  closed = true;
  await t.rejects(fetch(`${api.url}/healthz`), 'closed: no longer listening');
});
