/**
 * One filter for the findings list and its exports: every filter of GET /v1/findings, alone and
 * combined, selects the same findings, in the same order, in the list (read page by page) and in
 * each export format (CSV, JSON lines, OCSF).
 */
import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import {
  insertAccount,
  insertFinding,
  insertOrganization,
  OU_DEV,
  OU_PROD,
  ROOT_ID,
  serveTestApi,
} from '../test-support.ts';

interface Fixture {
  id: string;
  accountId: string;
  ou: string;
  checkId: string;
  status: 'PASS' | 'FAIL' | 'ERROR' | 'NOT_APPLICABLE';
  severity: 'critical' | 'high' | 'medium' | 'low' | 'informational';
  muted: boolean;
  statusChangedAt: Date;
}

const setUp = (async () => {
  const { prisma } = await testDatabase(t);
  await insertOrganization(prisma);
  const accounts = { '222222222222': OU_PROD, '333333333333': OU_DEV, '444444444444': ROOT_ID } as const;
  for (const [id, ou] of Object.entries(accounts)) await insertAccount(prisma, id, ou);
  const checks = ['root-mfa-enabled', 'root-no-access-keys', 'guardduty-enabled'];
  const statuses = ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE'] as const;
  const severities = ['critical', 'high', 'medium', 'low', 'informational'] as const;
  const findings: Fixture[] = [];
  let index = 0;
  for (const [accountId, ou] of Object.entries(accounts)) {
    for (const checkId of checks) {
      for (const resource of ['a', 'b']) {
        const fields = {
          accountId,
          checkId,
          resource: `arn:aws:iam::${accountId}:${resource}`,
          status: statuses[index % statuses.length] ?? 'PASS',
          severity: severities[index % severities.length] ?? 'high',
          muted: index % 3 === 0,
          statusChangedAt: new Date(Date.UTC(2026, 10, 1 + index)),
        };
        const id = await insertFinding(prisma, fields);
        findings.push({ id, ou, ...fields });
        index++;
      }
    }
  }
  findings.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { prisma, findings };
})();

const since = new Date(Date.UTC(2026, 10, 10));
const CASES: [string, (finding: Fixture) => boolean][] = [
  ['', () => true],
  ['status=FAIL,ERROR', (f) => f.status === 'FAIL' || f.status === 'ERROR'],
  ['severity=critical,low', (f) => f.severity === 'critical' || f.severity === 'low'],
  ['check=root-mfa-enabled', (f) => f.checkId === 'root-mfa-enabled'],
  ['account=222222222222,444444444444', (f) => f.accountId !== '333333333333'],
  [`ou=${OU_DEV}`, (f) => f.ou === OU_DEV],
  [`ou=${ROOT_ID}`, () => true],
  ['muted=true', (f) => f.muted],
  ['muted=false', (f) => !f.muted],
  [`changedSince=${since.toISOString()}`, (f) => f.statusChangedAt >= since],
  [
    `status=FAIL,PASS&severity=critical,high,medium&ou=${OU_PROD}&muted=false&changedSince=2026-11-02T00:00:00Z`,
    (f) =>
      (f.status === 'FAIL' || f.status === 'PASS') &&
      ['critical', 'high', 'medium'].includes(f.severity) &&
      f.ou === OU_PROD &&
      !f.muted &&
      f.statusChangedAt >= new Date('2026-11-02T00:00:00Z'),
  ],
];

t.test('each filter selects the same findings in the list and in every export format', async (t) => {
  const { prisma, findings } = await setUp;
  const api = await serveTestApi(t, { prisma });
  for (const [query, keeps] of CASES) {
    const expected = findings.filter(keeps).map((finding) => finding.id);
    t.ok(query === '' || query.startsWith('ou=r-') || expected.length < findings.length, `${query} filters`);
    t.ok(expected.length > 0, `${query} keeps some`);

    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/v1/findings?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await api.get(path);
      t.equal(response.status, 200, path);
      const page = (await response.json()) as { items: { id: string }[]; nextCursor: string | null };
      listed.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    t.same(listed, expected, `list: ${query}`);

    const exported = async (format: string) => {
      const response = await api.get(`/v1/findings/export?${query}&format=${format}`);
      t.equal(response.status, 200, `${format}: ${query}`);
      return (await response.text()).split(/\r?\n/).filter((line) => line !== '');
    };
    const [header, ...csvRows] = await exported('csv');
    t.equal(header?.split(',')[0], 'id');
    t.same(
      csvRows.map((row) => row.split(',')[0]),
      expected,
      `csv: ${query}`,
    );
    t.same(
      (await exported('json')).map((line) => (JSON.parse(line) as { id: string }).id),
      expected,
      `json: ${query}`,
    );
    t.same(
      (await exported('ocsf')).map(
        (line) => (JSON.parse(line) as { metadata: { uid: string } }).metadata.uid,
      ),
      expected,
      `ocsf: ${query}`,
    );
  }
});
