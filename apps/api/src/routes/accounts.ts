/** GET /v1/accounts (filters ou, status, failing) and GET /v1/accounts/:id (posture + findings). */
import type { PrismaClient } from '@rootaudit/db';
import { type AccountRow, accountDetail, listAccounts } from '@rootaudit/store';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, errorBody } from '../errors.ts';
import { idPagedList, page } from '../paging.ts';
import {
  ACCOUNT_STATUSES,
  accountId,
  booleanQuery,
  commaList,
  iso,
  nullableIsoDate,
  ouId,
  SEVERITIES,
  severityCounts,
  statusCounts,
} from '../schemas.ts';
import { findingItem } from './findings.ts';

const accountItem = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    status: z.enum(ACCOUNT_STATUSES),
    isManagementAccount: z.boolean(),
    ouId: z.string().nullable(),
    ouPath: z.string().nullable(),
    joinedAt: nullableIsoDate,
    lastScannedAt: nullableIsoDate,
    leftOrganizationAt: nullableIsoDate,
    skipReason: z.string().nullable(),
    /** Findings that FAIL and are not muted. */
    failingFindings: z.number().int(),
    /** The highest severity among them; null when none fails. */
    worstFailingSeverity: z.enum(SEVERITIES).nullable(),
  })
  .meta({ id: 'Account' });

function toAccountItem(account: AccountRow): z.output<typeof accountItem> {
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    status: account.status,
    isManagementAccount: account.isManagementAccount,
    ouId: account.ouId,
    ouPath: account.ouPath,
    joinedAt: iso(account.joinedAt),
    lastScannedAt: iso(account.lastScannedAt),
    leftOrganizationAt: iso(account.leftOrganizationAt),
    skipReason: account.skipReason,
    failingFindings: account.failingFindings,
    worstFailingSeverity: account.worstFailingSeverity,
  };
}

const accountPages = idPagedList('accounts', accountId);

const listQuery = z
  .object({
    ou: ouId.optional().describe('accounts anywhere under this OU (or root)'),
    status: commaList(z.enum(ACCOUNT_STATUSES)).optional().describe('comma list, e.g. ACTIVE'),
    failing: booleanQuery.optional().describe('true: at least one unmuted FAIL finding; false: none'),
    ...accountPages.pageQuery,
  })
  .strict();

const accountDetailBody = accountItem
  .extend({
    posture: z.object({
      /** Unmuted findings by status. */
      byStatus: statusCounts,
      /** Unmuted FAIL findings by severity. */
      failingBySeverity: severityCounts,
      muted: z.number().int(),
      /** PASS / (PASS + FAIL) over unmuted findings; null when there are none. */
      passRate: z.number().nullable(),
    }),
    findings: z.array(findingItem),
  })
  .meta({ id: 'AccountDetail' });

export async function accountRoutes(
  instance: FastifyInstance,
  options: { prisma: PrismaClient },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { prisma } = options;
  const security = [{ apiKey: [] }];

  app.get(
    '/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Accounts of the organization, with their count of failing findings',
        security,
        querystring: listQuery,
        response: { 200: page(accountItem), 400: errorBody, 401: errorBody },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const rows = await listAccounts(prisma, filter, accountPages.request({ limit, cursor }));
      return accountPages.body(rows, toAccountItem);
    },
  );

  app.get(
    '/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: "One account's posture and all its findings",
        security,
        params: z.object({ id: accountId }).strict(),
        response: { 200: accountDetailBody, 400: errorBody, 401: errorBody, 404: errorBody },
      },
    },
    async (request) => {
      const detail = await accountDetail(prisma, request.params.id);
      if (!detail) throw new ApiError(404, `no account ${request.params.id}`);
      return { ...toAccountItem(detail.account), posture: detail.posture, findings: detail.findings };
    },
  );
}
