import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import {
  insertAccount,
  insertFinding,
  insertOrganization,
  OU_DEV,
  OU_PROD,
  ROOT_ID,
  rootArn,
  serveTestApi,
} from '../test-support.ts';

interface Rated {
  counts: { PASS: number; FAIL: number; ERROR: number; NOT_APPLICABLE: number };
  passRate: number | null;
}

interface Summary {
  totals: Rated & { muted: number };
  byCheck: (Rated & { checkId: string; title: string | null })[];
  bySeverity: (Rated & { severity: string })[];
  byOu: (Rated & { ouId: string | null; ouName: string | null })[];
  trend: (Rated & { scanId: string; status: string })[];
}

t.test('pass rates by check, severity and OU, and the trend, muted findings left out', async (t) => {
  const { prisma } = await testDatabase(t);
  await insertOrganization(prisma);
  await insertAccount(prisma, '111111111111', ROOT_ID);
  await insertAccount(prisma, '222222222222', OU_PROD);
  await insertAccount(prisma, '333333333333', OU_DEV);
  const finding = (accountId: string, checkId: string, status: 'PASS' | 'FAIL' | 'ERROR', extra = {}) =>
    insertFinding(prisma, {
      accountId,
      checkId,
      status,
      severity: checkId === 'root-mfa-enabled' ? 'critical' : 'medium',
      ...extra,
    });
  await finding('111111111111', 'root-mfa-enabled', 'PASS');
  await finding('222222222222', 'root-mfa-enabled', 'PASS');
  await finding('333333333333', 'root-mfa-enabled', 'FAIL');
  await finding('111111111111', 'guardduty-enabled', 'FAIL');
  await finding('222222222222', 'guardduty-enabled', 'FAIL', { muted: true });
  await finding('333333333333', 'guardduty-enabled', 'ERROR');

  // Two finished scans, a failed one (not in the trend), and one running (not in the trend).
  const scanIds: string[] = [];
  for (const [day, status, results] of [
    [1, 'SUCCEEDED', { '111111111111': 'FAIL', '222222222222': 'FAIL', '333333333333': 'FAIL' }],
    [2, 'FAILED', {}],
    [3, 'PARTIAL', { '111111111111': 'PASS', '222222222222': 'PASS', '333333333333': 'FAIL' }],
    [4, 'RUNNING', {}],
  ] as const) {
    const createdAt = new Date(Date.UTC(2026, 10, day));
    const scan = await prisma.scan.create({
      data: { trigger: 'SCHEDULED', status, active: status === 'RUNNING' ? true : null, createdAt },
    });
    scanIds.push(scan.id);
    const data = Object.entries(results).map(([accountId, resultStatus]) => ({
      scanId: scan.id,
      accountId,
      checkId: 'root-mfa-enabled',
      resource: rootArn(accountId),
      status: resultStatus,
      severity: 'critical' as const,
      message: '',
    }));
    // The muted guardduty finding of 222… failed in every scan: it must not weigh on the trend.
    if (data.length) {
      data.push({
        ...(data[0] as (typeof data)[0]),
        accountId: '222222222222',
        checkId: 'guardduty-enabled',
        status: 'FAIL',
        resource: rootArn('222222222222'),
      });
    }
    await prisma.checkResult.createMany({ data });
    // A finished scan's counters are its results by status, as finishing a scan records them.
    const counted = (wanted: string) => data.filter((result) => result.status === wanted).length;
    await prisma.scan.update({
      where: { id: scan.id },
      data: {
        resultsPass: counted('PASS'),
        resultsFail: counted('FAIL'),
        resultsError: counted('ERROR'),
        resultsNotApplicable: counted('NOT_APPLICABLE'),
      },
    });
  }

  const api = await serveTestApi(t, { prisma });
  t.equal((await api.get('/v1/summary', null)).status, 401);
  const response = await api.get('/v1/summary');
  t.equal(response.status, 200);
  const summary = (await response.json()) as Summary;
  t.same(summary.totals, {
    counts: { PASS: 2, FAIL: 2, ERROR: 1, NOT_APPLICABLE: 0 },
    passRate: 0.5,
    muted: 1,
  });
  t.same(
    summary.byCheck.map((row) => [row.checkId, row.counts.PASS, row.counts.FAIL, row.passRate]),
    [
      ['guardduty-enabled', 0, 1, 0],
      ['root-mfa-enabled', 2, 1, 0.6667],
    ],
  );
  t.type(summary.byCheck[1]?.title, 'string', 'titles come from the catalog');
  t.same(
    summary.bySeverity.map((row) => [row.severity, row.passRate]),
    [
      ['critical', 0.6667],
      ['medium', 0],
    ],
  );
  t.same(
    summary.byOu.map((row) => [row.ouId, row.ouName, row.counts.PASS, row.counts.FAIL, row.counts.ERROR]),
    [
      [OU_DEV, 'Dev', 0, 1, 1],
      [OU_PROD, 'Prod', 1, 0, 0],
      [ROOT_ID, 'Root', 1, 1, 0],
    ],
  );
  t.same(
    summary.trend.map((row) => [row.scanId, row.status, row.counts.PASS, row.counts.FAIL, row.passRate]),
    [
      [scanIds[0], 'SUCCEEDED', 0, 3, 0],
      [scanIds[2], 'PARTIAL', 2, 1, 0.6667],
    ],
    'oldest first, finished scans only, muted results excluded',
  );

  const lastOne = (await (await api.get('/v1/summary?trend=1')).json()) as Summary;
  t.same(
    lastOne.trend.map((row) => row.scanId),
    [scanIds[2]],
  );
  for (const query of ['?trend=0', '?trend=101', '?trend=x', '?since=2026-01-01']) {
    t.equal((await api.get(`/v1/summary${query}`)).status, 400, query);
  }
});
