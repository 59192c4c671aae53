/**
 * Scan speed (BENCHMARKS.md §1) and throttling (§2), through the runner every entry point uses
 * (scanOrganization → scanAccount, the real ClientFactory and SDK clients), against the simulator in
 * its own process.
 *
 * Speed-up: the same spread sample of accounts scanned one at a time and at the default concurrency,
 * in the same run, on the same simulator (reset between runs so every scan starts cold: no cached
 * credential report); then the whole organization at the default concurrency.
 *
 * Throttling: every API throttled per signer account at AWS-like rates; the scan must end with no
 * result in ERROR, within 1.25 × the time the rate limits alone impose (bench/support.ts).
 */
import { ClientFactory } from '@rootaudit/aws';
import type { Knobs } from '@rootaudit/aws-sim';
import { checks } from '@rootaudit/checks';
import { type AccountScan, type OrganizationScan, scanOrganization } from '@rootaudit/scanner';
import { BENCH_CREDENTIALS, BENCH_EXTERNAL_ID, BENCH_REGIONS, startSimulatorProcess } from './simulator.ts';
import { elapsedMs, percentile, type RateRule, rateLimitBound, round, spreadSample, sum } from './support.ts';
import type { BenchOptions, BenchSection } from './types.ts';

/** SPEC §6: ROOTAUDIT_ACCOUNT_CONCURRENCY defaults to 16. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 16;
/** 50 ms per call on average: 40 ms plus up to 20 ms of uniform jitter. */
export const LATENCY: NonNullable<Knobs['latency']> = { fixedMs: 40, jitterMs: 20 };

const SETTINGS = () => ({
  regions: BENCH_REGIONS,
  now: new Date(),
  rootUsageWindowDays: 90,
  allowedEmailDomains: [],
});

interface ScanRun {
  label: string;
  accounts: number;
  wallMs: number;
  /** From the start of the scan to the first account starting: organization discovery. */
  discoveryMs: number;
  /** Scanner (this process) CPU time over wall time, in cores. */
  cpuCores: number;
  accountMs: { p50: number; p95: number; max: number };
  results: Record<string, number>;
  scan: OrganizationScan;
}

async function timedScan(
  label: string,
  endpoint: string,
  options: { accountIds?: string[]; accountConcurrency: number },
): Promise<ScanRun> {
  const clients = new ClientFactory({
    scanId: `bench-${label}`,
    endpoint,
    region: 'us-east-1',
    credentials: BENCH_CREDENTIALS,
    externalId: BENCH_EXTERNAL_ID,
  });
  const scans: AccountScan[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const startedAt = Date.now();
  try {
    const scan = await scanOrganization({
      checks,
      clients,
      settings: SETTINGS(),
      accountConcurrency: options.accountConcurrency,
      ...(options.accountIds ? { accountIds: options.accountIds } : {}),
      onAccountScanned: (account) => scans.push(account),
    });
    const wallMs = elapsedMs(started);
    const used = process.cpuUsage(cpu);
    const firstStart = Math.min(...scans.map((account) => Date.parse(account.startedAt)));
    const durations = scans.filter((account) => account.status !== 'SKIPPED').map((a) => a.durationMs);
    const results: Record<string, number> = {};
    for (const result of scan.results) results[result.status] = (results[result.status] ?? 0) + 1;
    return {
      label,
      accounts: scans.length,
      wallMs,
      discoveryMs: Number.isFinite(firstStart) ? firstStart - startedAt : wallMs,
      cpuCores: (used.user + used.system) / 1000 / wallMs,
      accountMs: {
        p50: percentile(durations, 50),
        p95: percentile(durations, 95),
        max: Math.max(0, ...durations),
      },
      results,
      scan,
    };
  } finally {
    clients.destroy();
  }
}

function describeRun(run: ScanRun) {
  return {
    accounts: run.accounts,
    wallMs: Math.round(run.wallMs),
    discoveryMs: Math.round(run.discoveryMs),
    scannerCpuCores: round(run.cpuCores),
    accountMs: run.accountMs,
    results: run.results,
    status: run.scan.status,
  };
}

export async function runScanSpeedBenchmark(options: BenchOptions): Promise<BenchSection> {
  const { log } = options;
  const total = options.quick ? 200 : 1000;
  const sampleSize = options.quick ? 32 : 96;
  const concurrency = DEFAULT_ACCOUNT_CONCURRENCY;
  const sim = await startSimulatorProcess({ accounts: total, seed: 8, knobs: { latency: LATENCY } });
  try {
    const sample = spreadSample(sim.accounts, sampleSize).map((account) => account.id);
    log(`scan: ${sampleSize} of ${total} accounts, one at a time (the slow part)`);
    await sim.reset();
    const sequential = await timedScan('sequential', sim.endpoint, {
      accountIds: sample,
      accountConcurrency: 1,
    });
    log(`scan: sequential ${round(sequential.wallMs / 1000, 1)} s; the same accounts ${concurrency} at once`);
    await sim.reset();
    const concurrent = await timedScan('concurrent-sample', sim.endpoint, {
      accountIds: sample,
      accountConcurrency: concurrency,
    });
    log(
      `scan: concurrent ${round(concurrent.wallMs / 1000, 1)} s; all ${total} accounts ${concurrency} at once`,
    );
    await sim.reset();
    const whole = await timedScan('concurrent-all', sim.endpoint, { accountConcurrency: concurrency });
    log(`scan: ${total} accounts in ${round(whole.wallMs / 1000, 1)} s`);
    const calls = await sim.stats();

    const speedUp = sequential.wallMs / concurrent.wallMs;
    const target = 0.75 * concurrency;
    // Sequential time is a sum over accounts: discovery plus the sample's mean per account, times N.
    const perAccountSequentialMs = (sequential.wallMs - sequential.discoveryMs) / sequential.accounts;
    const estimatedSequentialMs = whole.discoveryMs + perAccountSequentialMs * whole.accounts;
    const estimatedSpeedUp = estimatedSequentialMs / whole.wallMs;
    return {
      id: 'scan',
      title: `Scan speed-up (simulator at ${LATENCY.fixedMs}–${LATENCY.fixedMs + (LATENCY.jitterMs ?? 0)} ms per call, all ${checks.length} checks)`,
      rows: [
        {
          name: `speed-up, ${total} accounts: ${concurrency} at once vs one at a time`,
          value: round(estimatedSpeedUp, 1),
          unit: '×',
          target: `≥ ${target} (0.75 × ${concurrency})`,
          met: estimatedSpeedUp >= target,
          note: `${concurrency} at once: ${round(whole.wallMs / 1000, 1)} s, measured; one at a time: ${round(estimatedSequentialMs / 1000)} s, estimated as discovery + ${whole.accounts} × ${Math.round(perAccountSequentialMs)} ms, the per-account mean of the ${sampleSize}-account run below`,
        },
        {
          name: `speed-up, the same ${sampleSize} accounts measured both ways`,
          value: round(speedUp, 1),
          unit: '×',
          note: `${round(sequential.wallMs / 1000, 1)} s vs ${round(concurrent.wallMs / 1000, 1)} s; at ${sampleSize} accounts, discovery (${round(concurrent.discoveryMs / 1000, 1)} s) and the last accounts weigh more`,
        },
        {
          name: `${total} accounts at concurrency ${concurrency}: wall time`,
          value: round(whole.wallMs / 1000, 1),
          unit: 's',
          note: `${round(whole.accounts / (whole.wallMs / 1000), 1)} accounts/s; discovery ${round(whole.discoveryMs / 1000, 1)} s; account p50 ${whole.accountMs.p50} ms at ${concurrency} at once, ${sequential.accountMs.p50} ms alone; scanner CPU ${round(whole.cpuCores * 100)} % of a core`,
        },
      ],
      details: {
        accountsInOrganization: total,
        sample,
        concurrency,
        latency: LATENCY,
        sequential: describeRun(sequential),
        concurrentSample: describeRun(concurrent),
        concurrentAll: describeRun(whole),
        estimatedSequentialAllMs: Math.round(estimatedSequentialMs),
        simulatorCalls: calls.total,
        callsByOperation: calls.byOperation,
      },
    };
  } finally {
    await sim.stop();
  }
}

/**
 * AWS-like rates, per signer account and API (the simulator's buckets). Documented by AWS:
 * cloudtrail:LookupEvents 2/s per account and region; account:GetAlternateContact 10/s, burst 15
 * (Account Management quotas). STS: 600/s (AWS's default). The rest are not published per API;
 * these are deliberately low, in the range AWS documents for other control-plane reads.
 */
export const AWS_LIKE_RATES: readonly (RateRule & { basis: string })[] = [
  { service: 'account', operation: 'GetAlternateContact', ratePerSecond: 10, burst: 15, basis: 'documented' },
  { service: 'cloudtrail', operation: 'LookupEvents', ratePerSecond: 2, burst: 2, basis: 'documented' },
  { service: 'sts', ratePerSecond: 600, burst: 600, basis: 'documented' },
  { service: 'organizations', ratePerSecond: 10, burst: 10, basis: 'assumed' },
  { service: 'iam', ratePerSecond: 10, burst: 20, basis: 'assumed' },
  { service: 'cloudtrail', ratePerSecond: 10, burst: 10, basis: 'assumed' },
  { service: 'logs', ratePerSecond: 5, burst: 5, basis: 'assumed' },
  { service: 'monitoring', ratePerSecond: 9, burst: 9, basis: 'assumed' },
  { service: 'sns', ratePerSecond: 10, burst: 10, basis: 'assumed' },
  { service: 'events', ratePerSecond: 10, burst: 10, basis: 'assumed' },
  { service: 'guardduty', ratePerSecond: 10, burst: 10, basis: 'assumed' },
];

const THROTTLING_MESSAGE = /throttl|too ?many ?requests|rate exceeded|retry (quota|tokens)|slow ?down/i;

export async function runThrottlingBenchmark(options: BenchOptions): Promise<BenchSection> {
  const { log } = options;
  const total = options.quick ? 60 : 200;
  const concurrency = DEFAULT_ACCOUNT_CONCURRENCY;
  // LookupEvents has its own knob (per account and region); the others are token-bucket rules.
  const throttling = AWS_LIKE_RATES.filter((rule) => rule.operation !== 'LookupEvents').map(
    ({ basis: _basis, ...rule }) => rule,
  );
  const sim = await startSimulatorProcess({
    accounts: total,
    seed: 9,
    // Every account has the audit role here, so any ERROR result is the scanner's doing.
    allAuditRoles: true,
    callLogCapacity: 500_000,
    knobs: { latency: LATENCY, throttling, lookupEventsRatePerSecond: 2 },
  });
  try {
    log(`throttling: ${total} accounts under AWS-like rate limits`);
    const run = await timedScan('throttled', sim.endpoint, { accountConcurrency: concurrency });
    const stats = await sim.stats({ buckets: true });
    const bound = rateLimitBound(stats.buckets, AWS_LIKE_RATES, {
      concurrency,
      sharedSigners: [sim.managementAccountId],
    });
    const errors = run.scan.results.filter((result) => result.status === 'ERROR');
    const throttledErrors = errors.filter((result) => THROTTLING_MESSAGE.test(result.message));
    const throttledAttempts = sum(stats.buckets.map((use) => use.throttled));
    const ratio = run.wallMs / bound.boundMs;
    log(
      `throttling: ${round(run.wallMs / 1000, 1)} s against a bound of ${round(bound.boundMs / 1000, 1)} s`,
    );
    return {
      id: 'throttling',
      title: `Throttling (${total} accounts, AWS-like rate limits on every API)`,
      rows: [
        {
          name: 'results in ERROR because of throttling',
          value: throttledErrors.length,
          unit: 'results',
          target: '0',
          met: throttledErrors.length === 0,
          note: `${errors.length} ERROR results in all; ${throttledAttempts} throttled attempts retried`,
        },
        {
          name: 'wall time / bound set by the rate limits',
          value: round(ratio),
          unit: '×',
          target: '≤ 1.25',
          met: ratio <= 1.25,
          note: `${round(run.wallMs / 1000, 1)} s vs ${round(bound.boundMs / 1000, 1)} s: ${bound.busiestBucket ?? 'no bucket'}`,
        },
      ],
      details: {
        accounts: total,
        concurrency,
        latency: LATENCY,
        rates: AWS_LIKE_RATES,
        run: describeRun(run),
        bound: { ...bound, boundMs: Math.round(bound.boundMs) },
        throttledAttempts,
        errorMessages: [...new Set(errors.map((result) => result.message))].slice(0, 20),
        simulatorCalls: stats.total,
        callsByOperation: stats.byOperation,
      },
    };
  } finally {
    await sim.stop();
  }
}
