import { createLogger } from '@rootaudit/log';
import { QUEUES, type ScanOrganizationJob, startQueue, stopQueue } from '@rootaudit/queue';
import { triggerScan } from '@rootaudit/service';
import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import { serveTestApi } from '../test-support.ts';

t.test('POST /v1/scans queues a scan (202), then answers 409 with it while it is active', async (t) => {
  const { url, prisma } = await testDatabase(t);
  const boss = await startQueue(url, createLogger({ level: 'silent' }));
  t.teardown(() => stopQueue(boss, { timeoutMs: 1000 }));
  const api = await serveTestApi(t, {
    prisma,
    api: { triggerScan: (request) => triggerScan({ prisma, boss }, request) },
  });

  const readKey = await api.key('read');
  t.equal((await api.send('POST', '/v1/scans', {}, readKey)).status, 403, 'a read key cannot start scans');
  const unknown = await api.send('POST', '/v1/scans', { checkIds: ['root-mfa-enabled', 'root-is-happy'] });
  t.equal(unknown.status, 400);
  t.match(await unknown.json(), { message: 'invalid value for field "checkIds": no check "root-is-happy"' });
  const extra = await api.send('POST', '/v1/scans', { regions: ['us-east-1'] });
  t.equal(extra.status, 400);
  t.match(await extra.json(), { message: 'unknown field "regions"; allowed: checkIds, accountIds' });
  t.equal(await prisma.scan.count(), 0, 'refused requests wrote nothing');

  const started = await api.send('POST', '/v1/scans', { checkIds: ['root-mfa-enabled'] });
  t.equal(started.status, 202);
  const scan = (await started.json()) as {
    id: string;
    status: string;
    checkIds: string[];
    requestedBy: string;
  };
  t.match(scan, {
    status: 'QUEUED',
    checkIds: ['root-mfa-enabled'],
    requestedBy: 'api-key:test-write',
    accountsTotal: 0,
  });
  const [job] = await boss.fetch<ScanOrganizationJob>(QUEUES.scanOrganization);
  t.same(job?.data, { trigger: 'MANUAL', scanId: scan.id }, 'discovery is queued for that scan');

  const conflict = await api.send('POST', '/v1/scans');
  t.equal(conflict.status, 409);
  t.match(await conflict.json(), { id: scan.id, status: 'QUEUED' }, 'the 409 names the active scan');
  t.equal(await prisma.scan.count(), 1);
  const progress = await api.get(`/v1/scans/${scan.id}`);
  t.match(await progress.json(), { id: scan.id, status: 'QUEUED', accountsDone: 0 });
});

t.test('without a queue the route says so with 503', async (t) => {
  const api = await serveTestApi(t);
  const response = await api.send('POST', '/v1/scans');
  t.equal(response.status, 503);
  t.match(await response.json(), { statusCode: 503, message: /no queue/ });
});
