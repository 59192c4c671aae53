import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import { insertAccount, insertFinding, insertOrganization, OU_PROD, serveTestApi } from '../test-support.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format strictly enough to catch a malformed line. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+]+|NaN|[+-]Inf)$/.exec(line);
    if (!sample) throw new Error(`malformed exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = pair[2] as string;
    }
    samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
  }
  return { samples, types };
}

t.test('/metrics exposes scans, findings, accounts and requests in the Prometheus format', async (t) => {
  const { prisma } = await testDatabase(t);
  await insertOrganization(prisma);
  await insertAccount(prisma, '222222222222', OU_PROD);
  await insertAccount(prisma, '333333333333', OU_PROD, { status: 'SUSPENDED' });
  await insertFinding(prisma, {
    accountId: '222222222222',
    checkId: 'root-mfa-enabled',
    status: 'FAIL',
    severity: 'critical',
  });
  await insertFinding(prisma, {
    accountId: '222222222222',
    checkId: 'root-no-access-keys',
    status: 'FAIL',
    severity: 'critical',
  });
  await insertFinding(prisma, {
    accountId: '222222222222',
    checkId: 'guardduty-enabled',
    status: 'PASS',
    severity: 'medium',
    muted: true,
  });
  await prisma.scan.create({
    data: {
      trigger: 'SCHEDULED',
      status: 'PARTIAL',
      active: null,
      accountsDone: 40,
      accountsFailed: 2,
      startedAt: new Date('2026-11-22T02:00:00Z'),
      finishedAt: new Date('2026-11-22T02:07:30Z'),
    },
  });
  await prisma.scan.create({ data: { trigger: 'MANUAL', status: 'RUNNING' } });

  const api = await serveTestApi(t, { prisma });
  await api.get('/v1/findings');
  await api.get('/v1/findings?bogus=1');
  const response = await fetch(`${api.url}/metrics`);
  t.equal(response.status, 200, 'no key needed');
  t.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const { samples, types } = parseExposition(await response.text());
  const value = (name: string, labels: Record<string, string>) =>
    samples.find(
      (sample) =>
        sample.name === name && Object.entries(labels).every(([key, label]) => sample.labels[key] === label),
    )?.value;

  t.equal(types.get('rootaudit_findings'), 'gauge');
  t.equal(types.get('rootaudit_http_requests_total'), 'counter');
  t.equal(value('rootaudit_scans', { status: 'PARTIAL' }), 1);
  t.equal(value('rootaudit_scans', { status: 'RUNNING' }), 1);
  t.equal(value('rootaudit_last_scan_duration_seconds', { status: 'PARTIAL' }), 450);
  t.equal(value('rootaudit_last_scan_accounts', { outcome: 'failed' }), 2);
  t.equal(value('rootaudit_findings', { status: 'FAIL', severity: 'critical', muted: 'false' }), 2);
  t.equal(value('rootaudit_findings', { status: 'PASS', severity: 'medium', muted: 'true' }), 1);
  t.equal(value('rootaudit_accounts', { status: 'SUSPENDED' }), 1);
  t.equal(value('rootaudit_http_requests_total', { method: 'GET', route: '/v1/findings', code: '200' }), 1);
  t.equal(value('rootaudit_http_requests_total', { method: 'GET', route: '/v1/findings', code: '400' }), 1);
});
