/** GET /v1/checks and /v1/checks/:id: the catalog, with mappings and remediation. */
import { type Check, checks, complianceOf } from '@rootaudit/checks';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, errorBody } from '../errors.ts';
import { checkId, commaList, SEVERITIES } from '../schemas.ts';

const checkItem = z
  .object({
    id: z.string(),
    title: z.string(),
    severity: z.enum(SEVERITIES),
    scope: z.enum(['account', 'organization']),
    description: z.string(),
    rationale: z.string(),
    remediation: z.object({ console: z.array(z.string()), cli: z.string() }),
    references: z.array(z.string()),
    compliance: z.array(z.object({ framework: z.string(), version: z.string(), control: z.string() })),
    /** The evidence (collectors) the check reads. */
    evidence: z.array(z.string()),
  })
  .meta({ id: 'Check' });

function toCheckItem(check: Check): z.output<typeof checkItem> {
  const { metadata } = check;
  return {
    id: metadata.id,
    title: metadata.title,
    severity: metadata.severity,
    scope: metadata.scope,
    description: metadata.description,
    rationale: metadata.rationale,
    remediation: { console: [...metadata.remediation.console], cli: metadata.remediation.cli },
    references: [...metadata.references],
    compliance: complianceOf(metadata.id),
    evidence: [...check.evidence],
  };
}

export async function checkRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const security = [{ apiKey: [] }];
  // The catalog is fixed at build time: its items are made once, not per request.
  const catalog = checks.map(toCheckItem);
  const byId = new Map(catalog.map((item) => [item.id, item]));

  app.get(
    '/checks',
    {
      schema: {
        tags: ['checks'],
        summary: 'Every check rootaudit runs',
        security,
        querystring: z
          .object({
            severity: commaList(z.enum(SEVERITIES)).optional(),
            scope: z.enum(['account', 'organization']).optional(),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(checkItem), nextCursor: z.null() }), 400: errorBody },
      },
    },
    async (request) => {
      const { severity, scope } = request.query;
      const items = catalog.filter(
        (item) => (!severity || severity.includes(item.severity)) && (!scope || item.scope === scope),
      );
      return { items, nextCursor: null };
    },
  );

  app.get(
    '/checks/:id',
    {
      schema: {
        tags: ['checks'],
        summary: 'One check',
        security,
        params: z.object({ id: checkId }).strict(),
        response: { 200: checkItem, 400: errorBody, 404: errorBody },
      },
    },
    async (request) => {
      const item = byId.get(request.params.id);
      if (!item) throw new ApiError(404, `no check "${request.params.id}"; GET /v1/checks lists them`);
      return item;
    },
  );
}
