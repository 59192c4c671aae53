/** Results as every consumer stores and prints them (SPEC §6: the JSON of `rootaudit scan`). */
import type { CheckStatus, Severity } from '@rootaudit/checks';

export interface ScanResult {
  accountId: string;
  checkId: string;
  status: CheckStatus;
  severity: Severity;
  resource: string;
  message: string;
  evidence: Record<string, unknown>;
}

/** SCANNED: checks evaluated. FAILED: the account could not be reached (its results are ERROR). SKIPPED: not ACTIVE. */
export type AccountScanStatus = 'SCANNED' | 'FAILED' | 'SKIPPED';

export interface AccountScan {
  accountId: string;
  status: AccountScanStatus;
  /** Why the account was skipped or failed; null when scanned. */
  reason: string | null;
  results: ScanResult[];
  /** Evidence keys collected for this account. */
  evidenceCollected: string[];
  startedAt: string;
  durationMs: number;
}
