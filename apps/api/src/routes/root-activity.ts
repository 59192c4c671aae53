/**
 * GET /v1/root-activity: root sign-ins and root API calls as they happened (received live, by SQS
 * or POST /v1/events/aws), newest first by CloudTrail's event time, filtered, cursor-paginated.
 * The filter and the page are the store's (listRootEvents); an item is what webhooks announce
 * (rootActivityItem), never the raw event.
 */
import type { PrismaClient } from '@rootaudit/db';
import { rootActivityItem } from '@rootaudit/service';
import { listRootEvents } from '@rootaudit/store';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../errors.ts';
import { cursorList, limitQuery, page } from '../paging.ts';
import { accountId, commaList, dateTimeQuery, isoDate, ouId, uuid } from '../schemas.ts';

export const rootActivity = z
  .object({
    eventId: z.string().describe("CloudTrail's eventID (the same in LookupEvents)"),
    accountId: z.string(),
    eventName: z.string().describe('ConsoleLogin for a console sign-in, else the API call'),
    eventSource: z.string().describe('signin.amazonaws.com, iam.amazonaws.com, …'),
    eventTime: isoDate.describe('when it happened (CloudTrail eventTime)'),
    region: z.string(),
    sourceIpAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    mfaUsed: z.boolean().nullable().describe('null: not recorded'),
    outcome: z.enum(['success', 'failure']),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    privilegedSession: z.boolean().describe('made with sts:AssumeRoot credentials'),
    issuer: z.string().nullable().describe('whom the privileged root session was issued to, when recorded'),
    receivedAt: isoDate.describe('when rootaudit received it'),
  })
  .meta({ id: 'RootActivity' });

/** Newest first by (eventTime, id): the position of the last item of a page. */
const rootActivityCursor = cursorList('root-activity', z.object({ eventTime: isoDate, id: uuid }));

const eventName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,127}$/, 'expected a CloudTrail event name such as ConsoleLogin');

const listQuery = z
  .object({
    account: commaList(accountId).optional().describe('account ids, comma list'),
    ou: ouId.optional().describe('accounts anywhere under this OU (or root)'),
    since: dateTimeQuery.optional().describe('events at or after this time'),
    until: dateTimeQuery.optional().describe('events before this time'),
    eventName: commaList(eventName).optional().describe('event names, comma list, e.g. ConsoleLogin'),
    outcome: z.enum(['success', 'failure']).optional(),
    mfaUsed: z
      .enum(['true', 'false', 'unknown'])
      .transform((value) => (value === 'unknown' ? null : value === 'true'))
      .optional()
      .describe('unknown: MFA was not recorded'),
    limit: limitQuery,
    cursor: rootActivityCursor.query.optional(),
  })
  .strict();

export async function rootActivityRoutes(
  instance: FastifyInstance,
  options: { prisma: PrismaClient },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { prisma } = options;

  app.get(
    '/root-activity',
    {
      schema: {
        tags: ['root activity'],
        summary: 'Root sign-ins and root API calls as they happened, newest first, with cursor pagination',
        security: [{ apiKey: [] }],
        querystring: listQuery,
        response: { 200: page(rootActivity), 400: errorBody, 401: errorBody, 403: errorBody },
      },
    },
    async (request) => {
      const { limit, cursor, account, ou, since, until, eventName, outcome, mfaUsed } = request.query;
      const rows = await listRootEvents(
        prisma,
        { accountIds: account, ou, since, until, eventNames: eventName, outcome, mfaUsed },
        { limit, after: cursor && { eventTime: new Date(cursor.eventTime), id: cursor.id } },
      );
      return {
        items: rows.items.map(rootActivityItem),
        nextCursor:
          rows.next === null
            ? null
            : rootActivityCursor.encode({ eventTime: rows.next.eventTime.toISOString(), id: rows.next.id }),
      };
    },
  );
}
