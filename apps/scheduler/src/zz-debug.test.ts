import t from 'tap';
import { scanOnce, startPipeline } from './testing.ts';
t.test('debug', async (t) => {
  const pipeline = await startPipeline(t, { accounts: 8 });
  const { sim, prisma } = pipeline;
  const member = sim.model.accounts.find(
    (account) => account.status === 'ACTIVE' && account.id !== sim.model.organization.managementAccountId,
  )!;
  sim.setKnobs({ faults: { missingAuditRole: [member.id] } });
  const started = Date.now();
  const scan = await scanOnce(pipeline);
  console.error('SCAN', scan.status, scan.accountsDone, scan.accountsFailed, Date.now() - started);
  const rows = await prisma.accountScan.findMany({ where: { scanId: scan.id } });
  for (const row of rows)
    console.error(
      'ROW',
      row.accountId,
      row.status,
      row.attempts,
      row.durationMs,
      (row.error ?? '').slice(0, 300),
    );
  t.pass();
});
