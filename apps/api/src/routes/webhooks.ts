/**
 * Webhooks: list (read), create and delete (write). The signing secret is returned once, on
 * creation; deliveries are pg-boss jobs run by the worker (see @rootaudit/webhooks).
 */
import { randomBytes } from 'node:crypto';
import type { PrismaClient, Webhook } from '@rootaudit/db';
import { createWebhook, deleteWebhook, hasScope, listWebhooks } from '@rootaudit/store';
import { type Resolver, WEBHOOK_EVENTS, webhookUrlProblem } from '@rootaudit/webhooks';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, errorBody } from '../errors.ts';
import { idPagedList, page } from '../paging.ts';
import { iso, isoDate, uuid } from '../schemas.ts';

const webhookPages = idPagedList('webhooks', uuid);

const webhookItem = z
  .object({
    id: z.string(),
    host: z.string().describe('the host the webhook posts to'),
    url: z
      .string()
      .nullable()
      .describe(
        'the whole URL, for write-scope keys only (paths and queries often carry tokens); null for read keys',
      ),
    events: z.array(z.string()),
    enabled: z.boolean(),
    createdAt: isoDate,
  })
  .meta({ id: 'Webhook' });

/** Read-scope keys see where a webhook posts, not its URL: many receivers take a token in it. */
function toWebhookItem(webhook: Webhook, showUrl: boolean): z.output<typeof webhookItem> {
  return {
    id: webhook.id,
    host: URL.canParse(webhook.url) ? new URL(webhook.url).host : '',
    url: showUrl ? webhook.url : null,
    events: webhook.events,
    enabled: webhook.enabled,
    createdAt: iso(webhook.createdAt),
  };
}

const createBody = z
  .object({
    url: z.string().max(2048),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1, 'expected at least one event')
      .refine((events) => new Set(events).size === events.length, 'each event at most once'),
    secret: z
      .string()
      .min(32, 'expected at least 32 characters')
      .max(256)
      .optional()
      .describe('HMAC-SHA256 signing secret; absent: one is generated and returned once'),
  })
  .strict();

export interface WebhookOptions {
  prisma: PrismaClient;
  /** Allow URLs that resolve to loopback, link-local or private addresses [false]. */
  allowPrivateWebhookUrls?: boolean | undefined;
  /** DNS resolution (tests). */
  resolve?: Resolver | undefined;
}

export async function webhookRoutes(instance: FastifyInstance, options: WebhookOptions): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { prisma } = options;
  const security = [{ apiKey: [] }];

  app.get(
    '/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Webhooks (secrets are never returned after creation)',
        security,
        querystring: z.object(webhookPages.pageQuery).strict(),
        response: { 200: page(webhookItem), 400: errorBody, 401: errorBody },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listWebhooks(prisma, webhookPages.request({ limit, cursor }));
      const showUrl = hasScope(request.apiKey?.scopes ?? [], 'write');
      return webhookPages.body(rows, (row) => toWebhookItem(row, showUrl));
    },
  );

  app.post(
    '/webhooks',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook; the response holds its signing secret, shown this once',
        security,
        body: createBody,
        response: {
          201: webhookItem.extend({ secret: z.string() }),
          400: errorBody,
          401: errorBody,
          403: errorBody,
        },
      },
    },
    async (request, reply) => {
      const { url, events, secret } = request.body;
      const problem = await webhookUrlProblem(url, {
        allowPrivate: options.allowPrivateWebhookUrls ?? false,
        ...(options.resolve ? { resolve: options.resolve } : {}),
      });
      if (problem) throw new ApiError(400, `invalid value for field "url": ${problem}`);
      const signingSecret = secret ?? `whsec_${randomBytes(32).toString('base64url')}`;
      const webhook = await createWebhook(prisma, { url, events, secret: signingSecret });
      return reply.code(201).send({ ...toWebhookItem(webhook, true), secret: signingSecret });
    },
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook and its pending deliveries',
        security,
        params: z.object({ id: uuid }).strict(),
        response: { 204: z.null(), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    async (request, reply) => {
      if (!(await deleteWebhook(prisma, request.params.id))) {
        throw new ApiError(404, `no webhook ${request.params.id}`);
      }
      return reply.code(204).send(null);
    },
  );
}
