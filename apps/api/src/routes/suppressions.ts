/** Suppressions: list (read), create and delete (write). Matching findings are muted at once. */
import { getCheck } from '@rootaudit/checks';
import type { PrismaClient, Suppression } from '@rootaudit/db';
import {
  accountExists,
  createSuppression,
  deleteSuppression,
  isSuppressionInForce,
  listSuppressions,
} from '@rootaudit/store';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, errorBody } from '../errors.ts';
import { idPagedList, page } from '../paging.ts';
import {
  accountId,
  booleanQuery,
  checkId,
  dateTimeInput,
  iso,
  isoDate,
  nullableIsoDate,
  storedDate,
  uuid,
} from '../schemas.ts';

const suppressionItem = z
  .object({
    id: z.string(),
    checkId: z.string().nullable(),
    accountId: z.string().nullable(),
    reason: z.string(),
    author: z.string(),
    expiresAt: nullableIsoDate,
    createdAt: isoDate,
    expired: z.boolean(),
  })
  .meta({ id: 'Suppression' });

function toSuppressionItem(suppression: Suppression, now = new Date()): z.output<typeof suppressionItem> {
  return {
    id: suppression.id,
    checkId: suppression.checkId,
    accountId: suppression.accountId,
    reason: suppression.reason,
    author: suppression.author,
    expiresAt: iso(suppression.expiresAt),
    createdAt: iso(suppression.createdAt),
    expired: !isSuppressionInForce({ ...suppression, expiresAt: storedDate(suppression.expiresAt) }, now),
  };
}

const suppressionPages = idPagedList('suppressions', uuid);

const createdItem = suppressionItem.extend({ mutedFindings: z.number().int() });

const createBody = z
  .object({
    checkId: checkId.optional(),
    accountId: accountId.optional(),
    reason: z.string().trim().min(1, 'a reason is required').max(1000),
    expiresAt: dateTimeInput('expected an ISO 8601 date-time').optional().describe('absent: never expires'),
  })
  .strict();

export async function suppressionRoutes(
  instance: FastifyInstance,
  options: { prisma: PrismaClient },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { prisma } = options;
  const security = [{ apiKey: [] }];

  app.get(
    '/suppressions',
    {
      schema: {
        tags: ['suppressions'],
        summary: 'Suppressions, oldest first',
        security,
        querystring: z
          .object({
            expired: booleanQuery.optional().describe('true: only expired; false: only in force'),
            ...suppressionPages.pageQuery,
          })
          .strict(),
        response: { 200: page(suppressionItem), 400: errorBody, 401: errorBody },
      },
    },
    async (request) => {
      const { expired, limit, cursor } = request.query;
      const now = new Date();
      const rows = await listSuppressions(
        prisma,
        { expired, now },
        suppressionPages.request({ limit, cursor }),
      );
      return suppressionPages.body(rows, (row) => toSuppressionItem(row, now));
    },
  );

  app.post(
    '/suppressions',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['suppressions'],
        summary: 'Mute findings by check and/or account',
        security,
        body: createBody,
        response: {
          201: createdItem,
          400: errorBody,
          401: errorBody,
          403: errorBody,
        },
      },
    },
    async (request, reply) => {
      const { checkId: check, accountId: account, reason, expiresAt } = request.body;
      if (!check && !account) {
        throw new ApiError(
          400,
          'a suppression needs "checkId", "accountId" or both (muting everything is refused)',
        );
      }
      if (check && !getCheck(check))
        throw new ApiError(400, `invalid value for field "checkId": no check "${check}"`);
      if (expiresAt && expiresAt <= new Date()) {
        throw new ApiError(400, 'invalid value for field "expiresAt": must be in the future');
      }
      if (account && !(await accountExists(prisma, account))) {
        throw new ApiError(400, `invalid value for field "accountId": no account ${account}`);
      }
      // All or nothing: the response is built and checked against its schema inside the
      // transaction, so a suppression that could not be answered is not left muting findings.
      const created = await createSuppression(
        prisma,
        {
          checkId: check ?? null,
          accountId: account ?? null,
          reason,
          author: `api-key:${request.apiKey?.name ?? 'unknown'}`,
          expiresAt: expiresAt ?? null,
        },
        (suppression, mutedFindings) =>
          createdItem.parse({ ...toSuppressionItem(suppression), mutedFindings }),
      );
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/suppressions/:id',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['suppressions'],
        summary: 'Delete a suppression; findings it alone muted are unmuted',
        security,
        params: z.object({ id: uuid }).strict(),
        response: { 204: z.null(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    async (request, reply) => {
      if (!(await deleteSuppression(prisma, request.params.id))) {
        throw new ApiError(404, `no suppression ${request.params.id}`);
      }
      return reply.code(204).send(null);
    },
  );
}
