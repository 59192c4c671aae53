/**
 * An account job judges against the organization evidence its scan's discovery stored, at the
 * scan's judging instant (its createdAt, as the scheduler judges the organization). A scan
 * with none stored (started before the evidence was stored with scans) cannot judge its accounts:
 * every account check is recorded ERROR saying why and what to do, and no AWS call is made.
 */
import { defineCheck } from '@rootaudit/checks';
import t from 'tap';
import { scanThroughWorker } from './testing.ts';

t.test(
  'a scan with no stored organization evidence: its accounts ERROR naming the cause, no AWS call',
  async (t) => {
    const { sim, prisma, scan, accountIds } = await scanThroughWorker(t, {
      accounts: 3,
      storeEvidence: false,
    });
    t.equal(scan.status, 'FAILED', 'no account could be judged');
    t.equal(sim.callLog.entries().length, 0, 'no AWS call at all');
    const rows = await prisma.accountScan.findMany({
      where: { scanId: scan.id, status: { not: 'SKIPPED' } },
    });
    t.same(rows.map((row) => row.accountId).sort(), [...accountIds].sort());
    for (const row of rows) {
      t.equal(row.status, 'ERROR', `${row.accountId} ERROR`);
      t.match(
        row.error,
        new RegExp(`scan ${scan.id} has no stored organization evidence .*; start a new scan`),
      );
    }
    const results = await prisma.checkResult.findMany({ where: { scanId: scan.id } });
    t.ok(results.length > 0, 'every account check has its result');
    t.ok(
      results.every(
        (result) => result.status === 'ERROR' && /no stored organization evidence/.test(result.message),
      ),
      'each ERROR names the cause',
    );
  },
);

t.test(
  "every account is judged at the scan's createdAt, the instant its organization was judged at",
  async (t) => {
    const judgedAt = defineCheck({
      metadata: {
        id: 'judged-at',
        title: 'judged at',
        severity: 'low',
        scope: 'account',
        description: 'says the instant it was judged at',
        rationale: 'test',
        remediation: { console: [], cli: '' },
        references: [],
      },
      evidence: [],
      evaluate: (_evidence, context) => [
        { status: 'PASS', resource: context.accountId, message: context.now.toISOString(), evidence: {} },
      ],
    });
    let createdAt: Date | null = null;
    const { prisma, scan } = await scanThroughWorker(t, {
      accounts: 3,
      checks: [judgedAt],
      // Its accounts were added an hour after the scan was created (a scan queued behind another).
      beforeEnqueue: async (prisma, scan) => {
        createdAt = scan.createdAt;
        await prisma.scan.update({
          where: { id: scan.id },
          data: { startedAt: new Date(scan.createdAt.getTime() + 3_600_000) },
        });
      },
    });
    const results = await prisma.checkResult.findMany({ where: { scanId: scan.id } });
    t.ok(results.length > 0);
    t.same(
      [...new Set(results.map((result) => result.message))],
      [(createdAt as Date | null)?.toISOString()],
      'judged at createdAt',
    );
  },
);
