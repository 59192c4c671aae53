/**
 * GET /v1/findings: the current state per account × check × resource, filtered, cursor-paginated.
 *
 * Pages are ordered by id (UUIDv7, assigned at creation and never changed), so a page boundary
 * never moves: rows that existed when a client started paging are each returned exactly once,
 * whatever scans update or insert meanwhile; findings created later appear on later pages.
 * Ordering by updatedAt would let a finding a scan touches jump behind the cursor and be skipped.
 */
import type { Finding, Prisma, PrismaClient } from '@rootaudit/db';
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
  cursorQuery,
  dateTimeQuery,
  encodeCursor,
  idCursor,
  iso,
  isoDate,
  limitQuery,
  nullableIsoDate,
  ouId,
  page,
  SEVERITIES,
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
  })
  .meta({ id: 'Finding' });

export type FindingItem = z.output<typeof findingItem>;

export function toFindingItem(finding: Finding & { account: { name: string } }): FindingItem {
  return {
    id: finding.id,
    accountId: finding.accountId,
    accountName: finding.account.name,
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

export function findingWhere(filters: FindingFilters): Prisma.FindingWhereInput {
  const where: Prisma.FindingWhereInput = {};
  if (filters.status) where.status = { in: filters.status };
  if (filters.severity) where.severity = { in: filters.severity };
  if (filters.check) where.checkId = { in: filters.check };
  if (filters.account) where.accountId = { in: filters.account };
  if (filters.ou) where.account = { ouPath: { contains: `/${filters.ou}/` } };
  if (filters.muted !== undefined) where.muted = filters.muted;
  if (filters.changedSince) where.statusChangedAt = { gte: filters.changedSince };
  return where;
}

const listQuery = findingFilters
  .extend({ limit: limitQuery, cursor: cursorQuery(idCursor).optional() })
  .strict();

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
      const where = findingWhere(filters);
      if (cursor) where.id = { gt: cursor.id };
      const rows = await prisma.finding.findMany({
        where,
        include: { account: { select: { name: true } } },
        orderBy: { id: 'asc' },
        take: limit + 1,
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(toFindingItem),
        nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null,
      };
    },
  );
}
