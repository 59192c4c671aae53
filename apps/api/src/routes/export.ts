/**
 * GET /v1/findings/export?format=csv|json|ocsf: every finding matching the /v1/findings filters,
 * streamed. Rows are read in batches, each one page of the store's findingPage (the statement of
 * a /v1/findings page, same filter), so memory stays flat whatever the number of findings, and the
 * reply is written as each batch arrives.
 *
 * json and ocsf are JSON lines (one object per line, application/x-ndjson): SIEM pipelines ingest
 * them line by line, and a consumer can stop reading at any point.
 */
import { Readable } from 'node:stream';
import { getCheck } from '@rootaudit/checks';
import { csvRow } from '@rootaudit/csv';
import type { PrismaClient } from '@rootaudit/db';
import {
  type FindingFilter,
  type FindingRow,
  findingPage,
  type IdPosition,
  type Page,
} from '@rootaudit/store';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../errors.ts';
import { findingFilters } from './findings.ts';
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
] as const satisfies readonly (keyof FindingRow)[];

const FORMATS = {
  csv: {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    header: csvRow(CSV_COLUMNS),
    line: (item: FindingRow) => csvRow(CSV_COLUMNS.map((column) => item[column])),
  },
  json: {
    contentType: 'application/x-ndjson; charset=utf-8',
    extension: 'jsonl',
    header: '',
    line: (item: FindingRow) => `${JSON.stringify(item)}\n`,
  },
  ocsf: {
    contentType: 'application/x-ndjson; charset=utf-8',
    extension: 'ocsf.jsonl',
    header: '',
    line: (item: FindingRow) => `${JSON.stringify(toOcsf(item, getCheck(item.checkId)?.metadata))}\n`,
  },
} as const;

type Format = keyof typeof FORMATS;

/** The export after its first batch, read before the status line is sent (see the route). */
async function* exportLines(
  prisma: PrismaClient,
  filter: FindingFilter,
  format: Format,
  first: Page<FindingRow, IdPosition>,
): AsyncGenerator<string> {
  const { header, line } = FORMATS[format];
  if (header) yield header;
  let batch = first;
  for (;;) {
    if (batch.items.length > 0) yield batch.items.map(line).join('');
    if (batch.next === null) return;
    batch = await findingPage(prisma, filter, { after: batch.next, limit: BATCH });
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
      const { format, ...filter } = request.query;
      const { contentType, extension } = FORMATS[format];
      // The first batch is read before anything is sent: a query the database refuses is then an
      // error response, not a 200 whose body stops after the header.
      const first = await findingPage(options.prisma, filter, { limit: BATCH });
      const stream = Readable.from(exportLines(options.prisma, filter, format, first));
      stream.on('error', (error) => request.log.error({ err: error }, 'export failed mid-stream'));
      return reply
        .type(contentType)
        .header('content-disposition', `attachment; filename="rootaudit-findings.${extension}"`)
        .send(stream);
    },
  );
}
