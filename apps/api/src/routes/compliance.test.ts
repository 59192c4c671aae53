import type { CheckStatus, PrismaClient } from '@rootaudit/db';
import { completeScanIfDone, createScan, recordAccountResults } from '@rootaudit/store';
import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import {
  insertAccount,
  insertOrganization,
  OU_DEV,
  OU_PROD,
  ROOT_ID,
  rootArn,
  serveTestApi,
} from '../test-support.ts';

const MANAGEMENT = '111111111111';
const PROD = '222222222222';
const DEV = '333333333333';

interface Counted {
  counts: Record<CheckStatus, number>;
  muted: number;
  passRate: number | null;
}
interface Control extends Counted {
  id: string;
  title: string;
  checks: (Counted & { id: string; title: string })[];
}
interface Report {
  framework: { id: string; name: string; version: string };
  controls: Control[];
}

/** One nightly scan, written as the worker writes it: each account's results in one transaction. */
async function scan(prisma: PrismaClient, results: Record<string, Record<string, CheckStatus>>) {
  const accountIds = Object.keys(results);
  const created = await createScan(prisma, {
    trigger: 'SCHEDULED',
    accounts: accountIds.map((id) => ({ id, status: 'ACTIVE' as const })),
  });
  for (const accountId of accountIds) {
    await recordAccountResults(prisma, {
      scanId: created.id,
      accountId,
      durationMs: 10,
      results: Object.entries(results[accountId] ?? {}).map(([checkId, status]) => ({
        checkId,
        status,
        severity: 'high' as const,
        resource: rootArn(accountId),
        message: `${checkId} is ${status}`,
        evidence: {},
      })),
    });
  }
  await completeScanIfDone(prisma, created.id);
}

const setUp = (async () => {
  const { prisma } = await testDatabase(t);
  await insertOrganization(prisma);
  await insertAccount(prisma, MANAGEMENT, ROOT_ID, { isManagementAccount: true });
  await insertAccount(prisma, PROD, OU_PROD);
  await insertAccount(prisma, DEV, OU_DEV);
  return { prisma };
})();

const counts = (PASS: number, FAIL: number, ERROR = 0, NOT_APPLICABLE = 0) => ({
  PASS,
  FAIL,
  ERROR,
  NOT_APPLICABLE,
});

t.test('GET /v1/compliance lists the frameworks and their versions', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  t.equal((await api.get('/v1/compliance', null)).status, 401);
  const response = await api.get('/v1/compliance');
  t.equal(response.status, 200);
  t.same(await response.json(), {
    items: [
      {
        id: 'cis-aws-foundations-benchmark',
        name: 'CIS AWS Foundations Benchmark',
        versions: ['1.4.0', '1.5.0', '2.0.0', '3.0.0', '4.0.0', '5.0.0', '6.0.0', '7.0.0'],
        latestVersion: '7.0.0',
      },
      {
        id: 'aws-foundational-security-best-practices',
        name: 'AWS Foundational Security Best Practices',
        versions: ['1.0.0'],
        latestVersion: '1.0.0',
      },
    ],
    nextCursor: null,
  });
});

t.test(
  'each control with its checks and the current findings counted; the counts follow the scans',
  async (t) => {
    const { prisma } = await setUp;
    const api = await serveTestApi(t, { prisma });
    t.equal((await api.get('/v1/compliance/cis-aws-foundations-benchmark', null)).status, 401);

    await scan(prisma, {
      [MANAGEMENT]: {
        'root-mfa-enabled': 'PASS',
        'root-not-recently-used': 'PASS',
        'root-signin-activity': 'FAIL',
      },
      [PROD]: { 'root-mfa-enabled': 'PASS', 'root-not-recently-used': 'ERROR', 'guardduty-enabled': 'FAIL' },
      [DEV]: { 'root-mfa-enabled': 'FAIL', 'root-no-access-keys': 'NOT_APPLICABLE' },
    });

    const latest = await api.get('/v1/compliance/cis-aws-foundations-benchmark');
    t.equal(latest.status, 200);
    t.match(latest.headers.get('content-type'), /^application\/json/);
    const report = (await latest.json()) as Report;
    t.same(report.framework, {
      id: 'cis-aws-foundations-benchmark',
      name: 'CIS AWS Foundations Benchmark',
      version: '7.0.0',
    });
    t.same(
      report.controls.map((control) => control.id),
      ['2.1.1', '2.1.2', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '4.1', '5.3'],
    );
    const control = (id: string, from: Report = report) => from.controls.find((entry) => entry.id === id);
    t.same(control('2.5'), {
      id: '2.5',
      title: "Ensure MFA is enabled for the 'root' user account",
      checks: [
        {
          id: 'root-mfa-enabled',
          title: 'Root user has MFA enabled',
          counts: counts(2, 1),
          muted: 0,
          passRate: 0.6667,
        },
      ],
      counts: counts(2, 1),
      muted: 0,
      passRate: 0.6667,
    });
    // A control evaluated by two checks counts the findings of both.
    t.match(control('2.7'), {
      checks: [
        { id: 'root-not-recently-used', counts: counts(1, 0, 1) },
        { id: 'root-signin-activity', counts: counts(0, 1) },
      ],
      counts: counts(1, 1, 1),
      passRate: 0.5,
    });
    t.match(control('2.4'), { counts: counts(0, 0, 0, 1), passRate: null });
    // No finding yet: zero counts, no rate.
    t.match(control('4.1'), { counts: counts(0, 0), muted: 0, passRate: null });

    // The next scan fixes dev's MFA; a suppression mutes the management account's sign-in finding.
    await scan(prisma, {
      [MANAGEMENT]: {
        'root-mfa-enabled': 'PASS',
        'root-not-recently-used': 'PASS',
        'root-signin-activity': 'FAIL',
      },
      [PROD]: { 'root-mfa-enabled': 'PASS', 'root-not-recently-used': 'PASS', 'guardduty-enabled': 'FAIL' },
      [DEV]: { 'root-mfa-enabled': 'PASS', 'root-no-access-keys': 'NOT_APPLICABLE' },
    });
    const suppression = await api.send('POST', '/v1/suppressions', {
      checkId: 'root-signin-activity',
      accountId: MANAGEMENT,
      reason: 'break-glass exercise, ticket SEC-7',
    });
    t.equal(suppression.status, 201);
    const after = (await (await api.get('/v1/compliance/cis-aws-foundations-benchmark')).json()) as Report;
    t.match(control('2.5', after), { counts: counts(3, 0), muted: 0, passRate: 1 });
    t.match(control('2.7', after), {
      checks: [
        { id: 'root-not-recently-used', counts: counts(2, 0), muted: 0 },
        { id: 'root-signin-activity', counts: counts(0, 0), muted: 1 },
      ],
      counts: counts(2, 0),
      muted: 1,
      passRate: 1,
    });

    // An older version numbers the same controls its own way.
    const old = (await (
      await api.get('/v1/compliance/cis-aws-foundations-benchmark?version=1.4.0')
    ).json()) as Report;
    t.equal(old.framework.version, '1.4.0');
    t.same(
      old.controls.map((entry) => entry.id),
      ['1.1', '1.2', '1.4', '1.5', '1.6', '1.7', '3.1', '4.3'],
    );
    t.match(control('1.5', old), { counts: counts(3, 0) });
    t.match(control('1.7', old), { counts: counts(2, 0), muted: 1 });

    const fsbp = (await (
      await api.get('/v1/compliance/aws-foundational-security-best-practices')
    ).json()) as Report;
    t.equal(fsbp.framework.version, '1.0.0');
    t.same(
      fsbp.controls.map((entry) => entry.id),
      ['Account.1', 'CloudTrail.1', 'GuardDuty.1', 'IAM.4', 'IAM.6'],
    );
    t.match(control('GuardDuty.1', fsbp), { counts: counts(0, 1), passRate: 0 });
  },
);

t.test('format=csv: one row per control', async (t) => {
  // The findings are those the two scans and the suppression of the test above left.
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const response = await api.get('/v1/compliance/cis-aws-foundations-benchmark?version=5.0.0&format=csv');
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  t.equal(
    response.headers.get('content-disposition'),
    'attachment; filename="rootaudit-compliance-cis-aws-foundations-benchmark-5.0.0.csv"',
  );
  const json = (await (
    await api.get('/v1/compliance/cis-aws-foundations-benchmark?version=5.0.0')
  ).json()) as Report;
  const lines = (await response.text()).split('\r\n');
  t.equal(lines.pop(), '', 'every row ends with CRLF');
  t.equal(lines[0], 'framework,version,control,title,checks,PASS,FAIL,ERROR,NOT_APPLICABLE,muted,passRate');
  t.equal(lines.length, json.controls.length + 1);
  t.equal(
    lines.find((line) => line.startsWith('cis-aws-foundations-benchmark,5.0.0,1.6,')),
    'cis-aws-foundations-benchmark,5.0.0,1.6,' +
      "Eliminate use of the 'root' user for administrative and daily tasks," +
      'root-not-recently-used root-signin-activity,2,0,0,0,1,1',
  );
  const noFindings = lines.find((line) => line.startsWith('cis-aws-foundations-benchmark,5.0.0,3.1,'));
  t.equal(
    noFindings,
    'cis-aws-foundations-benchmark,5.0.0,3.1,Ensure CloudTrail is enabled in all regions,cloudtrail-multi-region,0,0,0,0,0,',
  );
});

t.test('an unknown framework is a 404 and an unknown version a 400, naming what is allowed', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const expectError = async (path: string, statusCode: number, message: string) => {
    const response = await api.get(path);
    t.equal(response.status, statusCode, path);
    t.same(
      await response.json(),
      { statusCode, error: statusCode === 404 ? 'Not Found' : 'Bad Request', message },
      path,
    );
  };
  await expectError(
    '/v1/compliance/iso-27001',
    404,
    'no compliance framework "iso-27001"; allowed: cis-aws-foundations-benchmark, aws-foundational-security-best-practices',
  );
  await expectError(
    '/v1/compliance/CIS_AWS',
    400,
    'invalid value for path parameter "framework": expected a framework id such as cis-aws-foundations-benchmark',
  );
  await expectError(
    '/v1/compliance/cis-aws-foundations-benchmark?version=1.3.0',
    400,
    'invalid value for query parameter "version": expected one of 1.4.0, 1.5.0, 2.0.0, 3.0.0, 4.0.0, 5.0.0, 6.0.0, 7.0.0 (the versions of cis-aws-foundations-benchmark)',
  );
  await expectError(
    '/v1/compliance/aws-foundational-security-best-practices?version=5.0.0&format=csv',
    400,
    'invalid value for query parameter "version": expected one of 1.0.0 (the versions of aws-foundational-security-best-practices)',
  );
  await expectError(
    '/v1/compliance/cis-aws-foundations-benchmark?version=v5',
    400,
    'invalid value for query parameter "version": expected a version such as 5.0.0',
  );
  await expectError(
    '/v1/compliance/cis-aws-foundations-benchmark?format=xlsx',
    400,
    'invalid value for query parameter "format": expected one of json, csv',
  );
});

t.test('the OpenAPI document describes the JSON report and the CSV', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const document = (await (await api.get('/docs/json')).json()) as {
    paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
    components: { schemas: Record<string, unknown> };
  };
  t.ok(document.paths['/v1/compliance']?.get, 'GET /v1/compliance');
  const ok = document.paths['/v1/compliance/{framework}']?.get?.responses['200'];
  t.same(Object.keys(ok?.content ?? {}), ['application/json', 'text/csv']);
  t.ok(document.components.schemas.ComplianceReport, 'the report is a named component');
  t.ok(document.components.schemas.ComplianceFramework, 'the framework item is a named component');
});
