/**
 * Bulk data for the API benchmark, written with SQL straight into the migrated schema (no app code):
 * an organization with an OU tree, `accounts` accounts, `scans` nightly scans whose results all
 * accumulate in check_results, and the current findings. Everything is generated inside PostgreSQL
 * (INSERT … SELECT over generate_series), so nothing crosses the wire but the statements.
 *
 * Shape (full size): 12,500 accounts × 16 account-scope checks + 3 organization-scope findings on
 * the management account = 200,003 findings; × 25 scans = 5,000,075 result rows. Statuses follow
 * per-check rates (about 14% FAIL overall, NOT_APPLICABLE where root credentials are centrally
 * managed, a few transient ERRORs per scan), severities are the checks' own, ids are UUIDv7 of the
 * time the row was written, as the app writes them.
 */
import type pg from 'pg';

export interface BenchDataSize {
  accounts: number;
  scans: number;
}

export const FULL_SIZE: BenchDataSize = { accounts: 12_500, scans: 25 };
export const QUICK_SIZE: BenchDataSize = { accounts: 1_250, scans: 25 };

export const ROOT_ID = 'r-ab12';
export const ORGANIZATION_ID = 'o-ab12cd34ef';
/** Account ids are FIRST_ACCOUNT + index; index 0 is the management account. */
const FIRST_ACCOUNT = 210_000_000_000;

export function accountIdAt(index: number): string {
  return String(FIRST_ACCOUNT + index);
}

/** The OU tree: top-level OUs (with the share of accounts placed under them) and their children. */
export const TOP_OUS = [
  { id: 'ou-ab12-prod0000', name: 'Production', children: 10, share: 40 },
  { id: 'ou-ab12-nprd0000', name: 'NonProduction', children: 10, share: 30 },
  { id: 'ou-ab12-sbox0000', name: 'Sandbox', children: 3, share: 20 },
  { id: 'ou-ab12-secu0000', name: 'Security', children: 0, share: 3 },
  { id: 'ou-ab12-infr0000', name: 'Infrastructure', children: 0, share: 4 },
  { id: 'ou-ab12-susp0000', name: 'Suspended', children: 0, share: 3 },
] as const;

/** Child OU ids: the top-level id with its last two characters replaced by 01, 02… */
export function childOuId(topId: string, n: number): string {
  return `${topId.slice(0, -2)}${String(n).padStart(2, '0')}`;
}

/** Checks with their severity and the per-mille of FAIL, NOT_APPLICABLE and ERROR results. */
const CHECKS: ReadonlyArray<{
  id: string;
  scope: 'account' | 'organization';
  severity: string;
  fail: number;
  na: number;
  error: number;
  pass: string;
  failure: string;
}> = [
  {
    id: 'root-mfa-enabled',
    scope: 'account',
    severity: 'critical',
    fail: 15,
    na: 300,
    error: 3,
    pass: 'Root has MFA enabled.',
    failure: 'Root has a password and no MFA device: enable MFA for the root user.',
  },
  {
    id: 'root-hardware-mfa',
    scope: 'account',
    severity: 'high',
    fail: 350,
    na: 300,
    error: 3,
    pass: 'Root MFA is a hardware device only.',
    failure:
      'Root has a virtual MFA device (arn:aws:iam::{a}:mfa/root-account-mfa-device): use a hardware device.',
  },
  {
    id: 'root-no-access-keys',
    scope: 'account',
    severity: 'critical',
    fail: 8,
    na: 0,
    error: 3,
    pass: 'Root has no access keys.',
    failure: 'Root has an active access key (access_key_1, last used 12 days ago): delete it.',
  },
  {
    id: 'root-access-key-rotated',
    scope: 'account',
    severity: 'medium',
    fail: 6,
    na: 985,
    error: 3,
    pass: 'Every root access key was rotated within 90 days.',
    failure: 'Root access key 1 was last rotated 412 days ago.',
  },
  {
    id: 'root-no-signing-certificates',
    scope: 'account',
    severity: 'medium',
    fail: 3,
    na: 0,
    error: 3,
    pass: 'Root has no signing certificates.',
    failure: 'Root has 1 signing certificate: delete it.',
  },
  {
    id: 'root-not-recently-used',
    scope: 'account',
    severity: 'high',
    fail: 60,
    na: 0,
    error: 3,
    pass: 'Root was not used in the last 90 days.',
    failure: 'Root signed in with its password 9 days ago (password_last_used).',
  },
  {
    id: 'root-signin-activity',
    scope: 'account',
    severity: 'high',
    fail: 40,
    na: 0,
    error: 20,
    pass: 'No root ConsoleLogin or API event in CloudTrail in the last 90 days.',
    failure: 'Root ConsoleLogin on 2026-10-30T08:12:44Z from 203.0.113.7 (MFAUsed: No, Success).',
  },
  {
    id: 'cloudtrail-multi-region',
    scope: 'account',
    severity: 'high',
    fail: 20,
    na: 0,
    error: 3,
    pass: 'Organization trail org-trail is multi-region and logging management events.',
    failure: 'No multi-region trail logs management events.',
  },
  {
    id: 'root-usage-metric-alarm',
    scope: 'account',
    severity: 'low',
    fail: 450,
    na: 0,
    error: 3,
    pass: 'Root usage metric filter, alarm and subscribed SNS topic are in place.',
    failure: 'No metric filter on log group org-trail-logs matches root usage.',
  },
  {
    id: 'root-activity-alerting',
    scope: 'account',
    severity: 'medium',
    fail: 250,
    na: 0,
    error: 3,
    pass: 'Root usage raises an alert (EventBridge rule root-activity).',
    failure: 'Nothing alerts on root usage: no metric alarm chain and no EventBridge rule.',
  },
  {
    id: 'guardduty-enabled',
    scope: 'account',
    severity: 'high',
    fail: 120,
    na: 0,
    error: 3,
    pass: 'GuardDuty has an enabled detector in us-east-1, eu-west-1.',
    failure: 'GuardDuty is not enabled in eu-west-1.',
  },
  {
    id: 'security-contact-registered',
    scope: 'account',
    severity: 'medium',
    fail: 300,
    na: 0,
    error: 3,
    pass: 'A SECURITY alternate contact is registered.',
    failure: 'No SECURITY alternate contact is registered.',
  },
  {
    id: 'alternate-contacts-registered',
    scope: 'account',
    severity: 'low',
    fail: 400,
    na: 0,
    error: 3,
    pass: 'BILLING and OPERATIONS contacts are registered.',
    failure: 'No BILLING or OPERATIONS alternate contact is registered.',
  },
  {
    id: 'account-email-domain',
    scope: 'account',
    severity: 'medium',
    fail: 50,
    na: 0,
    error: 0,
    pass: 'The root email is on an allowed domain.',
    failure: 'The root email aws-{a}@gmail.com is on a free-mail domain.',
  },
  {
    id: 'scp-root-deny',
    scope: 'account',
    severity: 'high',
    fail: 150,
    na: 0,
    error: 3,
    pass: 'SCP DenyRoot attached to an ancestor OU denies root actions.',
    failure: 'No SCP in effect denies actions to arn:*:iam::*:root.',
  },
  {
    id: 'root-credentials-absent',
    scope: 'account',
    severity: 'high',
    fail: 80,
    na: 300,
    error: 3,
    pass: 'Root has no password, access keys, signing certificates or MFA devices.',
    failure: 'Root still has a password although root credentials are centrally managed.',
  },
  {
    id: 'org-all-features',
    scope: 'organization',
    severity: 'high',
    fail: 0,
    na: 0,
    error: 0,
    pass: 'The organization has all features enabled.',
    failure: '',
  },
  {
    id: 'org-root-credentials-management',
    scope: 'organization',
    severity: 'high',
    fail: 1000,
    na: 0,
    error: 0,
    pass: '',
    failure: 'RootCredentialsManagement is not enabled for the organization.',
  },
  {
    id: 'org-root-sessions',
    scope: 'organization',
    severity: 'medium',
    fail: 1000,
    na: 0,
    error: 0,
    pass: '',
    failure: 'RootSessions is not enabled for the organization.',
  },
];

export const ACCOUNT_CHECK_IDS = CHECKS.filter((check) => check.scope === 'account').map((check) => check.id);

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Helper objects, dropped at the end (the database is thrown away anyway). */
function helperSql(size: BenchDataSize): string {
  const checkRows = CHECKS.map(
    (check, ord) =>
      `(${ord}, ${literal(check.id)}, ${literal(check.scope)}::check_scope, ${literal(check.severity)}::severity, ` +
      `${check.fail}, ${check.na}, ${check.error}, ${literal(check.pass)}, ${literal(check.failure)})`,
  ).join(',\n');
  return `
CREATE TABLE bench_checks (ord int PRIMARY KEY, check_id text, scope check_scope, severity severity,
  fail_pm int, na_pm int, error_pm int, pass_message text, fail_message text);
INSERT INTO bench_checks VALUES ${checkRows};

CREATE TABLE bench_scans (n int PRIMARY KEY, id text, started_at timestamptz);

-- UUIDv7 (time-ordered) as the app writes them: 48-bit Unix ms, version 7, variant, random rest.
-- Built as 32 hex digits (random() is much cheaper than gen_random_uuid()) and cast to uuid for
-- the dashes. One expression, so the planner inlines it.
CREATE FUNCTION bench_uuid7(ts timestamptz) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT (lpad(to_hex((extract(epoch FROM ts) * 1000)::bigint), 12, '0') || '7' ||
    lpad(to_hex((random() * 4095)::int), 3, '0') || substr('89ab', 1 + (random() * 3)::int, 1) ||
    lpad(to_hex((random() * 4294967295)::bigint), 8, '0') ||
    lpad(to_hex((random() * 268435455)::int), 7, '0'))::uuid::text
$$;

-- The status of (account, check) in scan n: a stable state per account and check, drawn with the
-- check's rates, plus transient ERRORs (throttling, a role briefly missing) in some scans.
-- (Single-expression SQL functions, declared no less volatile than their body — text to enum is
-- STABLE — so the planner inlines them.)
CREATE FUNCTION bench_status(account text, c bench_checks, n int) RETURNS check_status
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN abs(hashtext(account || c.check_id || n::text)) % 1000 < c.error_pm THEN 'ERROR'
    WHEN abs(hashtext(account || c.check_id)) % 1000 < c.fail_pm THEN 'FAIL'
    WHEN abs(hashtext(account || c.check_id)) % 1000 < c.fail_pm + c.na_pm THEN 'NOT_APPLICABLE'
    ELSE 'PASS' END::check_status
$$;

CREATE FUNCTION bench_message(account text, c bench_checks, status check_status) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE status
    WHEN 'PASS' THEN c.pass_message
    WHEN 'FAIL' THEN replace(c.fail_message, '{a}', account)
    WHEN 'NOT_APPLICABLE' THEN 'Not applicable: root credentials of ' || account || ' are centrally managed.'
    ELSE 'AccessDenied on iam:GetAccountSummary in ' || account ||
      ': the audit role lacks it; redeploy the audit-role template.' END
$$;

CREATE FUNCTION bench_evidence(account text, c bench_checks, status check_status, at timestamptz) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'accountSummary', jsonb_build_object('AccountMFAEnabled', (status <> 'FAIL')::int,
      'AccountAccessKeysPresent', 0, 'AccountSigningCertificatesPresent', 0,
      'AccountPasswordPresent', (status <> 'NOT_APPLICABLE')::int),
    'credentialReport', jsonb_build_object('generatedTime', to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      'passwordLastUsed', 'no_information', 'accessKey1Active', false),
    'auditRoleArn', 'arn:aws:iam::' || account || ':role/RootAuditRole',
    'region', 'us-east-1')
$$;

INSERT INTO bench_scans
SELECT n, bench_uuid7(ts), ts
FROM generate_series(1, ${size.scans}) AS n,
  LATERAL (SELECT timestamptz '2026-11-22 02:00:00+00' - (${size.scans} - n) * interval '1 day' AS ts) AS t;

-- Result rows take their evidence from here, one document per check, status and scan: building a
-- JSON document per row would dominate the load time, and nothing reads their contents.
CREATE TABLE bench_result_evidence (ord int, status check_status, n int, evidence jsonb,
  PRIMARY KEY (ord, status, n));
INSERT INTO bench_result_evidence
SELECT c.ord, status, sc.n, bench_evidence('000000000000', c, status, sc.started_at)
FROM bench_checks c CROSS JOIN bench_scans sc
  CROSS JOIN unnest(enum_range(NULL::check_status)) AS status;
`;
}

function organizationSql(size: BenchDataSize): string {
  const ous: string[] = [`(${literal(ROOT_ID)}, NULL, 'Root', ${literal(`/${ROOT_ID}/`)})`];
  for (const top of TOP_OUS) {
    const topPath = `/${ROOT_ID}/${top.id}/`;
    ous.push(`(${literal(top.id)}, ${literal(ROOT_ID)}, ${literal(top.name)}, ${literal(topPath)})`);
    for (let n = 1; n <= top.children; n++) {
      const id = childOuId(top.id, n);
      ous.push(
        `(${literal(id)}, ${literal(top.id)}, ${literal(`${top.name}-${n}`)}, ${literal(`${topPath}${id}/`)})`,
      );
    }
  }
  // Accounts are spread over the top-level OUs by share (percent), then evenly over their children.
  const placements: string[] = [];
  let from = 0;
  for (const top of TOP_OUS) {
    const to = from + top.share;
    const ou =
      top.children === 0
        ? literal(top.id)
        : `left(${literal(top.id)}, -2) || lpad((1 + abs(hashtext('bu' || i)) % ${top.children})::text, 2, '0')`;
    placements.push(`WHEN bucket < ${to} THEN ${ou}`);
    from = to;
  }
  return `
INSERT INTO organizations (id, arn, feature_set, management_account_id, root_id, enabled_features, updated_at)
VALUES (${literal(ORGANIZATION_ID)}, ${literal(`arn:aws:organizations::${accountIdAt(0)}:organization/${ORGANIZATION_ID}`)},
  'ALL', ${literal(accountIdAt(0))}, ${literal(ROOT_ID)}, '{}', now());

INSERT INTO organizational_units (id, organization_id, parent_id, name, path, updated_at)
SELECT id, ${literal(ORGANIZATION_ID)}, parent_id, name, path, now()
FROM (VALUES ${ous.join(',\n')}) AS ou (id, parent_id, name, path);

INSERT INTO accounts (id, organization_id, name, email, status, is_management_account, ou_id, ou_path,
  joined_at, last_scanned_at, created_at, updated_at)
SELECT a.id, ${literal(ORGANIZATION_ID)}, 'acct-' || ou.name || '-' || i, 'aws+' || a.id || '@example.com',
  CASE WHEN ou.id = 'ou-ab12-susp0000' THEN 'SUSPENDED' ELSE 'ACTIVE' END::account_status,
  i = 0, ou.id, ou.path, timestamptz '2020-01-01' + i * interval '3 hours',
  (SELECT max(started_at) FROM bench_scans), now(), now()
FROM generate_series(0, ${size.accounts - 1}) AS i,
  LATERAL (SELECT (${FIRST_ACCOUNT}::bigint + i)::text AS id,
    abs(hashtext('ou' || i)) % 100 AS bucket) AS a,
  LATERAL (SELECT CASE WHEN i = 0 THEN ${literal(ROOT_ID)} ${placements.join(' ')} END AS ou_id) AS p
  JOIN organizational_units ou ON ou.id = p.ou_id;

INSERT INTO scans (id, trigger, status, active, accounts_total, accounts_done, accounts_failed,
  created_at, started_at, finished_at, last_progress_at)
SELECT id, 'SCHEDULED', 'SUCCEEDED', NULL, ${size.accounts}, ${size.accounts}, 0,
  started_at, started_at, started_at + interval '25 minutes', started_at + interval '25 minutes'
FROM bench_scans;
`;
}

/**
 * Which (account, check) pairs exist: account-scope checks for every account, organization-scope
 * checks for the management account only. `a` has id, n (index); `c` is bench_checks.
 */
const PAIRS = `accounts a0
  CROSS JOIN LATERAL (SELECT (a0.id::bigint - ${FIRST_ACCOUNT})::int AS n, a0.id) AS a
  JOIN bench_checks c ON c.scope = 'account' OR a0.is_management_account`;

/** Result time of an account in a scan: accounts finish over the scan's 25 minutes. */
function resultTime(size: BenchDataSize, scanStart: string): string {
  return `${scanStart} + (a.n * ${Math.floor(1_500_000 / size.accounts)} + c.ord * 5) * interval '1 ms'`;
}

function findingsSql(size: BenchDataSize): string {
  const first = resultTime(size, '(SELECT started_at FROM bench_scans WHERE n = 1)');
  const last = resultTime(size, 'l.started_at');
  return `
INSERT INTO findings (id, account_id, scope, check_id, resource, status, severity, message, evidence,
  first_seen_at, last_seen_at, status_changed_at, resolved_at, reopened_at, reopen_count, last_scan_id,
  muted, created_at, updated_at)
SELECT bench_uuid7(f.first_seen), a.id, c.scope, c.check_id,
  CASE WHEN c.scope = 'organization' THEN ${literal(`arn:aws:organizations::${accountIdAt(0)}:organization/${ORGANIZATION_ID}`)}
    ELSE 'arn:aws:iam::' || a.id || ':root' END,
  s.status, c.severity, bench_message(a.id, c, s.status), bench_evidence(a.id, c, s.status, f.last_seen),
  f.first_seen, f.last_seen,
  CASE WHEN f.h % 10 = 0 THEN f.first_seen + (f.h % ${size.scans}) * interval '1 day' ELSE f.first_seen END,
  CASE WHEN s.status = 'PASS' AND f.h % 20 = 0 THEN f.first_seen + (f.h % ${size.scans}) * interval '1 day' END,
  CASE WHEN s.status = 'FAIL' AND f.h % 50 = 0 THEN f.first_seen + (f.h % ${size.scans}) * interval '1 day' END,
  CASE WHEN s.status = 'FAIL' AND f.h % 50 = 0 THEN 1 ELSE 0 END,
  l.id,
  -- Sandbox accounts' contact findings are suppressed, as teams do.
  c.check_id IN ('security-contact-registered', 'alternate-contacts-registered') AND a0.ou_path LIKE '%/ou-ab12-sbox0000/%',
  f.first_seen, f.last_seen
FROM ${PAIRS}
  CROSS JOIN (SELECT * FROM bench_scans WHERE n = ${size.scans}) AS l
  CROSS JOIN LATERAL (SELECT ${first} AS first_seen, ${last} AS last_seen,
    abs(hashtext(a.id || c.check_id || 'life')) AS h) AS f
  CROSS JOIN LATERAL (SELECT bench_status(a.id, c, l.n) AS status) AS s;
`;
}

/** Results of scans fromScan..toScan (one statement per call, so two connections load in parallel). */
function resultsSql(size: BenchDataSize, fromScan: number, toScan: number): string {
  const at = resultTime(size, 'sc.started_at');
  // The status is computed once per row (OFFSET 0 keeps the subquery apart) before the evidence join.
  return `
INSERT INTO check_results (id, scan_id, account_id, scope, check_id, resource, status, severity, message,
  evidence, created_at)
SELECT bench_uuid7(r.at), r.scan_id, r.account_id, r.scope, r.check_id,
  CASE WHEN r.scope = 'organization' THEN ${literal(`arn:aws:organizations::${accountIdAt(0)}:organization/${ORGANIZATION_ID}`)}
    ELSE 'arn:aws:iam::' || r.account_id || ':root' END,
  r.status, r.severity, r.message, e.evidence, r.at
FROM (
  SELECT sc.id AS scan_id, sc.n, a.id AS account_id, c.ord, c.scope, c.check_id, c.severity, s.at, s.status,
    bench_message(a.id, c, s.status) AS message
  FROM bench_scans sc
    CROSS JOIN ${PAIRS}
    CROSS JOIN LATERAL (SELECT ${at} AS at, bench_status(a.id, c, sc.n) AS status) AS s
  WHERE sc.n BETWEEN ${fromScan} AND ${toScan}
  OFFSET 0
) AS r
  JOIN bench_result_evidence e ON e.ord = r.ord AND e.status = r.status AND e.n = r.n;
`;
}

const DROP_HELPERS = `
DROP FUNCTION bench_evidence, bench_message, bench_status, bench_uuid7;
DROP TABLE bench_result_evidence, bench_scans, bench_checks;
`;

export interface LoadTimings {
  /** Organization, OUs, accounts, scans and findings. */
  findingsMs: number;
  /** INSERT of every result row (secondary indexes and constraints dropped). */
  resultsInsertMs: number;
  /** Rebuilding check_results' primary key, indexes and foreign keys. */
  resultsIndexMs: number;
  /** VACUUM ANALYZE of the whole database. */
  vacuumMs: number;
  totalMs: number;
}

export interface LoadedCounts {
  accounts: number;
  organizationalUnits: number;
  scans: number;
  findings: number;
  checkResults: number;
  databaseBytes: number;
}

/**
 * Loads the data. `connect` opens a new client on the benchmark database; two are used at once for
 * the result rows and the index builds (two cores).
 */
export async function loadBenchData(
  connect: () => Promise<pg.Client>,
  size: BenchDataSize,
  log: (line: string) => void,
): Promise<{ timings: LoadTimings; counts: LoadedCounts }> {
  const started = performance.now();
  const main = await connect();
  const second = await connect();
  const both = [main, second];
  try {
    for (const client of both) {
      // Only this session's commits: a crash loses the benchmark database, which is thrown away anyway.
      await client.query(
        "SET synchronous_commit = off; SET maintenance_work_mem = '512MB'; SET TIME ZONE 'UTC'",
      );
    }
    await main.query(helperSql(size));
    await main.query(organizationSql(size));
    await main.query(findingsSql(size));
    const findingsMs = performance.now() - started;
    log(`findings loaded in ${(findingsMs / 1000).toFixed(1)} s`);

    // Bulk load: drop check_results' constraints and indexes, insert, then rebuild them exactly as
    // the migration defined them (definitions read back from the catalog).
    const constraints = await main.query<{ name: string; definition: string; type: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition, contype AS type
       FROM pg_constraint WHERE conrelid = 'check_results'::regclass ORDER BY contype DESC`,
    );
    const indexes = await main.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
       WHERE tablename = 'check_results' AND schemaname = current_schema()
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'check_results'::regclass)`,
    );
    for (const constraint of constraints.rows) {
      await main.query(`ALTER TABLE check_results DROP CONSTRAINT "${constraint.name}"`);
    }
    for (const index of indexes.rows) await main.query(`DROP INDEX "${index.name}"`);

    const insertStarted = performance.now();
    const half = Math.ceil(size.scans / 2);
    await Promise.all([
      main.query(resultsSql(size, 1, half)),
      second.query(resultsSql(size, half + 1, size.scans)),
    ]);
    const resultsInsertMs = performance.now() - insertStarted;
    log(`result rows inserted in ${(resultsInsertMs / 1000).toFixed(1)} s`);

    const indexStarted = performance.now();
    const builds = [
      ...constraints.rows
        .filter((constraint) => constraint.type !== 'f')
        .map((c) => `ALTER TABLE check_results ADD CONSTRAINT "${c.name}" ${c.definition}`),
      ...indexes.rows.map((index) => index.definition),
    ];
    // Two builds at a time, one per core.
    const queue = [...builds];
    await Promise.all(
      both.map(async (client) => {
        for (let next = queue.shift(); next; next = queue.shift()) await client.query(next);
      }),
    );
    for (const constraint of constraints.rows.filter((c) => c.type === 'f')) {
      await main.query(
        `ALTER TABLE check_results ADD CONSTRAINT "${constraint.name}" ${constraint.definition}`,
      );
    }
    const resultsIndexMs = performance.now() - indexStarted;
    log(`check_results indexes and constraints rebuilt in ${(resultsIndexMs / 1000).toFixed(1)} s`);

    // Each finished scan's result counters, as finishing a scan records them (the summary's trend
    // reads them).
    await main.query(`UPDATE scans s SET results_pass = c.pass, results_fail = c.fail,
        results_error = c.error, results_not_applicable = c.not_applicable
      FROM (SELECT scan_id, count(*) FILTER (WHERE status = 'PASS') AS pass,
          count(*) FILTER (WHERE status = 'FAIL') AS fail,
          count(*) FILTER (WHERE status = 'ERROR') AS error,
          count(*) FILTER (WHERE status = 'NOT_APPLICABLE') AS not_applicable
        FROM check_results GROUP BY scan_id) c
      WHERE s.id = c.scan_id`);
    await main.query(DROP_HELPERS);
    const vacuumStarted = performance.now();
    await main.query('VACUUM ANALYZE');
    const vacuumMs = performance.now() - vacuumStarted;
    log(`VACUUM ANALYZE in ${(vacuumMs / 1000).toFixed(1)} s`);

    const count = async (table: string) =>
      Number((await main.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);
    const counts: LoadedCounts = {
      accounts: await count('accounts'),
      organizationalUnits: await count('organizational_units'),
      scans: await count('scans'),
      findings: await count('findings'),
      checkResults: await count('check_results'),
      databaseBytes: Number(
        (await main.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n')).rows[0]?.n ?? 0,
      ),
    };
    return {
      timings: {
        findingsMs,
        resultsInsertMs,
        resultsIndexMs,
        vacuumMs,
        totalMs: performance.now() - started,
      },
      counts,
    };
  } finally {
    await Promise.all(both.map((client) => client.end().catch(() => undefined)));
  }
}
