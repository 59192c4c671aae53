/**
 * Recovery after a worker is killed, measured the same way by the fault suite
 * (worker-kill.test.ts) and `pnpm bench` (bench/recovery.ts); free of tap. The worker is stopped
 * (SIGSTOP) before its accounts are read, so it takes no new job between the look and the kill.
 */
import type { ChildProcess } from 'node:child_process';
import type { PrismaClient } from '@rootaudit/db';
import { accountJobId, QUEUE_SCHEMA, QUEUES } from '@rootaudit/queue';

/** Accounts of the scan whose job is in a worker's hands (pg-boss state `active`). */
export async function accountsInHand(prisma: PrismaClient, scanId: string): Promise<string[]> {
  const rows = await prisma.$queryRawUnsafe<{ accountId: string }[]>(
    `SELECT data->>'accountId' AS "accountId" FROM ${QUEUE_SCHEMA}.job
      WHERE name = $1 AND state = 'active' AND data->>'scanId' = $2`,
    QUEUES.scanAccount,
    scanId,
  );
  return rows.map((row) => row.accountId);
}

/** How many times pg-boss retried each account's job (its retry_count). */
export async function jobRetries(
  prisma: PrismaClient,
  scanId: string,
  accountIds: readonly string[],
): Promise<Map<string, number>> {
  const ids = accountIds.map((accountId) => accountJobId(scanId, accountId));
  const rows = await prisma.$queryRawUnsafe<{ accountId: string; retries: number }[]>(
    `SELECT data->>'accountId' AS "accountId", retry_count AS retries FROM ${QUEUE_SCHEMA}.job
      WHERE name = $1 AND id = ANY($2::uuid[])`,
    QUEUES.scanAccount,
    ids,
  );
  return new Map(rows.map((row) => [row.accountId, Number(row.retries)]));
}

export interface Kill {
  /** Accounts in any worker's hands when the victim died. */
  inHand: string[];
  killedAt: Date;
}

/** SIGSTOP, the accounts in hand, SIGKILL; resolves once the process is gone. */
export async function killWorker(
  prisma: PrismaClient,
  scanId: string,
  worker: { child: ChildProcess; kill?: (signal: NodeJS.Signals) => void },
): Promise<Kill> {
  const signal = (name: NodeJS.Signals) => (worker.kill ? worker.kill(name) : worker.child.kill(name));
  const exited = new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
  signal('SIGSTOP');
  const inHand = await accountsInHand(prisma, scanId);
  signal('SIGKILL');
  const killedAt = new Date();
  await exited;
  return { inHand, killedAt };
}

export interface Recovery {
  /** The victim's accounts: in hand at the kill, and retried (the others' finished first time). */
  accounts: string[];
  /** From the kill to the last of them recorded; null when one is not recorded yet. */
  recoveryMs: number | null;
}

/** Once the scan has ended: how long the dead worker's accounts took to be recorded. */
export async function recoveryAfter(prisma: PrismaClient, scanId: string, kill: Kill): Promise<Recovery> {
  const retries = await jobRetries(prisma, scanId, kill.inHand);
  const accounts = kill.inHand.filter((accountId) => (retries.get(accountId) ?? 0) > 0);
  const rows = await prisma.accountScan.findMany({ where: { scanId, accountId: { in: accounts } } });
  const finished = rows.map((row) => row.finishedAt?.getTime() ?? null);
  if (finished.length === 0 || finished.some((at) => at === null)) return { accounts, recoveryMs: null };
  return { accounts, recoveryMs: Math.max(...(finished as number[])) - kill.killedAt.getTime() };
}
