import type { AccountModel } from './model.ts';

export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

/** IAM writes report dates as 2024-05-01T12:00:00+00:00. */
function reportDate(iso: string | undefined): string {
  if (!iso) return 'N/A';
  return `${new Date(iso).toISOString().slice(0, 19)}+00:00`;
}

/**
 * The report as IAM returns it. The root row is `<root_account>`: password_enabled is
 * not_supported for root, whatever it holds, except for a root left without any credential (no
 * password, access key, signing certificate or MFA device: a member under centralized root access),
 * where it reads false; password_last_changed and password_next_rotation are not_supported; a
 * password never used reads no_information.
 */
function withoutCredentials(root: AccountModel['root']): boolean {
  return (
    !root.password &&
    root.accessKeys.length === 0 &&
    root.signingCertificates.length === 0 &&
    root.mfa === 'none'
  );
}

export function credentialReportCsv(account: AccountModel): string {
  const root = account.root;
  const keys = [...root.accessKeys].sort((a, b) => a.created.localeCompare(b.created));
  const certs = [...root.signingCertificates].sort((a, b) => a.uploaded.localeCompare(b.uploaded));
  const keyColumns = (index: number): string[] => {
    const key = keys[index];
    if (!key) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
    return [
      String(key.active),
      reportDate(key.created),
      reportDate(key.lastUsed),
      key.lastUsed ? (key.lastUsedRegion ?? 'us-east-1') : 'N/A',
      key.lastUsed ? (key.lastUsedService ?? 'iam') : 'N/A',
    ];
  };
  const certColumns = (index: number): string[] => {
    const cert = certs[index];
    return cert ? [String(cert.active), reportDate(cert.uploaded)] : ['false', 'N/A'];
  };
  const passwordLastUsed = root.passwordLastUsed
    ? reportDate(root.passwordLastUsed)
    : root.password
      ? 'no_information'
      : 'N/A';
  const row = [
    '<root_account>',
    `arn:aws:iam::${account.id}:root`,
    reportDate(account.joined),
    withoutCredentials(root) ? 'false' : 'not_supported',
    passwordLastUsed,
    'not_supported',
    'not_supported',
    String(root.mfa !== 'none'),
    ...keyColumns(0),
    ...keyColumns(1),
    ...certColumns(0),
    ...certColumns(1),
  ];
  return `${CREDENTIAL_REPORT_COLUMNS.join(',')}\n${row.join(',')}\n`;
}
