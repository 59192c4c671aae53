/**
 * GET /v1/findings/export?format=csv|json|ocsf: every finding matching the /v1/findings filters,
 * streamed. Rows are read in batches by id, each one findingPage (the statement of a /v1/findings
 * page), so memory stays flat whatever the number of findings, and the reply is written as each
 * batch arrives.
 *
 * json and ocsf are JSON lines (one object per line, application/x-ndjson): SIEM pipelines ingest
 * them line by line, and a consumer can stop reading at any point.
 */
import { Readable } from 'node:stream';
import { getCheck } from '@rootaudit/checks';
import { csvRow } from '@rootaudit/csv';
import type { PrismaClient } from '@rootaudit/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../errors.ts';
import { type FindingFilters, type FindingItem, findingFilters, findingPage } from './findings.ts';
import { toOcsf } from './ocsf.ts';

const BATCH = 500;

export const CSV_COLUMNS = [
  'id',
  'accountId',
  'accountName',
  'checkId',
  'scope',
  'status',
  'severity',
  'resource',
  'message',
  'muted',
  'firstSeenAt',
  'lastSeenAt',
  'statusChangedAt',
  'resolvedAt',
] as const satisfies readonly (keyof FindingItem)[];

const FORMATS = {
  csv: {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    header: csvRow(CSV_COLUMNS),
    line: (item: FindingItem) => csvRow(CSV_COLUMNS.map((column) => item[column])),
  },
  json: {
    contentType: 'application/x-ndjson; charset=utf-8',
    extension: 'jsonl',
    header: '',
    line: (item: FindingItem) => `${JSON.stringify(item)}\n`,
  },
  ocsf: {
    contentType: 'application/x-ndjson; charset=utf-8',
    extension: 'ocsf.jsonl',
    header: '',
    line: (item: FindingItem) => `${JSON.stringify(toOcsf(item, getCheck(item.checkId)?.metadata))}\n`,
  },
} as const;

type Format = keyof typeof FORMATS;

/** The export after its first batch, read before the status line is sent (see the route). */
async function* exportLines(
  prisma: PrismaClient,
  filters: FindingFilters,
  format: Format,
  first: FindingItem[],
): AsyncGenerator<string> {
  const { header, line } = FORMATS[format];
  if (header) yield header;
  let batch = first;
  for (;;) {
    if (batch.length > 0) yield batch.map(line).join('');
    if (batch.length < BATCH) return;
    batch = await findingPage(prisma, filters, { afterId: batch.at(-1)?.id, take: BATCH });
  }
}

export async function exportRoutes(
  instance: FastifyInstance,
  options: { prisma: PrismaClient },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/findings/export',
    {
      schema: {
        tags: ['findings'],
        summary:
          'Every matching finding, streamed as CSV, JSON lines or OCSF Compliance Findings (JSON lines)',
        security: [{ apiKey: [] }],
        querystring: findingFilters.extend({ format: z.enum(['csv', 'json', 'ocsf']) }).strict(),
        response: {
          // A stream: Fastify sends it as is, no serializer runs.
          200: z.any().describe('text/csv, or application/x-ndjson for json and ocsf'),
          400: errorBody,
          401: errorBody,
        },
      },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query;
      const { contentType, extension } = FORMATS[format];
      // The first batch is read before anything is sent: a query the database refuses is then an
      // error response, not a 200 whose body stops after the header.
      const first = await findingPage(options.prisma, filters, { take: BATCH });
      const stream = Readable.from(exportLines(options.prisma, filters, format, first));
      stream.on('error', (error) => request.log.error({ err: error }, 'export failed mid-stream'));
      return reply
        .type(contentType)
        .header('content-disposition', `attachment; filename="rootaudit-findings.${extension}"`)
        .send(stream);
    },
  );
}
