/** GET /v1/accounts (filters ou, status, failing) and GET /v1/accounts/:id (posture + findings). */
import type { Account, Prisma, PrismaClient } from '@rootaudit/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, errorBody } from '../errors.ts';
import {
  ACCOUNT_STATUSES,
  accountId,
  booleanQuery,
  commaList,
  emptySeverityCounts,
  emptyStatusCounts,
  idCursorList,
  iso,
  nullableIsoDate,
  ouId,
  page,
  passRate,
  severityCounts,
  statusCounts,
} from '../schemas.ts';
import { findingItem, toFindingItem } from './findings.ts';

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
  })
  .meta({ id: 'Account' });

function toAccountItem(account: Account, failingFindings: number): z.output<typeof accountItem> {
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
    failingFindings,
  };
}

const accountPages = idCursorList('accounts', accountId);

const listQuery = z
  .object({
    ou: ouId.optional().describe('accounts anywhere under this OU (or root)'),
    status: commaList(z.enum(ACCOUNT_STATUSES)).optional().describe('comma list, e.g. ACTIVE'),
    failing: booleanQuery.optional().describe('true: at least one unmuted FAIL finding; false: none'),
    ...accountPages.pageQuery,
  })
  .strict();

const accountDetail = accountItem
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

const FAILING: Prisma.FindingWhereInput = { status: 'FAIL', muted: false };

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
      const { ou, status, failing, limit, cursor } = request.query;
      const where: Prisma.AccountWhereInput = {};
      if (ou) where.ouPath = { contains: `/${ou}/` };
      if (status) where.status = { in: status };
      if (failing !== undefined) where.findings = failing ? { some: FAILING } : { none: FAILING };
      if (cursor) where.id = { gt: cursor.id };
      const rows = await prisma.account.findMany({ where, orderBy: { id: 'asc' }, take: limit + 1 });
      const { items: accounts, nextCursor } = accountPages.pageOf(rows, limit);
      const counts = await prisma.finding.groupBy({
        by: ['accountId'],
        where: { ...FAILING, accountId: { in: accounts.map((account) => account.id) } },
        _count: { _all: true },
      });
      const failingBy = new Map(counts.map((row) => [row.accountId, row._count._all]));
      return {
        items: accounts.map((account) => toAccountItem(account, failingBy.get(account.id) ?? 0)),
        nextCursor,
      };
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
        response: { 200: accountDetail, 400: errorBody, 401: errorBody, 404: errorBody },
      },
    },
    async (request) => {
      const account = await prisma.account.findUnique({ where: { id: request.params.id } });
      if (!account) throw new ApiError(404, `no account ${request.params.id}`);
      const findings = await prisma.finding.findMany({
        where: { accountId: account.id },
        orderBy: [{ checkId: 'asc' }, { resource: 'asc' }],
      });
      const byStatus = emptyStatusCounts();
      const failingBySeverity = emptySeverityCounts();
      let muted = 0;
      for (const finding of findings) {
        if (finding.muted) {
          muted++;
          continue;
        }
        byStatus[finding.status]++;
        if (finding.status === 'FAIL') failingBySeverity[finding.severity]++;
      }
      return {
        ...toAccountItem(account, byStatus.FAIL),
        posture: { byStatus, failingBySeverity, muted, passRate: passRate(byStatus) },
        findings: findings.map((finding) => toFindingItem(finding, account.name)),
      };
    },
  );
}
