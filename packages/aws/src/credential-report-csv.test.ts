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
