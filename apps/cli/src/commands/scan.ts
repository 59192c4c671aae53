/**
 * `rootaudit scan`: one scan of the whole organization in this process, printed as a table, JSON or
 * CSV (SPEC §6). No database. The same runner and checks as the worker. Logs go to stderr so stdout
 * is exactly the document; the exit code is 0 whenever the scan ran, whatever it found.
 */
import { randomUUID } from 'node:crypto';
import { type Check, type CheckStatus, checks as catalog, selectChecks } from '@rootaudit/checks';
import { loadConfigOrExit } from '@rootaudit/config';
import { toCsv } from '@rootaudit/csv';
import { createLogger } from '@rootaudit/log';
import type { OrganizationScan, ScanResult } from '@rootaudit/scanner';
import { formatTable } from '../output/table.ts';
import { parseOptions, UsageError } from '../usage.ts';

export const summary = 'scan the organization once and print the results (no database)';

const FORMATS = ['table', 'json', 'csv'] as const;
type Format = (typeof FORMATS)[number];
const STATUSES: readonly CheckStatus[] = ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE'];
const ACCOUNT_ID = /^\d{12}$/;

export interface ScanRequest {
  format: Format;
  checks: readonly Check[];
  /** null: every account of the organization. */
  accountIds: string[] | null;
}

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** The command line, validated: bad values are UsageErrors naming the option and what is allowed. */
export function parseScanArguments(argv: string[]): ScanRequest {
  const values = parseOptions(argv, {
    format: { type: 'string' },
    checks: { type: 'string' },
    accounts: { type: 'string' },
  });
  const format = values.format ?? 'table';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format "${format}" is not allowed: use one of ${FORMATS.join(', ')}`);
  }

  let checks: readonly Check[] = catalog;
  if (values.checks !== undefined) {
    const ids = commaList(values.checks);
    const known = new Set(catalog.map((check) => check.metadata.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (ids.length === 0 || unknown.length > 0) {
      const what =
        ids.length === 0 ? 'needs at least one check id' : `has unknown check ids: ${unknown.join(', ')}`;
      throw new UsageError(`--checks ${what}; allowed: ${[...known].join(', ')}`);
    }
    checks = selectChecks(catalog, ids);
  }

  let accountIds: string[] | null = null;
  if (values.accounts !== undefined) {
    accountIds = [...new Set(commaList(values.accounts))];
    const malformed = accountIds.filter((id) => !ACCOUNT_ID.test(id));
    if (accountIds.length === 0 || malformed.length > 0) {
      const what =
        accountIds.length === 0
          ? 'needs at least one account id'
          : `has malformed account ids: ${malformed.join(', ')}`;
      throw new UsageError(`--accounts ${what}; allowed: 12-digit AWS account ids, comma-separated`);
    }
    // Organization checks are about the organization, not the accounts named: run them with
    // --accounts only when --checks asks for them by name.
    if (values.checks === undefined) checks = checks.filter((check) => check.metadata.scope === 'account');
  }
  return { format: format as Format, checks, accountIds };
}

interface AccountNote {
  accountId: string;
  name: string | null;
  reason: string;
}

/** The `scan` object of the JSON document. */
export interface ScanSummary {
  id: string;
  status: OrganizationScan['status'];
  reason: string | null;
  startedAt: string;
  finishedAt: string;
  organizationId: string | null;
  regions: string[];
  checks: string[];
  accountsTotal: number;
  accountsScanned: number;
  accountsFailed: number;
  accountsSkipped: number;
  failedAccounts: AccountNote[];
  skippedAccounts: AccountNote[];
  counts: Record<CheckStatus, number>;
}

export function summarize(
  id: string,
  scan: OrganizationScan,
  request: ScanRequest,
  regions: string[],
): ScanSummary {
  const names = new Map(scan.organization?.accounts.map((account) => [account.id, account.name]) ?? []);
  const note = (accountId: string, reason: string | null): AccountNote => ({
    accountId,
    name: names.get(accountId) ?? null,
    reason: reason ?? '',
  });
  const failed = scan.accounts.filter((account) => account.status === 'FAILED');
  const skipped = scan.accounts
    .filter((account) => account.status === 'SKIPPED')
    .map((account) => note(account.accountId, account.reason));
  // Named with --accounts but not in the organization: the runner leaves them out; say so.
  if (scan.organization && request.accountIds) {
    const members = new Set(scan.organization.accounts.map((account) => account.id));
    for (const accountId of request.accountIds.filter((id) => !members.has(id))) {
      skipped.push(note(accountId, `not an account of organization ${scan.organization.id}`));
    }
  }
  const counts = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<CheckStatus, number>;
  for (const result of scan.results) counts[result.status] += 1;
  const accountsScanned = scan.accounts.filter((account) => account.status === 'SCANNED').length;
  return {
    id,
    status: scan.status,
    reason: scan.reason,
    startedAt: scan.startedAt,
    finishedAt: scan.finishedAt,
    organizationId: scan.organization?.id ?? null,
    regions,
    checks: request.checks.map((check) => check.metadata.id),
    accountsTotal: accountsScanned + failed.length + skipped.length,
    accountsScanned,
    accountsFailed: failed.length,
    accountsSkipped: skipped.length,
    failedAccounts: failed.map((account) => note(account.accountId, account.reason)),
    skippedAccounts: skipped,
    counts,
  };
}

export function renderJson(scan: ScanSummary, results: readonly ScanResult[]): string {
  return `${JSON.stringify({ scan, results }, null, 2)}\n`;
}

const CSV_HEADER = ['accountId', 'accountName', 'checkId', 'status', 'severity', 'resource', 'message'];

export function renderCsv(results: readonly ScanResult[], names: ReadonlyMap<string, string>): string {
  return toCsv(
    CSV_HEADER,
    results.map((r) => [
      r.accountId,
      names.get(r.accountId) ?? '',
      r.checkId,
      r.status,
      r.severity,
      r.resource,
      r.message,
    ]),
  );
}

export function renderTable(
  scan: ScanSummary,
  results: readonly ScanResult[],
  names: ReadonlyMap<string, string>,
): string {
  const table = formatTable(
    [
      { header: 'ACCOUNT', value: (r: ScanResult) => r.accountId },
      { header: 'NAME', value: (r: ScanResult) => names.get(r.accountId) ?? '', maxWidth: 24 },
      { header: 'CHECK', value: (r: ScanResult) => r.checkId },
      { header: 'STATUS', value: (r: ScanResult) => r.status },
      { header: 'SEVERITY', value: (r: ScanResult) => r.severity },
      { header: 'MESSAGE', value: (r: ScanResult) => r.message, maxWidth: 160 },
    ],
    results,
  );
  const lines = [table, ''];
  const who = (account: AccountNote) => `${account.accountId}${account.name ? ` (${account.name})` : ''}`;
  for (const account of scan.failedAccounts) lines.push(`failed:  ${who(account)}: ${account.reason}`);
  for (const account of scan.skippedAccounts) lines.push(`skipped: ${who(account)}: ${account.reason}`);
  const counts = STATUSES.map((status) => `${scan.counts[status]} ${status}`).join(', ');
  lines.push(
    `Scan ${scan.status}: ${scan.accountsScanned} of ${scan.accountsTotal} accounts scanned, ` +
      `${scan.accountsFailed} failed, ${scan.accountsSkipped} skipped; ${results.length} results: ${counts}.`,
  );
  return `${lines.join('\n')}\n`;
}

export const usage = [
  'usage: rootaudit scan [--format table|json|csv] [--checks id,id] [--accounts 111122223333,...]',
  '',
  'Scans the organization once and prints the results; no database. Configuration from the',
  'environment (AWS credentials and AWS_REGION, ROOTAUDIT_REGIONS, ROOTAUDIT_AUDIT_ROLE_NAME,',
  'ROOTAUDIT_EXTERNAL_ID, ROOTAUDIT_ORG_ROLE_ARN, ROOTAUDIT_ROOT_USAGE_WINDOW_DAYS,',
  'ROOTAUDIT_ALLOWED_EMAIL_DOMAINS, ROOTAUDIT_ACCOUNT_CONCURRENCY, AWS_ENDPOINT_URL).',
  '',
  '  --format    table (default; long messages cut), json (one document: {"scan", "results"}) or csv',
  '  --checks    only these check ids',
  '  --accounts  only these accounts (and only their part of the organization is read);',
  '              organization checks then run only when --checks names them',
  '',
  'Logs go to stderr. Exit 0 when the scan ran, whatever it found; 2 on bad usage; 1 when the',
  'organization cannot be read.',
].join('\n');

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const request = parseScanArguments(argv);
  const config = loadConfigOrExit();
  // The AWS SDK and the runner load only once the command line is known to be good.
  const { organizationUnreadable, scanClients, scanOrganization, scanSettings } = await import(
    '@rootaudit/scanner'
  );
  const logger = createLogger({ level: config.logLevel, name: 'rootaudit-scan', destination: 2 });
  const scanId = `cli-${randomUUID()}`;
  // Run by hand, the home region is the shell's AWS_REGION when set.
  const region = process.env.AWS_REGION?.trim() || process.env.AWS_DEFAULT_REGION?.trim();
  const clients = scanClients(config, scanId, region ? { region } : {});
  logger.info(
    { scanId, regions: config.regions, checks: request.checks.length, accounts: request.accountIds ?? 'all' },
    'scan started',
  );
  let scan: OrganizationScan;
  try {
    scan = await scanOrganization({
      checks: request.checks,
      clients,
      settings: scanSettings(config, new Date()),
      accountConcurrency: config.accountConcurrency,
      ...(request.accountIds ? { accountIds: request.accountIds } : {}),
      // AWS unavailable: the account (or the organization read) is tried again after a wait.
      onRetry: ({ accountId, attempt, delayMs, error }) =>
        logger.warn(
          { scanId, accountId, attempt, delayMs, cause: error.message },
          `${accountId ?? 'the organization'}: AWS unavailable (${error.collectionError.code} on ${error.collectionError.action}); trying again in ${Math.round(delayMs / 1000)} s`,
        ),
      onAccountScanned: (account) =>
        logger.info(
          {
            scanId,
            accountId: account.accountId,
            status: account.status,
            reason: account.reason,
            results: account.results.length,
            durationMs: account.durationMs,
          },
          'account scanned',
        ),
    });
  } finally {
    clients.destroy();
  }

  if (scan.status === 'FAILED') {
    const unreadable = organizationUnreadable(scan.organizationEvidence);
    const reason = unreadable ? `the organization could not be read: ${unreadable}` : scan.reason;
    logger.error({ scanId, reason }, 'scan failed');
    process.stderr.write(
      `rootaudit scan: ${reason}; check the base AWS credentials (and ROOTAUDIT_ORG_ROLE_ARN when set): ` +
        'organization reads need the management or a delegated-administrator account\n',
    );
    return 1;
  }

  const summary = summarize(scanId, scan, request, config.regions);
  logger.info(
    {
      scanId,
      status: summary.status,
      accountsScanned: summary.accountsScanned,
      accountsFailed: summary.accountsFailed,
      counts: summary.counts,
    },
    'scan finished',
  );
  const names = new Map(scan.organization?.accounts.map((account) => [account.id, account.name]) ?? []);
  const output =
    request.format === 'json'
      ? renderJson(summary, scan.results)
      : request.format === 'csv'
        ? renderCsv(scan.results, names)
        : renderTable(summary, scan.results, names);
  await new Promise<void>((resolve, reject) =>
    process.stdout.write(output, (error) => (error ? reject(error) : resolve())),
  );
  return 0;
}
