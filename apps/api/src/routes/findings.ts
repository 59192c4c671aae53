/**
 * GET /v1/findings: the current state per account × check × resource, filtered, cursor-paginated.
 * The filter and the page are the store's (findingPage): the export reads the same statement.
 */
import type { PrismaClient } from '@rootaudit/db';
import { type FindingFilter, findingPage } from '@rootaudit/store';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../errors.ts';
import { idPagedList, page } from '../paging.ts';
import {
  accountId,
  booleanQuery,
  CHECK_SCOPES,
  CHECK_STATUSES,
  checkId,
  commaList,
  dateTimeQuery,
  isoDate,
  nullableIsoDate,
  ouId,
  SEVERITIES,
  uuid,
} from '../schemas.ts';

export const findingItem = z
  .object({
    id: z.string(),
    accountId: z.string(),
    accountName: z.string(),
    scope: z.enum(CHECK_SCOPES),
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

/**
 * The query parameters of every filter of the findings list and its exports: one schema over the
 * store's one FindingFilter, so a filter means the same in the list and in every export format.
 */
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
  .strict() satisfies z.ZodType<FindingFilter>;

const findingPages = idPagedList('findings', uuid);

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
      const { limit, cursor, ...filter } = request.query;
      const rows = await findingPage(prisma, filter, findingPages.request({ limit, cursor }));
      return findingPages.body(rows, (row) => row);
    },
  );
}
