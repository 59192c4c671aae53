/**
 * Counts of findings and results as every report gives them: each status (or severity) present,
 * zero when none, and the pass rate PASS / (PASS + FAIL).
 */
import { CheckStatus, Severity } from '@rootaudit/db';

export type StatusCounts = Record<CheckStatus, number>;
export type SeverityCounts = Record<Severity, number>;

export function emptyStatusCounts(): StatusCounts {
  return Object.fromEntries(Object.values(CheckStatus).map((status) => [status, 0])) as StatusCounts;
}

export function emptySeverityCounts(): SeverityCounts {
  return Object.fromEntries(Object.values(Severity).map((severity) => [severity, 0])) as SeverityCounts;
}

/** Adds `from`'s count of each status to `into`'s. */
export function addStatusCounts(into: StatusCounts, from: StatusCounts): void {
  for (const status of Object.values(CheckStatus)) into[status] += from[status];
}

/** PASS / (PASS + FAIL), four decimals; null when nothing passed or failed. */
export function passRate(counts: { PASS: number; FAIL: number }): number | null {
  const evaluated = counts.PASS + counts.FAIL;
  return evaluated === 0 ? null : Math.round((counts.PASS / evaluated) * 10_000) / 10_000;
}

/** Groups (key, status, count) rows into counts per key, in first-seen order. */
export function tallyByKey<K>(
  rows: readonly { key: K; status: CheckStatus; count: number }[],
): Map<K, StatusCounts> {
  const groups = new Map<K, StatusCounts>();
  for (const row of rows) {
    const counts = groups.get(row.key) ?? emptyStatusCounts();
    counts[row.status] += row.count;
    groups.set(row.key, counts);
  }
  return groups;
}
