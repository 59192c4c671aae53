/**
 * GET /v1/compliance and /v1/compliance/:framework: the frameworks of @rootaudit/checks (data, one
 * file per version), and one version's controls with the current findings of the checks that
 * evaluate each, counted by status (muted findings apart, as in the summary), as JSON or CSV.
 */
import {
  type Framework,
  type FrameworkVersion,
  frameworks,
  getCheck,
  getFramework,
  latestVersion,
} from '@rootaudit/checks';
import { toCsv } from '@rootaudit/csv';
import type { PrismaClient } from '@rootaudit/db';
import {
  addStatusCounts,
  type CheckFindingCounts,
  countFindingsByCheck,
  emptyFindingCounts,
  passRate,
} from '@rootaudit/store';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, errorBody } from '../errors.ts';
import { CHECK_STATUSES, statusCounts } from '../schemas.ts';

const frameworkItem = z
  .object({
    id: z.string(),
    name: z.string(),
    /** Oldest first. */
    versions: z.array(z.string()),
    latestVersion: z.string(),
  })
  .meta({ id: 'ComplianceFramework' });

const counted = {
  /** Unmuted current findings by status. */
  counts: statusCounts,
  /** Current findings muted by a suppression, whatever their status. */
  muted: z.number().int(),
  /** PASS / (PASS + FAIL) of the unmuted findings; null when none passed or failed. */
  passRate: z.number().nullable(),
};

const complianceControl = z
  .object({
    id: z.string(),
    title: z.string(),
    checks: z.array(z.object({ id: z.string(), title: z.string(), ...counted })),
    ...counted,
  })
  .meta({ id: 'ComplianceControl' });

const complianceReport = z
  .object({
    framework: z.object({ id: z.string(), name: z.string(), version: z.string() }),
    controls: z.array(complianceControl),
  })
  .meta({ id: 'ComplianceReport' });

type ComplianceReport = z.output<typeof complianceReport>;

const COMPLIANCE_CSV_COLUMNS = [
  'framework',
  'version',
  'control',
  'title',
  'checks',
  ...CHECK_STATUSES,
  'muted',
  'passRate',
] as const;

function toFrameworkItem(framework: Framework): z.output<typeof frameworkItem> {
  return {
    id: framework.id,
    name: framework.name,
    versions: framework.versions.map((version) => version.version),
    latestVersion: latestVersion(framework).version,
  };
}

function withRate({ counts, muted }: CheckFindingCounts) {
  return { counts, muted, passRate: passRate(counts) };
}

function toReport(
  framework: Framework,
  version: FrameworkVersion,
  byCheck: Map<string, CheckFindingCounts>,
): ComplianceReport {
  return {
    framework: { id: framework.id, name: framework.name, version: version.version },
    controls: version.controls.map((control) => {
      const total = emptyFindingCounts();
      const checks = control.checks.map((checkId) => {
        const found = byCheck.get(checkId) ?? emptyFindingCounts();
        addStatusCounts(total.counts, found.counts);
        total.muted += found.muted;
        return { id: checkId, title: getCheck(checkId)?.metadata.title ?? checkId, ...withRate(found) };
      });
      return { id: control.id, title: control.title, checks, ...withRate(total) };
    }),
  };
}

function reportCsv(report: ComplianceReport): string {
  const { id, version } = report.framework;
  return toCsv(
    COMPLIANCE_CSV_COLUMNS,
    report.controls.map((control) => [
      id,
      version,
      control.id,
      control.title,
      control.checks.map((check) => check.id).join(' '),
      ...CHECK_STATUSES.map((status) => control.counts[status]),
      control.muted,
      control.passRate,
    ]),
  );
}

const frameworkId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a framework id such as cis-aws-foundations-benchmark');

export async function complianceRoutes(
  instance: FastifyInstance,
  options: { prisma: PrismaClient },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const security = [{ apiKey: [] }];
  const items = frameworks.map(toFrameworkItem);

  app.get(
    '/compliance',
    {
      schema: {
        tags: ['compliance'],
        summary: 'The compliance frameworks and versions rootaudit reports on',
        security,
        response: {
          200: z.object({ items: z.array(frameworkItem), nextCursor: z.null() }),
          400: errorBody,
          401: errorBody,
        },
      },
    },
    async () => ({ items, nextCursor: null }),
  );

  app.get(
    '/compliance/:framework',
    {
      schema: {
        tags: ['compliance'],
        summary:
          "One framework version's controls, each with its checks and the current findings counted by status (muted apart)",
        security,
        params: z.object({ framework: frameworkId }).strict(),
        querystring: z
          .object({
            version: z
              .string()
              .regex(/^\d{1,4}\.\d{1,4}\.\d{1,4}$/, 'expected a version such as 5.0.0')
              .optional()
              .describe('the framework version [latest]; GET /v1/compliance lists them'),
            format: z.enum(['json', 'csv']).default('json').describe('csv: one row per control'),
          })
          .strict(),
        response: {
          200: {
            description: 'The report: JSON, or CSV with format=csv',
            content: {
              'application/json': { schema: complianceReport },
              'text/csv': { schema: z.string().describe(`columns: ${COMPLIANCE_CSV_COLUMNS.join(', ')}`) },
            },
          },
          400: errorBody,
          401: errorBody,
          404: errorBody,
        },
      },
    },
    async (request, reply) => {
      const framework = getFramework(request.params.framework);
      if (!framework) {
        throw new ApiError(
          404,
          `no compliance framework "${request.params.framework}"; allowed: ${frameworks.map((known) => known.id).join(', ')}`,
        );
      }
      const { version: asked, format } = request.query;
      const version = asked
        ? framework.versions.find((candidate) => candidate.version === asked)
        : latestVersion(framework);
      if (!version) {
        const allowed = framework.versions.map((candidate) => candidate.version).join(', ');
        throw new ApiError(
          400,
          `invalid value for query parameter "version": expected one of ${allowed} (the versions of ${framework.id})`,
        );
      }
      const checkIds = [...new Set(version.controls.flatMap((control) => control.checks))];
      const report = toReport(framework, version, await countFindingsByCheck(options.prisma, checkIds));
      if (format === 'json') return report;
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="rootaudit-compliance-${framework.id}-${version.version}.csv"`,
        )
        .send(reportCsv(report));
    },
  );
}
