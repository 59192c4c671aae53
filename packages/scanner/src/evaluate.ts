/** Evaluates checks over gathered evidence: pure, and a check that throws is an ERROR result, never a crash. */
import type { Check, CheckContext, EvidenceKey, EvidenceMap } from '@rootaudit/checks';
import type { ScanResult } from './results.ts';

export async function evaluateCheck(
  check: Check,
  evidence: <K extends EvidenceKey>(key: K) => Promise<EvidenceMap[K]>,
  context: CheckContext,
  fallbackResource: string,
): Promise<ScanResult[]> {
  const { id, severity } = check.metadata;
  const error = (message: string): ScanResult[] => [
    {
      accountId: context.accountId,
      checkId: id,
      status: 'ERROR',
      severity,
      resource: fallbackResource,
      message,
      evidence: {},
    },
  ];
  const keys = [...new Set(check.evidence)];
  const values = await Promise.all(keys.map((key) => evidence(key)));
  const bag = Object.fromEntries(keys.map((key, i) => [key, values[i]])) as Pick<EvidenceMap, EvidenceKey>;
  try {
    const outcomes = check.evaluate(bag, context);
    if (outcomes.length === 0) return error(`check ${id} returned no result`);
    return outcomes.map((outcome) => ({
      accountId: context.accountId,
      checkId: id,
      status: outcome.status,
      severity,
      resource: outcome.resource,
      message: outcome.message,
      evidence: outcome.evidence,
    }));
  } catch (thrown) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return error(`check ${id} failed while evaluating: ${message}`);
  }
}
