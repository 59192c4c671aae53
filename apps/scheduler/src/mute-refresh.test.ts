/**
 * Suppression expiries are applied by the scheduler role (one timer per deployment, not one per API
 * replica): a finding muted by a suppression comes back once the suppression expires, and the
 * timer stops with the scheduler.
 */
import { loadConfig } from '@rootaudit/config';
import type { PrismaClient } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { startQueue, stopQueue } from '@rootaudit/queue';
import { refreshMutedFindings } from '@rootaudit/store';
import t, { type Test } from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { startScheduler } from './scheduler.ts';
import { FAST_QUEUE } from './testing.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startWithMuteRefresh(t: Test, muteRefreshIntervalMs: number) {
  const { url, prisma } = await testDatabase(t);
  const logger = createLogger({ level: 'silent' });
  const boss = await startQueue(url, logger, FAST_QUEUE);
  t.teardown(() => stopQueue(boss, { timeoutMs: 5_000 }));
  const scheduler = await startScheduler({
    config: loadConfig({ DATABASE_URL: url, ROOTAUDIT_EXTERNAL_ID: 'mute-refresh-test' }),
    logger,
    database: { prisma },
    boss,
    schedule: false,
    pollingIntervalSeconds: FAST_QUEUE.pollingIntervalSeconds,
    muteRefreshIntervalMs,
  });
  t.teardown(() => scheduler.close());
  return { prisma, scheduler };
}

/** A failing finding of one account, muted by a suppression of its check until `expiresAt`. */
async function mutedFinding(prisma: PrismaClient, expiresAt: Date): Promise<string> {
  await prisma.account.create({
    data: { id: '333333333333', name: 'dev', email: 'aws+dev@example.com', status: 'ACTIVE' },
  });
  const at = new Date('2026-11-01T02:00:00Z');
  const finding = await prisma.finding.create({
    data: {
      accountId: '333333333333',
      checkId: 'root-mfa-enabled',
      status: 'FAIL',
      resource: 'arn:aws:iam::333333333333:root',
      severity: 'critical',
      message: 'root-mfa-enabled is FAIL',
      firstSeenAt: at,
      lastSeenAt: at,
      statusChangedAt: at,
    },
  });
  await prisma.suppression.create({
    data: {
      checkId: 'root-mfa-enabled',
      reason: 'until the hardware key arrives',
      author: 'test',
      expiresAt,
    },
  });
  await refreshMutedFindings(prisma);
  return finding.id;
}

const isMuted = async (prisma: PrismaClient, id: string) =>
  (await prisma.finding.findUniqueOrThrow({ where: { id } })).muted;

t.test('the scheduler unmutes findings once their suppression expires', async (t) => {
  const { prisma } = await startWithMuteRefresh(t, 100);
  // Long enough for the set-up to mute it first on a loaded machine.
  const expiresAt = new Date(Date.now() + 3000);
  const finding = await mutedFinding(prisma, expiresAt);
  t.equal(await isMuted(prisma, finding), true, 'muted while the suppression is in force');
  const deadline = Date.now() + 10_000;
  while ((await isMuted(prisma, finding)) && Date.now() < deadline) await sleep(100);
  t.equal(await isMuted(prisma, finding), false, 'unmuted by the scheduler once expired');
  t.ok(Date.now() >= expiresAt.getTime(), 'not before the expiry');
  t.equal(await prisma.suppression.count(), 1, 'the suppression itself is kept as history');
});

t.test('the timer stops with the scheduler', async (t) => {
  const { prisma, scheduler } = await startWithMuteRefresh(t, 100);
  const finding = await mutedFinding(prisma, new Date(Date.now() + 60_000));
  await scheduler.close();
  await prisma.suppression.updateMany({ data: { expiresAt: new Date(Date.now() - 1_000) } });
  await sleep(1_000);
  t.equal(await isMuted(prisma, finding), true, 'no refresh after close');
});
