/**
 * GET /v1/summary: pass rate (PASS / (PASS + FAIL)) over current unmuted findings, by check,
 * severity and OU, and the trend over the last N finished scans.
 */
import { getCheck } from '@rootaudit/checks';
import type { PrismaClient } from '@rootaudit/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../errors.ts';
import {
  addStatusCounts,
  emptyStatusCounts,
  integerQuery,
  iso,
  isoDate,
  nullableIsoDate,
  passRate,
  SCAN_STATUSES,
  SEVERITIES,
  type StatusCounts,
  statusCounts,
} from '../schemas.ts';

const rated = { counts: statusCounts, passRate: z.number().nullable() };

const summaryBody = z
  .object({
    totals: z.object({ ...rated, muted: z.number().int() }),
    byCheck: z.array(z.object({ checkId: z.string(), title: z.string().nullable(), ...rated })),
    bySeverity: z.array(z.object({ severity: z.enum(SEVERITIES), ...rated })),
    byOu: z.array(z.object({ ouId: z.string().nullable(), ouName: z.string().nullable(), ...rated })),
    trend: z.array(
      z.object({
        scanId: z.string(),
        status: z.enum(SCAN_STATUSES),
        createdAt: isoDate,
        finishedAt: nullableIsoDate,
        ...rated,
      }),
    ),
  })
  .meta({ id: 'Summary' });

type Status = keyof StatusCounts;

/** Groups (key, status, count) rows into counts per key, in first-seen order. */
function tally<K>(rows: { key: K; status: Status; count: number }[]): Map<K, StatusCounts> {
  const groups = new Map<K, StatusCounts>();
  for (const row of rows) {
    const counts = groups.get(row.key) ?? emptyStatusCounts();
    counts[row.status] += row.count;
    groups.set(row.key, counts);
  }
  return groups;
}

export async function summaryRoutes(
  instance: FastifyInstance,
  options: { prisma: PrismaClient },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { prisma } = options;

  app.get(
    '/summary',
    {
      schema: {
        tags: ['summary'],
        summary: 'Pass rates by check, severity and OU, and the trend across scans (muted findings excluded)',
        security: [{ apiKey: [] }],
        querystring: z
          .object({
            trend: integerQuery(1, 100, 10).describe('number of finished scans in the trend'),
          })
          .strict(),
        response: { 200: summaryBody, 400: errorBody, 401: errorBody },
      },
    },
    async (request) => {
      const unmuted = { muted: false };
      const [byCheckRows, bySeverityRows, byOuRows, muted, scans] = await Promise.all([
        prisma.finding.groupBy({
          by: ['checkId', 'status'],
          where: unmuted,
          _count: { _all: true },
          orderBy: [{ checkId: 'asc' }],
        }),
        prisma.finding.groupBy({ by: ['severity', 'status'], where: unmuted, _count: { _all: true } }),
        prisma.$queryRaw<{ ouId: string | null; ouName: string | null; status: Status; count: number }[]>`
          SELECT a.ou_id AS "ouId", ou.name AS "ouName", f.status::text AS status, count(*)::int AS count
          FROM findings f
          JOIN accounts a ON a.id = f.account_id
          LEFT JOIN organizational_units ou ON ou.id = a.ou_id
          WHERE NOT f.muted
          GROUP BY a.ou_id, ou.name, f.status
          ORDER BY a.ou_id NULLS LAST`,
        prisma.finding.count({ where: { muted: true } }),
        prisma.scan.findMany({
          where: { status: { in: ['SUCCEEDED', 'PARTIAL'] } },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: request.query.trend,
        }),
      ]);

      const byCheck = tally(
        byCheckRows.map((row) => ({ key: row.checkId, status: row.status, count: row._count._all })),
      );
      const bySeverity = tally(
        bySeverityRows.map((row) => ({ key: row.severity, status: row.status, count: row._count._all })),
      );
      const ouNames = new Map(byOuRows.map((row) => [row.ouId, row.ouName]));
      const byOu = tally(byOuRows.map((row) => ({ key: row.ouId, status: row.status, count: row.count })));
      const totals = emptyStatusCounts();
      for (const counts of byCheck.values()) addStatusCounts(totals, counts);

      // Results of findings muted now are left out of past scans too, so the trend and the
      // totals measure the same population.
      const scanIds = scans.map((scan) => scan.id);
      const trendRows =
        scanIds.length === 0
          ? []
          : await prisma.$queryRaw<{ scanId: string; status: Status; count: number }[]>`
              SELECT r.scan_id AS "scanId", r.status::text AS status, count(*)::int AS count
              FROM check_results r
              LEFT JOIN findings f
                ON f.account_id = r.account_id AND f.check_id = r.check_id AND f.resource = r.resource
              WHERE r.scan_id = ANY(${scanIds}::text[]) AND f.muted IS NOT TRUE
              GROUP BY r.scan_id, r.status`;
      const byScan = tally(
        trendRows.map((row) => ({ key: row.scanId, status: row.status, count: row.count })),
      );

      return {
        totals: { counts: totals, passRate: passRate(totals), muted },
        byCheck: [...byCheck].map(([checkId, counts]) => ({
          checkId,
          title: getCheck(checkId)?.metadata.title ?? null,
          counts,
          passRate: passRate(counts),
        })),
        bySeverity: SEVERITIES.filter((severity) => bySeverity.has(severity)).map((severity) => {
          const counts = bySeverity.get(severity) ?? emptyStatusCounts();
          return { severity, counts, passRate: passRate(counts) };
        }),
        byOu: [...byOu].map(([ouId, counts]) => ({
          ouId,
          ouName: ouNames.get(ouId) ?? null,
          counts,
          passRate: passRate(counts),
        })),
        trend: scans.reverse().map((scan) => {
          const counts = byScan.get(scan.id) ?? emptyStatusCounts();
          return {
            scanId: scan.id,
            status: scan.status,
            createdAt: iso(scan.createdAt),
            finishedAt: iso(scan.finishedAt),
            counts,
            passRate: passRate(counts),
          };
        }),
      };
    },
  );
}
