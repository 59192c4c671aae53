/**
 * GET /v1/scans, /v1/scans/:id (progress) and /v1/scans/:id/diff (what changed since the previous
 * finished scan, derived from the CheckResult rows of both, cursor-paginated).
 */

import { getCheck } from '@rootaudit/checks';
import { Prisma, type PrismaClient, type Scan } from '@rootaudit/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, errorBody } from '../errors.ts';
import {
  accountId,
  CHECK_STATUSES,
  checkId,
  commaList,
  cursorList,
  idCursorList,
  iso,
  isoDate,
  limitQuery,
  nullableIsoDate,
  page,
  pageOf,
  SCAN_STATUSES,
  SEVERITIES,
  statusCounts,
  uuid,
} from '../schemas.ts';

const scanItem = z
  .object({
    id: z.string(),
    trigger: z.enum(['SCHEDULED', 'MANUAL', 'CLI']),
    status: z.enum(SCAN_STATUSES),
    requestedBy: z.string().nullable(),
    checkIds: z.array(z.string()),
    accountFilter: z.array(z.string()),
    accountsTotal: z.number().int(),
    accountsDone: z.number().int(),
    accountsFailed: z.number().int(),
    accountsSkipped: z.number().int(),
    results: statusCounts,
    createdAt: isoDate,
    startedAt: nullableIsoDate,
    finishedAt: nullableIsoDate,
    lastProgressAt: nullableIsoDate,
    failureReason: z.string().nullable(),
  })
  .meta({ id: 'Scan' });

function toScanItem(scan: Scan): z.output<typeof scanItem> {
  return {
    id: scan.id,
    trigger: scan.trigger,
    status: scan.status,
    requestedBy: scan.requestedBy,
    checkIds: scan.checkIds,
    accountFilter: scan.accountFilter,
    accountsTotal: scan.accountsTotal,
    accountsDone: scan.accountsDone,
    accountsFailed: scan.accountsFailed,
    accountsSkipped: scan.accountsSkipped,
    results: {
      PASS: scan.resultsPass,
      FAIL: scan.resultsFail,
      ERROR: scan.resultsError,
      NOT_APPLICABLE: scan.resultsNotApplicable,
    },
    createdAt: iso(scan.createdAt),
    startedAt: iso(scan.startedAt),
    finishedAt: iso(scan.finishedAt),
    lastProgressAt: iso(scan.lastProgressAt),
    failureReason: scan.failureReason,
  };
}

const diffEntry = z.object({
  accountId: z.string(),
  checkId: z.string(),
  resource: z.string(),
  status: z.enum(CHECK_STATUSES),
  severity: z.enum(SEVERITIES),
  message: z.string(),
  /** Status in the previous scan; null when the previous scan had no such result. */
  previousStatus: z.enum(CHECK_STATUSES).nullable(),
});

const diffBody = z
  .object({
    scanId: z.string(),
    /** The latest SUCCEEDED or PARTIAL scan created before this one; null for the first scan. */
    previousScanId: z.string().nullable(),
    /** Totals of the whole diff, whatever the page. */
    counts: z.object({ new: z.number().int(), resolved: z.number().int(), reopened: z.number().int() }),
    /** FAIL now, not FAIL in the previous scan, never FAIL before. */
    new: z.array(diffEntry),
    /** FAIL in the previous scan, PASS now. */
    resolved: z.array(diffEntry),
    /** FAIL now, not FAIL in the previous scan, FAIL in some earlier scan. */
    reopened: z.array(diffEntry),
    /** Pass it back as `cursor` for the next page; null on the last one. */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'ScanDiff' });

type DiffEntry = z.output<typeof diffEntry>;
type DiffKind = 'new' | 'resolved' | 'reopened';

interface DiffRow extends DiffEntry {
  kind: DiffKind;
}

/**
 * A diff page ends after this result: the sort key of check_results within one scan, and the scan
 * (a cursor of another scan's diff is refused).
 */
const diffCursor = cursorList(
  'scan-diff',
  z.object({ scanId: uuid, accountId: z.string(), checkId: z.string(), resource: z.string() }),
);
type DiffCursor = z.output<typeof diffCursor.query>;

const scanPages = idCursorList('scans', uuid);

/** Scans whose results are complete enough to compare against. */
const FINISHED: Scan['status'][] = ['SUCCEEDED', 'PARTIAL'];

/**
 * The results of `scan` that changed against `previousId`, classified, after `after` when given.
 * Ordered by (account, check, resource), the unique key of a scan's results, so pages never
 * overlap; the results of a finished scan never change, so its pages never move either.
 */
function diffRows(scan: Scan, previousId: string | null, after?: DiffCursor): Prisma.Sql {
  const position = after
    ? Prisma.sql`AND (cur.account_id, cur.check_id, cur.resource) > (${after.accountId}, ${after.checkId}, ${after.resource})`
    : Prisma.empty;
  return Prisma.sql`
    SELECT cur.account_id AS "accountId", cur.check_id AS "checkId", cur.resource,
           cur.status::text AS status, cur.severity::text AS severity, cur.message,
           prev.status::text AS "previousStatus",
           CASE
             WHEN cur.status = 'PASS' THEN 'resolved'
             WHEN EXISTS (
               SELECT 1 FROM check_results old JOIN scans old_scan ON old_scan.id = old.scan_id
               WHERE old.account_id = cur.account_id AND old.check_id = cur.check_id
                 AND old.resource = cur.resource AND old.status = 'FAIL'
                 AND old_scan.created_at < ${scan.createdAt} AND old.scan_id <> ${scan.id}
             ) THEN 'reopened'
             ELSE 'new'
           END AS kind
    FROM check_results cur
    LEFT JOIN check_results prev
      ON prev.scan_id = ${previousId} AND prev.account_id = cur.account_id
     AND prev.check_id = cur.check_id AND prev.resource = cur.resource
    WHERE cur.scan_id = ${scan.id}
      AND ((cur.status = 'FAIL' AND prev.status IS DISTINCT FROM 'FAIL')
        OR (cur.status = 'PASS' AND prev.status = 'FAIL'))
      ${position}`;
}

async function scanDiff(
  prisma: PrismaClient,
  scan: Scan,
  page: { limit: number; cursor?: DiffCursor | undefined },
): Promise<z.output<typeof diffBody>> {
  if (page.cursor && page.cursor.scanId !== scan.id) {
    throw new ApiError(
      400,
      'invalid value for query parameter "cursor": not a cursor returned by this endpoint',
    );
  }
  const previous = await prisma.scan.findFirst({
    where: { createdAt: { lt: scan.createdAt }, status: { in: FINISHED } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  const previousId = previous?.id ?? null;
  const [rows, totals] = await Promise.all([
    prisma.$queryRaw<DiffRow[]>`
      ${diffRows(scan, previousId, page.cursor)}
      ORDER BY cur.account_id, cur.check_id, cur.resource
      LIMIT ${page.limit + 1}`,
    prisma.$queryRaw<{ kind: DiffKind; count: number }[]>`
      SELECT kind, count(*)::int AS count FROM (${diffRows(scan, previousId)}) diff GROUP BY kind`,
  ]);
  const counts = { new: 0, resolved: 0, reopened: 0 };
  for (const total of totals) counts[total.kind] = total.count;
  const diff = { new: [] as DiffEntry[], resolved: [] as DiffEntry[], reopened: [] as DiffEntry[] };
  const { items, nextCursor } = pageOf(rows, page.limit, ({ accountId, checkId, resource }) =>
    diffCursor.encode({ scanId: scan.id, accountId, checkId, resource }),
  );
  for (const { kind, ...entry } of items) diff[kind].push(entry);
  return { scanId: scan.id, previousScanId: previousId, counts, ...diff, nextCursor };
}

export interface ScanTriggerRequest {
  requestedBy: string;
  checkIds: string[];
  accountIds: string[];
}

/** Starts an on-demand scan (@rootaudit/service's triggerScan); started false = one is already active. */
export type ScanTrigger = (request: ScanTriggerRequest) => Promise<{ started: boolean; scan: Scan }>;

const triggerBody = z
  .object({
    checkIds: z.array(checkId).max(100).optional().describe('only these checks [all]'),
    accountIds: z
      .array(accountId)
      .max(10_000)
      .optional()
      .describe('only these accounts [every ACTIVE account]'),
  })
  .strict();

export async function scanRoutes(
  instance: FastifyInstance,
  options: { prisma: PrismaClient; triggerScan?: ScanTrigger | undefined },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { prisma } = options;
  const security = [{ apiKey: [] }];
  const scanParams = z.object({ id: uuid }).strict();

  async function findScan(id: string): Promise<Scan> {
    const scan = await prisma.scan.findUnique({ where: { id } });
    if (!scan) throw new ApiError(404, `no scan ${id}`);
    return scan;
  }

  app.get(
    '/scans',
    {
      schema: {
        tags: ['scans'],
        summary: 'Scans, newest first',
        security,
        querystring: z
          .object({
            status: commaList(z.enum(SCAN_STATUSES)).optional(),
            ...scanPages.pageQuery,
          })
          .strict(),
        response: { 200: page(scanItem), 400: errorBody, 401: errorBody },
      },
    },
    async (request) => {
      const { status, limit, cursor } = request.query;
      // Newest first by id (UUIDv7: creation order); new scans land before the first page.
      const where: Prisma.ScanWhereInput = {};
      if (status) where.status = { in: status };
      if (cursor) where.id = { lt: cursor.id };
      const rows = await prisma.scan.findMany({ where, orderBy: { id: 'desc' }, take: limit + 1 });
      const { items, nextCursor } = scanPages.pageOf(rows, limit);
      return { items: items.map(toScanItem), nextCursor };
    },
  );

  app.get(
    '/scans/:id',
    {
      schema: {
        tags: ['scans'],
        summary: 'One scan and its progress',
        security,
        params: scanParams,
        response: { 200: scanItem, 400: errorBody, 401: errorBody, 404: errorBody },
      },
    },
    async (request) => toScanItem(await findScan(request.params.id)),
  );

  app.get(
    '/scans/:id/diff',
    {
      schema: {
        tags: ['scans'],
        summary:
          'Findings new, resolved and reopened since the previous finished scan, a page at a time (counts are of the whole diff)',
        security,
        params: scanParams,
        querystring: z.object({ limit: limitQuery, cursor: diffCursor.query.optional() }).strict(),
        response: { 200: diffBody, 400: errorBody, 401: errorBody, 404: errorBody },
      },
    },
    async (request) => scanDiff(prisma, await findScan(request.params.id), request.query),
  );

  app.post(
    '/scans',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['scans'],
        summary: 'Start a scan now: 202 with the queued scan, 409 with the active one while a scan runs',
        security,
        // No body (or {}) scans everything.
        body: triggerBody.nullish(),
        response: {
          202: scanItem,
          400: errorBody,
          401: errorBody,
          403: errorBody,
          409: scanItem,
          503: errorBody,
        },
      },
    },
    async (request, reply) => {
      if (!options.triggerScan)
        throw new ApiError(503, 'this API process has no queue: scans cannot be started here');
      const checkIds = request.body?.checkIds ?? [];
      const unknown = checkIds.filter((id) => !getCheck(id));
      if (unknown.length) {
        throw new ApiError(
          400,
          `invalid value for field "checkIds": no check ${unknown.map((id) => `"${id}"`).join(', ')}`,
        );
      }
      const outcome = await options.triggerScan({
        requestedBy: `api-key:${request.apiKey?.name ?? 'unknown'}`,
        checkIds,
        accountIds: request.body?.accountIds ?? [],
      });
      return reply.code(outcome.started ? 202 : 409).send(toScanItem(outcome.scan));
    },
  );
}
