/**
 * GET /v1/summary: pass rate (PASS / (PASS + FAIL)) over current unmuted findings, by check,
 * severity and OU, and the trend over the last N finished scans.
 */
import type { PrismaClient } from '@rootaudit/db';
import { passRate, readSummary, type StatusCounts } from '@rootaudit/store';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../errors.ts';
import {
  integerQuery,
  iso,
  isoDate,
  nullableIsoDate,
  SCAN_STATUSES,
  SEVERITIES,
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

/** Counts with their pass rate. */
function rate(counts: StatusCounts) {
  return { counts, passRate: passRate(counts) };
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
      const summary = await readSummary(prisma, { trend: request.query.trend });
      return {
        totals: { ...rate(summary.totals), muted: summary.muted },
        byCheck: summary.byCheck.map(({ counts, ...check }) => ({ ...check, ...rate(counts) })),
        bySeverity: summary.bySeverity.map(({ counts, severity }) => ({ severity, ...rate(counts) })),
        byOu: summary.byOu.map(({ counts, ...ou }) => ({ ...ou, ...rate(counts) })),
        trend: summary.trend.map(({ scan, counts }) => ({
          scanId: scan.id,
          status: scan.status,
          createdAt: iso(scan.createdAt),
          finishedAt: iso(scan.finishedAt),
          ...rate(counts),
        })),
      };
    },
  );
}
