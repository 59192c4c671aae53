import { scanThroughWorker, simulatorCallCounts } from '@rootaudit/worker/testing';
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

/** The value of the sample of `name` whose labels include `labels`. */
function sampleValue(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, label]) => sample.labels[key] === label),
  )?.value;
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
  const value = (name: string, labels: Record<string, string>) => sampleValue(samples, name, labels);

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

t.test('AWS calls, errors and throttles by service, after a scan of the simulator by a worker', async (t) => {
  // One member account's GetAccountSummary is always throttled (3 SDK attempts per call; throttled
  // past them, the account's job is tried 3 times) and its credential report refused, so its
  // root-credential checks have nothing to answer from and the account ends ERROR; GuardDuty's first
  // two ListDetectors answer 500 (errors that are not throttles, retried by the SDK).
  const { sim, prisma, scan } = await scanThroughWorker(t, {
    accounts: 4,
    maxAttempts: 3,
    knobs: (model) => {
      const member = model.accounts.find(
        (account) => account.status === 'ACTIVE' && account.id !== model.organization.managementAccountId,
      );
      return {
        throttling: [
          {
            service: 'iam',
            operation: 'GetAccountSummary',
            accountId: member?.id as string,
            ratePerSecond: 1000,
            burst: 0,
          },
        ],
        faults: {
          accessDenied: [
            { service: 'iam', operation: 'GenerateCredentialReport', accountId: member?.id as string },
          ],
          serverErrors: [{ service: 'guardduty', operation: 'ListDetectors', count: 2 }],
        },
      };
    },
  });
  t.equal(scan.status, 'PARTIAL');
  const api = await serveTestApi(t, { prisma });
  const { samples, types } = parseExposition(await (await fetch(`${api.url}/metrics`)).text());
  for (const name of [
    'rootaudit_aws_calls_total',
    'rootaudit_aws_errors_total',
    'rootaudit_aws_throttles_total',
  ]) {
    t.equal(types.get(name), 'counter', name);
  }
  const exposed = (name: string, service: string) => sampleValue(samples, name, { service });

  const answered = simulatorCallCounts(sim);
  // Workers judge against the organization evidence stored with the scan: no organizations call.
  t.equal(exposed('rootaudit_aws_calls_total', 'organizations') ?? 0, 0, 'no organizations calls');
  for (const service of [
    'iam',
    'sts',
    'cloudtrail',
    'logs',
    'cloudwatch',
    'sns',
    'events',
    'guardduty',
    'account',
  ]) {
    t.ok((exposed('rootaudit_aws_calls_total', service) ?? 0) > 0, `${service} calls`);
  }
  for (const [service, counts] of Object.entries(answered)) {
    t.same(
      [
        exposed('rootaudit_aws_calls_total', service),
        exposed('rootaudit_aws_errors_total', service),
        exposed('rootaudit_aws_throttles_total', service),
      ],
      [counts.calls, counts.errors, counts.throttles],
      `${service}: calls, errors, throttles as the simulator answered them`,
    );
  }
  t.equal(
    exposed('rootaudit_aws_throttles_total', 'iam'),
    9,
    'three throttled attempts in each of three job attempts',
  );
  t.equal(exposed('rootaudit_aws_errors_total', 'guardduty'), 2, 'the two server errors');
  t.equal(exposed('rootaudit_aws_throttles_total', 'guardduty'), 0, 'a server error is not a throttle');
});
