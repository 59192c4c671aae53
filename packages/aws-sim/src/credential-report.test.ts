import t from 'tap';
import { CREDENTIAL_REPORT_COLUMNS, credentialReportCsv } from './credential-report.ts';
import type { AccountModel } from './model.ts';

function account(root: Partial<AccountModel['root']>): AccountModel {
  return {
    id: '123456789012',
    name: 'a',
    email: 'a@example.com',
    status: 'ACTIVE',
    parentId: 'r-abcd',
    joinedMethod: 'CREATED',
    joined: '2020-01-02T03:04:05.000Z',
    root: { password: false, mfa: 'none', accessKeys: [], signingCertificates: [], ...root },
    alternateContacts: {},
    trails: [],
    logGroups: [],
    alarms: [],
    topics: [],
    rules: [],
    detectors: [],
    events: [],
  };
}

function rootRow(csv: string): Record<string, string> {
  const [header, row] = csv.trim().split('\n');
  const keys = header?.split(',') ?? [];
  const values = row?.split(',') ?? [];
  return Object.fromEntries(keys.map((k, i) => [k, values[i] ?? '']));
}

t.test('the header is the real column set', async (t) => {
  t.equal(credentialReportCsv(account({})).split('\n')[0], CREDENTIAL_REPORT_COLUMNS.join(','));
  t.equal(CREDENTIAL_REPORT_COLUMNS.length, 22);
});

t.test(
  'root with a password: not_supported, dates in IAM format, never used reads no_information',
  async (t) => {
    const row = rootRow(credentialReportCsv(account({ password: true, mfa: 'hardware' })));
    t.match(row, {
      user: '<root_account>',
      arn: 'arn:aws:iam::123456789012:root',
      user_creation_time: '2020-01-02T03:04:05+00:00',
      password_enabled: 'not_supported',
      password_last_used: 'no_information',
      password_last_changed: 'not_supported',
      password_next_rotation: 'not_supported',
      mfa_active: 'true',
    });
  },
);

t.test(
  'root without credentials (centralized root access): password_enabled false, N/A everywhere',
  async (t) => {
    const row = rootRow(credentialReportCsv(account({})));
    t.match(row, {
      password_enabled: 'false',
      password_last_used: 'N/A',
      mfa_active: 'false',
      access_key_1_active: 'false',
      access_key_1_last_rotated: 'N/A',
      access_key_1_last_used_date: 'N/A',
      access_key_2_active: 'false',
      cert_1_active: 'false',
      cert_1_last_rotated: 'N/A',
    });
  },
);

t.test('access keys fill slots 1 and 2 oldest first, with last use', async (t) => {
  const row = rootRow(
    credentialReportCsv(
      account({
        accessKeys: [
          { id: 'AKIANEW', active: false, created: '2024-06-01T00:00:00Z' },
          {
            id: 'AKIAOLD',
            active: true,
            created: '2023-01-01T00:00:00Z',
            lastUsed: '2024-07-01T10:00:00Z',
            lastUsedService: 'ec2',
            lastUsedRegion: 'eu-west-1',
          },
        ],
        signingCertificates: [{ id: 'C1', active: true, uploaded: '2022-01-01T00:00:00Z' }],
      }),
    ),
  );
  t.match(row, {
    access_key_1_active: 'true',
    access_key_1_last_rotated: '2023-01-01T00:00:00+00:00',
    access_key_1_last_used_date: '2024-07-01T10:00:00+00:00',
    access_key_1_last_used_region: 'eu-west-1',
    access_key_1_last_used_service: 'ec2',
    access_key_2_active: 'false',
    access_key_2_last_rotated: '2024-06-01T00:00:00+00:00',
    access_key_2_last_used_date: 'N/A',
    cert_1_active: 'true',
    cert_1_last_rotated: '2022-01-01T00:00:00+00:00',
  });
});

t.test(
  'root with an access key but no password still reads not_supported: only a root without any credential reads false',
  async (t) => {
    const keyOnly = rootRow(
      credentialReportCsv(
        account({ accessKeys: [{ id: 'AKIAONLY', active: true, created: '2024-01-01T00:00:00Z' }] }),
      ),
    );
    t.equal(keyOnly.password_enabled, 'not_supported');
    t.equal(keyOnly.password_last_used, 'N/A');
    t.equal(rootRow(credentialReportCsv(account({ mfa: 'hardware' }))).password_enabled, 'not_supported');
    t.equal(rootRow(credentialReportCsv(account({}))).password_enabled, 'false');
  },
);
