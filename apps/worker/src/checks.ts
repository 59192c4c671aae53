/** Which checks a scan runs: the worker's checks, narrowed to the scan's selection. */
import type { Check } from '@rootaudit/checks';

/** The checks a scan selected (Scan.checkIds; empty = all). */
export function selectChecks(checks: readonly Check[], checkIds: readonly string[]): Check[] {
  if (checkIds.length === 0) return [...checks];
  const wanted = new Set(checkIds);
  return checks.filter((check) => wanted.has(check.metadata.id));
}
