import type { CheckStatus, PrismaClient } from '@rootaudit/db';
import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import { countFindingsByCheck, emptyFindingCounts } from '../index.ts';

const at = new Date('2026-11-01T02:00:00Z');

async function finding(
  prisma: PrismaClient,
  accountId: string,
  checkId: string,
  status: CheckStatus,
  muted = false,
): Promise<string> {
  const row = await prisma.finding.create({
    data: {
      accountId,
      checkId,
      status,
      muted,
      resource: `arn:aws:iam::${accountId}:root`,
      severity: 'high',
      message: `${checkId} is ${status}`,
      firstSeenAt: at,
      lastSeenAt: at,
      statusChangedAt: at,
    },
  });
  return row.id;
}

t.test('current findings counted by check and status, muted ones apart, only the checks asked', async (t) => {
  const { prisma } = await testDatabase(t);
  const accounts = ['111111111111', '222222222222', '333333333333', '444444444444'];
  for (const id of accounts) {
    await prisma.account.create({ data: { id, name: id, email: `${id}@example.com`, status: 'ACTIVE' } });
  }
  const [a, b, c, d] = accounts as [string, string, string, string];
  await finding(prisma, a, 'root-mfa-enabled', 'PASS');
  await finding(prisma, b, 'root-mfa-enabled', 'PASS');
  const failing = await finding(prisma, c, 'root-mfa-enabled', 'FAIL');
  await finding(prisma, d, 'root-mfa-enabled', 'FAIL', true);
  await finding(prisma, a, 'root-no-access-keys', 'ERROR');
  await finding(prisma, b, 'root-no-access-keys', 'NOT_APPLICABLE');
  await finding(prisma, a, 'guardduty-enabled', 'FAIL');

  const counted = await countFindingsByCheck(prisma, [
    'root-mfa-enabled',
    'root-no-access-keys',
    'scp-root-deny',
  ]);
  t.same(Object.fromEntries(counted), {
    'root-mfa-enabled': { counts: { PASS: 2, FAIL: 1, ERROR: 0, NOT_APPLICABLE: 0 }, muted: 1 },
    'root-no-access-keys': { counts: { PASS: 0, FAIL: 0, ERROR: 1, NOT_APPLICABLE: 1 }, muted: 0 },
  });
  t.same(emptyFindingCounts(), { counts: { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0 }, muted: 0 });

  // The counts follow the findings: a fix moves one from FAIL to PASS.
  await prisma.finding.update({ where: { id: failing }, data: { status: 'PASS' } });
  const after = await countFindingsByCheck(prisma, ['root-mfa-enabled']);
  t.same(after.get('root-mfa-enabled'), {
    counts: { PASS: 3, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0 },
    muted: 1,
  });
  t.same(await countFindingsByCheck(prisma, []), new Map());
});
