/**
 * Recovery after a worker kill (BENCHMARKS.md §7). Three real worker processes (`apps/worker/src/main.ts`,
 * production's queue timings: heart-beats and supervision of 30 s, a first account retry after 15 s,
 * polling 2 s)
 * scan the organization twice, each time in a fresh database, with AWS at 50 ms a call:
 *
 * - baseline: nothing fails;
 * - kill: once a third of the accounts are recorded, one worker is stopped, the accounts in hand
 *   read from pg-boss, and the worker killed (SIGKILL). Its accounts (those in hand whose job had
 *   to be retried) are recorded by the other two once pg-boss sees their heart-beats stop.
 *
 * Figures: the time from the kill to the last of its accounts recorded (the target is 2
 * minutes), and the kill scan's wall time over the baseline's, both measured in this run.
 * The measurement is the fault suite's (test/faults/recovery.ts).
 */
import { type Kill, killWorker, type Recovery, recoveryAfter } from '../test/faults/recovery.ts';
import { startBenchPipeline } from './pipeline.ts';
import type { BenchPostgres } from './postgres.ts';
import { LATENCY } from './scan.ts';
import { startSimulatorProcess } from './simulator.ts';
import { percentile, round } from './support.ts';
import type { BenchOptions, BenchSection } from './types.ts';

const WORKERS = 3;
/** Accounts each worker scans at once: the default's half, so three workers hold 24 at a time. */
const ACCOUNT_CONCURRENCY = 8;
const RECOVERY_TARGET_S = 120;

interface RecoveryRun {
  wallMs: number;
  status: string;
  accountsDone: number;
  accountMsP50: number;
  kill: (Kill & Recovery) | null;
}

async function scanWithWorkers(
  options: BenchOptions,
  postgres: BenchPostgres,
  endpoint: string,
  killAtAccounts: number | null,
): Promise<RecoveryRun> {
  const database = await postgres.createDatabase();
  try {
    const pipeline = await startBenchPipeline({
      database,
      endpoint,
      accountConcurrency: ACCOUNT_CONCURRENCY,
      worker: 'process',
      workers: WORKERS,
      log: options.log,
    });
    try {
      let kill: Kill | null = null;
      const outcome = await pipeline.runScan({
        ...(killAtAccounts === null
          ? {}
          : {
              during: {
                atAccounts: killAtAccounts,
                run: async (scanId) => {
                  const [victim] = pipeline.workers;
                  if (!victim) throw new Error('no worker process');
                  kill = await killWorker(pipeline.prisma, scanId, victim);
                  options.log(`recovery: killed a worker holding ${kill.inHand.length} accounts in hand`);
                },
              },
            }),
      });
      const { scan } = outcome;
      const rows = await pipeline.prisma.accountScan.findMany({
        where: { scanId: scan.id, durationMs: { not: null } },
        select: { durationMs: true },
      });
      const killed = kill as Kill | null;
      return {
        wallMs: Math.round(outcome.wallMs),
        status: scan.status,
        accountsDone: scan.accountsDone,
        accountMsP50: percentile(
          rows.map((row) => row.durationMs ?? 0),
          50,
        ),
        kill: killed ? { ...killed, ...(await recoveryAfter(pipeline.prisma, scan.id, killed)) } : null,
      };
    } finally {
      await pipeline.close();
    }
  } finally {
    await database.drop();
  }
}

export async function runRecoveryBenchmark(
  options: BenchOptions,
  postgres: BenchPostgres,
): Promise<BenchSection> {
  const accounts = options.quick ? 200 : 1_000;
  const sim = await startSimulatorProcess({
    accounts,
    seed: 13,
    knobs: { latency: LATENCY },
    allAuditRoles: true,
  });
  try {
    options.log(`recovery: ${WORKERS} worker processes scan ${accounts} accounts, nothing killed`);
    const baseline = await scanWithWorkers(options, postgres, sim.endpoint, null);
    await sim.reset();
    const active = sim.accounts.filter((account) => account.status === 'ACTIVE').length;
    options.log(`recovery: the same, one worker killed once ${Math.round(active / 3)} accounts are recorded`);
    const killed = await scanWithWorkers(options, postgres, sim.endpoint, Math.round(active / 3));
    const kill = killed.kill;
    if (!kill) throw new Error('the scan ended before the kill');
    if (kill.recoveryMs === null) throw new Error('the killed worker’s accounts were not all recorded');
    if (kill.accounts.length === 0) throw new Error('the killed worker held no account');
    const recoveryS = kill.recoveryMs / 1000;
    return {
      id: 'recovery',
      title: `Recovery after a worker kill (${WORKERS} worker processes, production queue timings)`,
      rows: [
        {
          name: `recovery after kill -9 of 1 of ${WORKERS} workers: its accounts recorded`,
          value: round(recoveryS, 1),
          unit: 's',
          target: `≤ ${RECOVERY_TARGET_S}`,
          met: recoveryS <= RECOVERY_TARGET_S,
          note: `${kill.accounts.length} accounts in its hands, killed with ${kill.inHand.length} in all workers' hands; an account takes ${round(baseline.accountMsP50 / 1000, 2)} s (p50, baseline run)`,
        },
        {
          name: `${accounts} accounts, a worker killed at a third / nothing killed: wall time`,
          value: round(killed.wallMs / baseline.wallMs),
          unit: '×',
          note: `${round(killed.wallMs / 1000, 1)} s (${killed.status}) vs ${round(baseline.wallMs / 1000, 1)} s (${baseline.status}), same run`,
        },
      ],
      details: { accounts, workers: WORKERS, accountConcurrency: ACCOUNT_CONCURRENCY, baseline, killed },
    };
  } finally {
    await sim.stop();
  }
}
