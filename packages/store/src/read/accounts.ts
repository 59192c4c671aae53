/** Accounts as the API lists them: filtered by OU, status and failing, with their posture. */
import type { Account, AccountStatus, Prisma, PrismaClient, Severity } from '@rootaudit/db';
import {
  emptySeverityCounts,
  emptyStatusCounts,
  passRate,
  type SeverityCounts,
  type StatusCounts,
} from './counts.ts';
import { accountFindings, type FindingRow } from './findings.ts';
import { type IdPosition, idPageOf, type Page, type PageRequest } from './paging.ts';

export interface AccountFilter {
  /** Accounts anywhere under this OU or root id. */
  ou?: string | undefined;
  status?: readonly AccountStatus[] | undefined;
  /** true: at least one unmuted FAIL finding; false: none. */
  failing?: boolean | undefined;
}

export interface AccountRow extends Account {
  /** Findings that FAIL and are not muted. */
  failingFindings: number;
  /** The highest severity among those findings; null when none fails. */
  worstFailingSeverity: Severity | null;
}

/** From worst to least: the order in which an account's failing findings rank it. */
const SEVERITY_RANK: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'informational'];

export interface AccountPosture {
  /** Unmuted findings by status. */
  byStatus: StatusCounts;
  /** Unmuted FAIL findings by severity. */
  failingBySeverity: SeverityCounts;
  muted: number;
  /** PASS / (PASS + FAIL) over unmuted findings; null when there are none. */
  passRate: number | null;
}

export interface AccountDetail {
  account: AccountRow;
  posture: AccountPosture;
  /** Every finding of the account, by check and resource. */
  findings: FindingRow[];
}

/** A finding that counts against an account: it FAILs and no suppression mutes it. */
const FAILING: Prisma.FindingWhereInput = { status: 'FAIL', muted: false };

/** A page of accounts in id order, each with its count of failing findings (two statements). */
export async function listAccounts(
  db: PrismaClient,
  filter: AccountFilter,
  page: PageRequest<IdPosition>,
): Promise<Page<AccountRow, IdPosition>> {
  const where: Prisma.AccountWhereInput = {};
  if (filter.ou) where.ouPath = { contains: `/${filter.ou}/` };
  if (filter.status) where.status = { in: [...filter.status] };
  if (filter.failing !== undefined) where.findings = filter.failing ? { some: FAILING } : { none: FAILING };
  if (page.after) where.id = { gt: page.after.id };
  const rows = await db.account.findMany({ where, orderBy: { id: 'asc' }, take: page.limit + 1 });
  const { items, next } = idPageOf(rows, page.limit);
  const counts = await db.finding.groupBy({
    by: ['accountId', 'severity'],
    where: { ...FAILING, accountId: { in: items.map((account) => account.id) } },
    _count: { _all: true },
  });
  const failingBy = new Map<string, { count: number; worst: Severity }>();
  for (const row of counts) {
    const seen = failingBy.get(row.accountId);
    const worse = !seen || SEVERITY_RANK.indexOf(row.severity) < SEVERITY_RANK.indexOf(seen.worst);
    failingBy.set(row.accountId, {
      count: (seen?.count ?? 0) + row._count._all,
      worst: worse ? row.severity : seen.worst,
    });
  }
  return {
    items: items.map((account) => ({
      ...account,
      failingFindings: failingBy.get(account.id)?.count ?? 0,
      worstFailingSeverity: failingBy.get(account.id)?.worst ?? null,
    })),
    next,
  };
}

/** One account, its posture over its unmuted findings, and all its findings; null when unknown. */
export async function accountDetail(db: PrismaClient, id: string): Promise<AccountDetail | null> {
  const account = await db.account.findUnique({ where: { id } });
  if (!account) return null;
  const findings = await accountFindings(db, id);
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
    account: {
      ...account,
      failingFindings: byStatus.FAIL,
      worstFailingSeverity: SEVERITY_RANK.find((severity) => failingBySeverity[severity] > 0) ?? null,
    },
    posture: { byStatus, failingBySeverity, muted, passRate: passRate(byStatus) },
    findings,
  };
}

/** Whether the organization has (or had) this account. */
export async function accountExists(db: PrismaClient, id: string): Promise<boolean> {
  return (await db.account.count({ where: { id } })) > 0;
}
