/** Which checks a scan runs: the catalog of @rootaudit/checks, narrowed to the scan's selection. */
import * as checksPackage from '@rootaudit/checks';
import type { Check } from '@rootaudit/checks';

function isCheck(value: unknown): value is Check {
  const candidate = value as Partial<Check> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.evaluate === 'function' &&
    typeof candidate.metadata?.id === 'string'
  );
}

/**
 * Every check the checks package exports as its catalog (`allChecks`). Throws with what to do when
 * the package has none, rather than scanning with no checks.
 */
export function catalogChecks(): readonly Check[] {
  const exported = checksPackage as Record<string, unknown>;
  for (const name of ['allChecks', 'checkCatalog', 'checks', 'catalog']) {
    const value = exported[name];
    if (Array.isArray(value) && value.every(isCheck)) return value;
  }
  throw new Error('@rootaudit/checks exports no check catalog (allChecks): pass `checks` to the scheduler and worker');
}

/** The checks a scan selected (Scan.checkIds; empty = all). */
export function selectChecks(checks: readonly Check[], checkIds: readonly string[]): Check[] {
  if (checkIds.length === 0) return [...checks];
  const wanted = new Set(checkIds);
  return checks.filter((check) => wanted.has(check.metadata.id));
}

export { isCheck };
