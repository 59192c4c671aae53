/**
 * Current findings as the API serves them: one filter, one statement for a page of the list, an
 * export batch and an account's findings alike, so the list and every export format cannot drift.
 *
 * Pages are ordered by id (UUIDv7, assigned at creation and never changed), so a page boundary
 * never moves: rows that existed when a client started paging are each returned exactly once,
 * whatever scans update or insert meanwhile; findings created later appear on later pages.
 * Ordering by updatedAt would let a finding a scan touches jump behind the cursor and be skipped.
 *
 * A page is one SQL statement (findings joined to their account's name, dates formatted by
 * PostgreSQL): `findMany` with `include: { account }` cost a second round trip and Prisma's relation
 * stitching, and Date objects cost CPU that the API process runs short of under load (measured by
 * bench/api.ts). The indexes ending in `id` (schema.prisma) let the selective filters read a page in
 * order and stop after `limit` rows.
 */
import { type CheckScope, type CheckStatus, Prisma, type PrismaClient, type Severity } from '@rootaudit/db';
import { type IdPosition, idPageOf, type Page, type PageRequest } from './paging.ts';

/** Every filter of the findings list and its exports; absent = no condition, lists = any of. */
export interface FindingFilter {
  status?: readonly CheckStatus[] | undefined;
  severity?: readonly Severity[] | undefined;
  /** Check ids. */
  check?: readonly string[] | undefined;
  /** Account ids. */
  account?: readonly string[] | undefined;
  /** Accounts anywhere under this OU or root id (ou-… or r-…: no LIKE wildcards). */
  ou?: string | undefined;
  muted?: boolean | undefined;
  /** Status changed at or after this instant. */
  changedSince?: Date | undefined;
}

/** A finding with its account's name, dates as ISO 8601 strings (UTC, milliseconds). */
export interface FindingRow {
  id: string;
  accountId: string;
  accountName: string;
  scope: CheckScope;
  checkId: string;
  resource: string;
  status: CheckStatus;
  severity: Severity;
  message: string;
  evidence: unknown;
  muted: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
  statusChangedAt: string;
  resolvedAt: string | null;
  reopenedAt: string | null;
  reopenCount: number;
  lastScanId: string | null;
  /** When the last evaluation could not answer (ERROR); null if it did. */
  lastErrorAt: string | null;
  lastError: string | null;
}

/**
 * The filter as SQL over `findings f JOIN accounts a`; the enum casts are the ones Prisma writes,
 * so plans are the same as a findMany's.
 */
function findingConditions(filter: FindingFilter): Prisma.Sql[] {
  const anyOf = (values: readonly string[], type: string) =>
    Prisma.join(values.map((value) => Prisma.sql`CAST(${value} AS ${Prisma.raw(type)})`));
  const conditions: Prisma.Sql[] = [];
  if (filter.status) conditions.push(Prisma.sql`f.status IN (${anyOf(filter.status, 'check_status')})`);
  if (filter.severity) conditions.push(Prisma.sql`f.severity IN (${anyOf(filter.severity, 'severity')})`);
  if (filter.check) conditions.push(Prisma.sql`f.check_id IN (${Prisma.join(filter.check)})`);
  if (filter.account) conditions.push(Prisma.sql`f.account_id IN (${Prisma.join(filter.account)})`);
  if (filter.ou) conditions.push(Prisma.sql`a.ou_path LIKE ${`%/${filter.ou}/%`}`);
  if (filter.muted !== undefined) conditions.push(Prisma.sql`f.muted = ${filter.muted}`);
  if (filter.changedSince) conditions.push(Prisma.sql`f.status_changed_at >= ${filter.changedSince}`);
  return conditions;
}

/**
 * timestamp(3) (UTC) as Date.toISOString() writes it, formatted by PostgreSQL: a page then needs no
 * Date objects in the API (five per finding, parsed and printed again).
 */
function isoColumn(column: string, alias: string): Prisma.Sql {
  return Prisma.raw(`to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${alias}"`);
}

/** Findings matching every condition, in `order` (an ORDER BY ... LIMIT tail). */
function selectFindings(
  db: PrismaClient,
  conditions: Prisma.Sql[],
  order: Prisma.Sql,
): Promise<FindingRow[]> {
  const where = conditions.length > 0 ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`;
  return db.$queryRaw<FindingRow[]>`
    SELECT f.id, f.account_id AS "accountId", a.name AS "accountName", f.scope::text AS scope,
      f.check_id AS "checkId", f.resource, f.status::text AS status, f.severity::text AS severity,
      f.message, f.evidence, f.muted, ${isoColumn('f.first_seen_at', 'firstSeenAt')},
      ${isoColumn('f.last_seen_at', 'lastSeenAt')}, ${isoColumn('f.status_changed_at', 'statusChangedAt')},
      ${isoColumn('f.resolved_at', 'resolvedAt')}, ${isoColumn('f.reopened_at', 'reopenedAt')},
      f.reopen_count AS "reopenCount", f.last_scan_id AS "lastScanId",
      ${isoColumn('f.last_error_at', 'lastErrorAt')}, f.last_error AS "lastError"
    FROM findings f
    JOIN accounts a ON a.id = f.account_id
    WHERE ${where}
    ${order}`;
}

/** One page of the findings matching `filter`, in id order: the list's page and an export's batch. */
export async function findingPage(
  db: PrismaClient,
  filter: FindingFilter,
  page: PageRequest<IdPosition>,
): Promise<Page<FindingRow, IdPosition>> {
  const conditions = findingConditions(filter);
  if (page.after !== undefined) conditions.push(Prisma.sql`f.id > ${page.after.id}`);
  const rows = await selectFindings(db, conditions, Prisma.sql`ORDER BY f.id LIMIT ${page.limit + 1}`);
  return idPageOf(rows, page.limit);
}

/** Every finding of one account, by check and resource. */
export function accountFindings(db: PrismaClient, accountId: string): Promise<FindingRow[]> {
  return selectFindings(
    db,
    [Prisma.sql`f.account_id = ${accountId}`],
    Prisma.sql`ORDER BY f.check_id, f.resource`,
  );
}
