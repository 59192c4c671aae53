/**
 * The IAM credential report: RFC 4180 CSV read by column name (AWS has added columns over the
 * years; positions are not a contract), with the root row's quirks: user `<root_account>`,
 * `password_enabled` = `not_supported` (and `false` for members left without root credentials: it
 * is kept, but no check gates on it), and `N/A` / `no_information` / `not_supported` where a date
 * would be.
 */
import type {
  CredentialReportAccessKey,
  CredentialReportRootRow,
  CredentialReportSigningCertificate,
} from '@rootaudit/checks';

export const ROOT_USER = '<root_account>';

export class CredentialReportFormatError extends Error {
  override readonly name = 'CredentialReportFormatError';
}

/** RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks; CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < body.length) {
    const char = body[i];
    if (quoted) {
      if (char === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += char;
      }
      i += 1;
      continue;
    }
    if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && body[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
    i += 1;
  }
  if (quoted) throw new CredentialReportFormatError('unterminated quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Column name → value, for every data row. */
export function parseCredentialReportRows(csv: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(csv);
  if (!header) throw new CredentialReportFormatError('the report is empty');
  const columns = header.map((name) => name.trim());
  for (const required of ['user', 'arn'] as const) {
    if (!columns.includes(required)) {
      throw new CredentialReportFormatError(
        `the report has no "${required}" column (header: ${columns.join(',')})`,
      );
    }
  }
  return rows.map((values) => Object.fromEntries(columns.map((name, i) => [name, values[i] ?? ''])));
}

const NOT_A_DATE = new Set(['', 'N/A', 'no_information', 'not_supported']);

/** An ISO time, or null for the report's placeholders (`N/A`, `no_information`, `not_supported`). */
export function reportDate(value: string | undefined): string | null {
  const text = value?.trim() ?? '';
  if (NOT_A_DATE.has(text)) return null;
  const time = Date.parse(text);
  if (Number.isNaN(time))
    throw new CredentialReportFormatError(`"${text}" is neither a date nor a known placeholder`);
  return new Date(time).toISOString();
}

/** `password_enabled` for root: `true`, `false`, or null for `not_supported` (or anything else). */
function reportBoolean(value: string | undefined): boolean | null {
  const text = value?.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  return null;
}

/** A flag the checks decide on (`mfa_active`, `access_key_1_active`…): `true` or `false`, nothing else. */
function reportFlag(row: Record<string, string>, column: string): boolean {
  const value = reportBoolean(row[column]);
  if (value === null) {
    throw new CredentialReportFormatError(
      `${column} of ${ROOT_USER} is "${row[column]}", neither true nor false`,
    );
  }
  return value;
}

/**
 * The columns the root row is read from. A report without one is refused rather than read as "no
 * key", "no certificate" or "never used".
 */
const ROOT_COLUMNS = [
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'mfa_active',
  ...[1, 2].flatMap((slot) => [
    `access_key_${slot}_active`,
    `access_key_${slot}_last_rotated`,
    `access_key_${slot}_last_used_date`,
    `access_key_${slot}_last_used_region`,
    `access_key_${slot}_last_used_service`,
    `cert_${slot}_active`,
    `cert_${slot}_last_rotated`,
  ]),
];

function reportText(value: string | undefined): string | null {
  const text = value?.trim() ?? '';
  return NOT_A_DATE.has(text) ? null : text;
}

/**
 * The `<root_account>` row, or null when the report has none. Key and certificate slots that hold
 * nothing (inactive, never rotated, never used) are left out: only keys that exist are listed.
 */
export function parseRootRow(csv: string): CredentialReportRootRow | null {
  const row = parseCredentialReportRows(csv).find((r) => r.user === ROOT_USER);
  if (!row) return null;
  const missing = ROOT_COLUMNS.filter((column) => !(column in row));
  if (missing.length > 0) {
    throw new CredentialReportFormatError(`the report has no ${missing.join(', ')} column`);
  }
  const accessKeys: CredentialReportAccessKey[] = [];
  for (const slot of [1, 2] as const) {
    const prefix = `access_key_${slot}`;
    const key: CredentialReportAccessKey = {
      slot,
      active: reportFlag(row, `${prefix}_active`),
      lastRotated: reportDate(row[`${prefix}_last_rotated`]),
      lastUsedDate: reportDate(row[`${prefix}_last_used_date`]),
      lastUsedRegion: reportText(row[`${prefix}_last_used_region`]),
      lastUsedService: reportText(row[`${prefix}_last_used_service`]),
    };
    if (key.active || key.lastRotated !== null || key.lastUsedDate !== null) accessKeys.push(key);
  }
  const signingCertificates: CredentialReportSigningCertificate[] = [];
  for (const slot of [1, 2] as const) {
    const certificate: CredentialReportSigningCertificate = {
      slot,
      active: reportFlag(row, `cert_${slot}_active`),
      lastRotated: reportDate(row[`cert_${slot}_last_rotated`]),
    };
    if (certificate.active || certificate.lastRotated !== null) signingCertificates.push(certificate);
  }
  return {
    arn: row.arn ?? '',
    passwordEnabled: reportBoolean(row.password_enabled),
    passwordLastUsed: reportDate(row.password_last_used),
    passwordLastChanged: reportDate(row.password_last_changed),
    mfaActive: reportFlag(row, 'mfa_active'),
    accessKeys,
    signingCertificates,
  };
}
