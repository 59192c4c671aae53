import { readFileSync } from 'node:fs';
import t from 'tap';
import { CredentialReportFormatError, parseCsv, parseRootRow, reportDate } from './credential-report-csv.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/credential-reports/${name}.csv`, import.meta.url), 'utf8');

t.test(
  'root with an active key and an inactive key: both listed, dates parsed, not_supported is unknown',
  async (t) => {
    const root = parseRootRow(fixture('root-with-active-key-and-inactive-key'));
    t.same(root, {
      arn: 'arn:aws:iam::111122223333:root',
      passwordEnabled: null,
      passwordLastUsed: '2026-10-02T08:15:00.000Z',
      passwordLastChanged: null,
      mfaActive: true,
      accessKeys: [
        {
          slot: 1,
          active: true,
          lastRotated: '2020-01-01T00:00:00.000Z',
          lastUsedDate: '2026-11-01T12:00:00.000Z',
          lastUsedRegion: 'us-east-1',
          lastUsedService: 's3',
        },
        {
          slot: 2,
          active: false,
          lastRotated: '2021-05-05T00:00:00.000Z',
          lastUsedDate: null,
          lastUsedRegion: null,
          lastUsedService: null,
        },
      ],
      signingCertificates: [],
    });
  },
);

t.test(
  'member root without credentials (CRLF lines): password_enabled false, every N/A is null, no keys',
  async (t) => {
    const root = parseRootRow(fixture('member-root-without-credentials-crlf'));
    t.equal(root?.passwordEnabled, false);
    t.equal(root?.passwordLastUsed, null);
    t.equal(root?.mfaActive, false);
    t.same(root?.accessKeys, []);
    t.same(root?.signingCertificates, []);
    t.equal(root?.arn, 'arn:aws:iam::444455556666:root');
  },
);

t.test('no_information is not a date; an existing signing certificate is listed', async (t) => {
  const root = parseRootRow(fixture('root-password-never-used-with-signing-certificate'));
  t.equal(root?.passwordLastUsed, null);
  t.same(root?.accessKeys, []);
  t.same(root?.signingCertificates, [{ slot: 1, active: true, lastRotated: '2016-07-07T07:07:07.000Z' }]);
});

t.test('a report without a root row gives null, not an error', async (t) => {
  t.equal(parseRootRow(fixture('report-without-root-row')), null);
});

t.test(
  'columns are read by name: reordered, unknown columns, quoted commas, quotes and line breaks',
  async (t) => {
    const root = parseRootRow(fixture('columns-reordered-with-quoted-fields'));
    t.equal(root?.arn, 'arn:aws:iam::111122223333:root');
    t.equal(root?.mfaActive, true);
    t.same(root?.accessKeys, [
      {
        slot: 2,
        active: true,
        lastRotated: '2026-01-15T00:00:00.000Z',
        lastUsedDate: '2026-11-22T22:00:00.000Z',
        lastUsedRegion: 'eu-west-1',
        lastUsedService: 'ec2',
      },
    ]);
  },
);

t.test('parseCsv follows RFC 4180', async (t) => {
  t.same(parseCsv('a,b\r\n"x, ""y""","line\nbreak"\n'), [
    ['a', 'b'],
    ['x, "y"', 'line\nbreak'],
  ]);
  t.same(parseCsv('\ufeffa,b\n1,2'), [
    ['a', 'b'],
    ['1', '2'],
  ]);
  t.throws(() => parseCsv('a,"open'), CredentialReportFormatError);
});

t.test('placeholders are not dates; garbage is refused rather than taken as a date', async (t) => {
  for (const placeholder of ['N/A', 'no_information', 'not_supported', ''])
    t.equal(reportDate(placeholder), null);
  t.equal(reportDate('2026-01-02T03:04:05+00:00'), '2026-01-02T03:04:05.000Z');
  t.throws(() => reportDate('yesterday'), /neither a date nor a known placeholder/);
});

t.test('a report without the user column is refused', async (t) => {
  t.throws(() => parseRootRow('name,arn\nx,y\n'), /no "user" column/);
  t.throws(() => parseRootRow(''), /empty/);
});

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const ROOT =
  '<root_account>,arn:aws:iam::111122223333:root,2019-03-01T10:00:00+00:00,not_supported,N/A,not_supported,not_supported,false,true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A';

t.test('a root row missing a column it is read from is refused, never read as "no key"', async (t) => {
  const columns = HEADER.split(',');
  const values = ROOT.split(',');
  const at = columns.indexOf('access_key_1_active');
  const without = (list: string[]) => list.filter((_, i) => i !== at).join(',');
  t.throws(() => parseRootRow(`${without(columns)}\n${without(values)}\n`), /no access_key_1_active column/);
});

t.test('a root flag that is neither true nor false is refused, not read as false', async (t) => {
  t.throws(
    () => parseRootRow(`${HEADER}\n${ROOT.replace(',false,true,2026', ',false,yes,2026')}\n`),
    /access_key_1_active of <root_account> is "yes"/,
  );
});

t.test(
  'password_enabled: not_supported (root) and false (member without root credentials) both parse',
  async (t) => {
    t.equal(parseRootRow(`${HEADER}\n${ROOT}\n`)?.passwordEnabled, null);
    t.equal(
      parseRootRow(`${HEADER}\n${ROOT.replace('not_supported,N/A', 'false,N/A')}\n`)?.passwordEnabled,
      false,
    );
    t.equal(parseRootRow(`${HEADER}\n${ROOT}\n`)?.accessKeys[0]?.active, true);
  },
);
