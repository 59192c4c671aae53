/** Small helpers the benchmark sections share: statistics, a worker pool, the rate-limit bound. */
import type { BucketUse } from './simulator.ts';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Runs `fn` over `items`, at most `concurrency` at once, in order of start. */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
}

/** Every `step`-th item, starting at `offset`, so a sample covers the whole list. */
export function spreadSample<T>(items: readonly T[], size: number): T[] {
  if (size >= items.length) return [...items];
  const step = items.length / size;
  return Array.from({ length: size }, (_, i) => items[Math.floor(i * step)] as T);
}

export const elapsedMs = (since: number) => performance.now() - since;

/**
 * A rate rule as the simulator applies it: token buckets per signer account × API (× region for
 * cloudtrail:LookupEvents), refilled at `ratePerSecond`, holding at most `burst`.
 */
export interface RateRule {
  service: string;
  operation?: string;
  ratePerSecond: number;
  burst: number;
}

export function ruleFor(rules: readonly RateRule[], use: BucketUse): RateRule | undefined {
  return rules.find(
    (rule) =>
      rule.service === use.service && (rule.operation === undefined || rule.operation === use.operation),
  );
}

export interface RateBound {
  /** The scan cannot end sooner than this, whatever the client does: max of the two below. */
  boundMs: number;
  /** The busiest single bucket: (requests − burst) / rate. */
  busiestBucketMs: number;
  busiestBucket: string | null;
  /** Each account's own slowest bucket, summed over accounts and spread over `concurrency` lanes. */
  spreadMs: number;
}

/**
 * The wall time the rate limits alone impose on a scan. A bucket that must admit `n` requests
 * (every request that reached the API: answered, or refused by the API for another reason) with
 * capacity `b` at rate `r` needs at least (n − b) / r; buckets of one signer run in parallel; each
 * account's own buckets are only busy while that account is scanned, which happens `concurrency`
 * accounts at a time. Throttled attempts are excluded: they are the cost of going too fast.
 */
export function rateLimitBound(
  uses: readonly BucketUse[],
  rules: readonly RateRule[],
  options: { concurrency: number; sharedSigners: readonly string[] },
): RateBound {
  const shared = new Set(options.sharedSigners);
  let busiestBucketMs = 0;
  let busiestBucket: string | null = null;
  const perAccount = new Map<string, number>();
  for (const use of uses) {
    const rule = ruleFor(rules, use);
    if (!rule) continue;
    const admitted = use.ok + use.otherErrors;
    const ms = (Math.max(0, admitted - rule.burst) / rule.ratePerSecond) * 1000;
    if (ms > busiestBucketMs) {
      busiestBucketMs = ms;
      busiestBucket = `${use.service}:${use.operation}${use.region ? ` in ${use.region}` : ''} signed by ${use.accountId} (${admitted} requests at ${rule.ratePerSecond}/s, burst ${rule.burst})`;
    }
    if (!shared.has(use.accountId)) {
      perAccount.set(use.accountId, Math.max(perAccount.get(use.accountId) ?? 0, ms));
    }
  }
  const spreadMs = sum([...perAccount.values()]) / options.concurrency;
  return { boundMs: Math.max(busiestBucketMs, spreadMs), busiestBucketMs, busiestBucket, spreadMs };
}
