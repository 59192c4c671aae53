/**
 * GET /v1/scans, /v1/scans/:id (progress) and /v1/scans/:id/diff (what changed since the previous
 * finished scan, derived from the CheckResult rows of both, cursor-paginated).
 */

import { getCheck } from '@rootaudit/checks';
import type { PrismaClient, Scan } from '@rootaudit/db';
import { findScan, listScans, type ScanDiffEntry, scanDiff } from '@rootaudit/store';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, errorBody } from '../errors.ts';
import { cursorList, idPagedList, limitQuery, page } from '../paging.ts';
import {
  accountId,
  CHECK_STATUSES,
  checkId,
  commaList,
  iso,
  isoDate,
  nullableIsoDate,
  SCAN_STATUSES,
  SCAN_TRIGGERS,
  SEVERITIES,
  statusCounts,
  uuid,
} from '../schemas.ts';

const scanItem = z
  .object({
    id: z.string(),
    trigger: z.enum(SCAN_TRIGGERS),
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

/**
 * A diff page ends after this result: the sort key of check_results within one scan, and the scan
 * (a cursor of another scan's diff is refused).
 */
const diffCursor = cursorList(
  'scan-diff',
  z.object({ scanId: uuid, accountId: z.string(), checkId: z.string(), resource: z.string() }),
);
type DiffCursor = z.output<typeof diffCursor.query>;

const scanPages = idPagedList('scans', uuid);

async function diffBodyOf(
  prisma: PrismaClient,
  scan: Scan,
  query: { limit: number; cursor?: DiffCursor | undefined },
): Promise<z.output<typeof diffBody>> {
  if (query.cursor && query.cursor.scanId !== scan.id) {
    throw new ApiError(
      400,
      'invalid value for query parameter "cursor": not a cursor returned by this endpoint',
    );
  }
  const { cursor } = query;
  const after = cursor && { accountId: cursor.accountId, checkId: cursor.checkId, resource: cursor.resource };
  const diff = await scanDiff(prisma, scan, { limit: query.limit, after });
  const byKind = { new: [] as DiffEntry[], resolved: [] as DiffEntry[], reopened: [] as DiffEntry[] };
  for (const { kind, ...entry } of diff.entries.items) byKind[kind].push(entry);
  const { next } = diff.entries;
  return {
    scanId: scan.id,
    previousScanId: diff.previousScanId,
    counts: diff.counts,
    ...byKind,
    nextCursor: next === null ? null : diffCursor.encode({ scanId: scan.id, ...next }),
  };
}

type DiffEntry = Omit<ScanDiffEntry, 'kind'>;

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

  async function scanOr404(id: string): Promise<Scan> {
    const scan = await findScan(prisma, id);
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
      const rows = await listScans(prisma, { status }, scanPages.request({ limit, cursor }));
      return scanPages.body(rows, toScanItem);
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
    async (request) => toScanItem(await scanOr404(request.params.id)),
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
    async (request) => diffBodyOf(prisma, await scanOr404(request.params.id), request.query),
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
