/**
 * GET /v1/findings: the current state per account × check × resource, filtered, cursor-paginated.
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
import { type Finding, Prisma, type PrismaClient } from '@rootaudit/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../errors.ts';
import {
  accountId,
  booleanQuery,
  CHECK_STATUSES,
  checkId,
  commaList,
  dateTimeQuery,
  idCursorList,
  iso,
  isoDate,
  nullableIsoDate,
  ouId,
  page,
  SEVERITIES,
  uuid,
} from '../schemas.ts';

export const findingItem = z
  .object({
    id: z.string(),
    accountId: z.string(),
    accountName: z.string(),
    scope: z.enum(['account', 'organization']),
    checkId: z.string(),
    resource: z.string(),
    status: z.enum(CHECK_STATUSES),
    severity: z.enum(SEVERITIES),
    message: z.string(),
    evidence: z.unknown(),
    muted: z.boolean(),
    firstSeenAt: isoDate,
    lastSeenAt: isoDate,
    statusChangedAt: isoDate,
    resolvedAt: nullableIsoDate,
    reopenedAt: nullableIsoDate,
    reopenCount: z.number().int(),
    lastScanId: z.string().nullable(),
    // An ERROR keeps the finding's last known status: when its last evaluation could not answer,
    // these say when and why (null once an evaluation answers again).
    lastErrorAt: nullableIsoDate.describe(
      'when the last evaluation could not answer (ERROR); null if it did',
    ),
    lastError: z.string().nullable().describe('why the last evaluation could not answer'),
  })
  .meta({ id: 'Finding' });

export type FindingItem = z.output<typeof findingItem>;

/** A finding read through Prisma (findingPage reads a page as FindingItems directly). */
export function toFindingItem(finding: Finding, accountName: string): FindingItem {
  return {
    id: finding.id,
    accountId: finding.accountId,
    accountName,
    scope: finding.scope,
    checkId: finding.checkId,
    resource: finding.resource,
    status: finding.status,
    severity: finding.severity,
    message: finding.message,
    evidence: finding.evidence,
    muted: finding.muted,
    firstSeenAt: iso(finding.firstSeenAt),
    lastSeenAt: iso(finding.lastSeenAt),
    statusChangedAt: iso(finding.statusChangedAt),
    resolvedAt: iso(finding.resolvedAt),
    reopenedAt: iso(finding.reopenedAt),
    reopenCount: finding.reopenCount,
    lastScanId: finding.lastScanId,
    lastErrorAt: iso(finding.lastErrorAt),
    lastError: finding.lastError,
  };
}

export const findingFilters = z
  .object({
    status: commaList(z.enum(CHECK_STATUSES)).optional().describe('comma list, e.g. FAIL,ERROR'),
    severity: commaList(z.enum(SEVERITIES)).optional().describe('comma list, e.g. critical,high'),
    check: commaList(checkId).optional().describe('check ids, comma list'),
    account: commaList(accountId).optional().describe('account ids, comma list'),
    ou: ouId.optional().describe('accounts anywhere under this OU (or root)'),
    muted: booleanQuery.optional(),
    changedSince: dateTimeQuery.optional().describe('status changed at or after this time'),
  })
  .strict();

export type FindingFilters = z.output<typeof findingFilters>;

/**
 * The filters as SQL over `findings f JOIN accounts a`; the enum casts are the ones Prisma writes,
 * so plans are the same as a findMany's.
 */
function findingConditions(filters: FindingFilters): Prisma.Sql[] {
  const anyOf = (values: readonly string[], type: string) =>
    Prisma.join(values.map((value) => Prisma.sql`CAST(${value} AS ${Prisma.raw(type)})`));
  const conditions: Prisma.Sql[] = [];
  if (filters.status) conditions.push(Prisma.sql`f.status IN (${anyOf(filters.status, 'check_status')})`);
  if (filters.severity) conditions.push(Prisma.sql`f.severity IN (${anyOf(filters.severity, 'severity')})`);
  if (filters.check) conditions.push(Prisma.sql`f.check_id IN (${Prisma.join(filters.check)})`);
  if (filters.account) conditions.push(Prisma.sql`f.account_id IN (${Prisma.join(filters.account)})`);
  // OU and root ids hold no LIKE wildcards (see the ouId schema).
  if (filters.ou) conditions.push(Prisma.sql`a.ou_path LIKE ${`%/${filters.ou}/%`}`);
  if (filters.muted !== undefined) conditions.push(Prisma.sql`f.muted = ${filters.muted}`);
  if (filters.changedSince) conditions.push(Prisma.sql`f.status_changed_at >= ${filters.changedSince}`);
  return conditions;
}

/**
 * timestamp(3) (UTC) as Date.toISOString() writes it, formatted by PostgreSQL: a page then needs no
 * Date objects in the API (five per finding, parsed and printed again).
 */
function isoColumn(column: string, alias: string): Prisma.Sql {
  return Prisma.raw(`to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${alias}"`);
}

/** One page in id order, after `afterId` when given: up to `take` items (the list and the export). */
export function findingPage(
  prisma: PrismaClient,
  filters: FindingFilters,
  page: { afterId?: string | undefined; take: number },
): Promise<FindingItem[]> {
  const conditions = findingConditions(filters);
  if (page.afterId !== undefined) conditions.push(Prisma.sql`f.id > ${page.afterId}`);
  const where = conditions.length > 0 ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`;
  return prisma.$queryRaw<FindingItem[]>`
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
    ORDER BY f.id
    LIMIT ${page.take}`;
}

const findingPages = idCursorList('findings', uuid);

const listQuery = findingFilters.extend(findingPages.pageQuery).strict();

export async function findingRoutes(
  instance: FastifyInstance,
  options: { prisma: PrismaClient },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { prisma } = options;

  app.get(
    '/findings',
    {
      schema: {
        tags: ['findings'],
        summary: 'Current findings, filtered, with cursor pagination',
        security: [{ apiKey: [] }],
        querystring: listQuery,
        response: { 200: page(findingItem), 400: errorBody, 401: errorBody, 403: errorBody },
      },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      const rows = await findingPage(prisma, filters, { afterId: cursor?.id, take: limit + 1 });
      return findingPages.pageOf(rows, limit);
    },
  );
}
