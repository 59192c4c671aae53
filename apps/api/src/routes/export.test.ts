import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import {
  insertAccount,
  insertFinding,
  insertOrganization,
  OU_DEV,
  OU_PROD,
  serveTestApi,
} from '../test-support.ts';
import { CSV_COLUMNS } from './export.ts';

/** RFC 4180 parser for the test: quoted cells may hold commas, quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      index++;
    } else cell += char;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

const TRICKY = 'Root has 2 access keys: "AKIA…1", "AKIA…2",\nlast used 2026-11-01';

const setUp = (async () => {
  const { prisma } = await testDatabase(t);
  await insertOrganization(prisma);
  await insertAccount(prisma, '222222222222', OU_PROD);
  await insertAccount(prisma, '333333333333', OU_DEV);
  await insertFinding(prisma, {
    accountId: '222222222222',
    checkId: 'root-no-access-keys',
    status: 'FAIL',
    severity: 'critical',
    message: TRICKY,
    firstSeenAt: new Date('2026-11-01T02:00:00Z'),
    lastSeenAt: new Date('2026-11-22T02:00:00Z'),
  });
  await insertFinding(prisma, {
    accountId: '222222222222',
    checkId: 'root-mfa-enabled',
    status: 'PASS',
    severity: 'critical',
  });
  await insertFinding(prisma, {
    accountId: '333333333333',
    checkId: 'guardduty-enabled',
    status: 'FAIL',
    muted: true,
    message: '=HYPERLINK("x")',
  });
  // Enough rows to span several batches of 500.
  await prisma.finding.createMany({
    data: Array.from({ length: 1234 }, (_, index) => ({
      accountId: '333333333333',
      checkId: 'root-hardware-mfa',
      resource: `arn:aws:iam::333333333333:mfa/${index}`,
      status: 'PASS' as const,
      severity: 'high' as const,
      message: `bulk ${index}`,
      firstSeenAt: new Date(),
      lastSeenAt: new Date(),
      statusChangedAt: new Date(),
    })),
  });
  return { prisma };
})();

t.test('CSV parses back, one row per finding, quoting and formulas handled', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const response = await api.get('/v1/findings/export?format=csv');
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type'), /^text\/csv/);
  t.match(response.headers.get('content-disposition'), /attachment; filename="rootaudit-findings.csv"/);
  const rows = parseCsv(await response.text());
  t.same(rows[0], [...CSV_COLUMNS]);
  t.equal(rows.length, 1 + 1237, 'header + every finding, across batches');
  t.ok(
    rows.every((row) => row.length === CSV_COLUMNS.length),
    'every row has every column',
  );
  const ids = rows.slice(1).map((row) => row[0]);
  t.equal(new Set(ids).size, ids.length, 'no row twice');
  const keys = rows.find((row) => row[3] === 'root-no-access-keys');
  t.equal(keys?.[8], TRICKY, 'quotes, commas and newlines survive');
  t.equal(keys?.[10], '2026-11-01T02:00:00.000Z');
  t.equal(rows.find((row) => row[3] === 'guardduty-enabled')?.[8], `'=HYPERLINK("x")`, 'formula neutralised');
});

t.test('JSON lines: one finding object per line, filters applied', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const response = await api.get('/v1/findings/export?format=json&status=FAIL');
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type'), /^application\/x-ndjson/);
  const text = await response.text();
  t.ok(text.endsWith('\n'));
  const lines = text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  t.same(lines.map((line) => line.checkId).sort(), ['guardduty-enabled', 'root-no-access-keys']);
  t.match(
    lines.find((line) => line.checkId === 'root-no-access-keys'),
    {
      accountId: '222222222222',
      status: 'FAIL',
      severity: 'critical',
      message: TRICKY,
      firstSeenAt: '2026-11-01T02:00:00.000Z',
    },
  );
  const all = (await (await api.get('/v1/findings/export?format=json')).text()).trimEnd().split('\n');
  t.equal(all.length, 1237);
});

t.test('OCSF: Compliance Finding class 2003 with its required fields', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const response = await api.get(`/v1/findings/export?format=ocsf&ou=${OU_PROD}`);
  t.equal(response.status, 200);
  const events = (await response.text())
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  t.equal(events.length, 2);
  const failing = events.find((event) => event.compliance.control === 'root-no-access-keys');
  t.match(failing, {
    class_uid: 2003,
    category_uid: 2,
    activity_id: 2,
    type_uid: 200302,
    time: Date.parse('2026-11-22T02:00:00Z'),
    severity_id: 5,
    status_id: 1,
    metadata: { version: String, product: { name: 'rootaudit', version: String } },
    finding_info: { uid: String, title: String, first_seen_time: Date.parse('2026-11-01T02:00:00Z') },
    compliance: { status_id: 3, status: 'Fail', standards: Array },
    cloud: { provider: 'AWS', account: { uid: '222222222222' } },
    resources: [{ uid: 'arn:aws:iam::222222222222:root' }],
  });
  t.ok(
    failing.compliance.standards.some((standard: string) =>
      standard.startsWith('CIS AWS Foundations Benchmark'),
    ),
    'CIS mapping from the catalog',
  );
  const passing = events.find((event) => event.compliance.control === 'root-mfa-enabled');
  t.match(passing, {
    activity_id: 1,
    type_uid: 200301,
    compliance: { status_id: 1, status: 'Pass' },
    status_id: 4,
  });
  const muted = (await (await api.get('/v1/findings/export?format=ocsf&muted=true')).text()).trim();
  t.match(JSON.parse(muted), { status_id: 3, status: 'Suppressed' });
});

t.test('format is required and checked; pagination parameters are refused', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const missing = await api.get('/v1/findings/export');
  t.equal(missing.status, 400);
  t.match(await missing.json(), { message: /"format"/ });
  const xml = await api.get('/v1/findings/export?format=xml');
  t.same(await xml.json(), {
    statusCode: 400,
    error: 'Bad Request',
    message: 'invalid value for query parameter "format": expected one of csv, json, ocsf',
  });
  const limit = await api.get('/v1/findings/export?format=csv&limit=5');
  t.equal(limit.status, 400);
  t.match(await limit.json(), { message: /unknown query parameter "limit"/ });
  t.equal((await api.get('/v1/findings/export?format=csv', null)).status, 401);
});
