/**
 * Does the root user have anything to sign in with? Shared by root-mfa-enabled and
 * root-hardware-mfa, which are NOT_APPLICABLE when it has not — as AWS Config does.
 *
 * The account summary decides when it can: AccountPasswordPresent = 0 and AccountAccessKeysPresent = 0
 * proves absence; either one set proves presence. A missing AccountPasswordPresent key is "unknown",
 * never "absent": then an `sts:AssumeRoot` audit (the state under centralized root access) may prove
 * absence. The credential report's password_enabled is never consulted (SPEC §2).
 */
import type { AccountSummary, Collected, CollectionError, RootCredentialsAudit } from '../evidence.ts';

export type RootCredentialsState =
  | { kind: 'absent'; reason: string }
  | { kind: 'present'; description: string }
  | { kind: 'unknown'; description: string }
  /** The audit was needed to decide and could not be read. */
  | { kind: 'error'; error: CollectionError };

export function rootCredentialsState(
  summary: AccountSummary,
  audit: Collected<RootCredentialsAudit>,
): RootCredentialsState {
  if (summary.accountAccessKeysPresent) {
    const password = summary.accountPasswordPresent === true ? 'a password and access keys' : 'access keys';
    return { kind: 'present', description: `root has ${password}` };
  }
  if (summary.accountPasswordPresent === true) return { kind: 'present', description: 'root has a password' };
  if (summary.accountPasswordPresent === false) {
    return {
      kind: 'absent',
      reason:
        'root has no password and no access keys (AccountPasswordPresent = 0, AccountAccessKeysPresent = 0), so it cannot sign in',
    };
  }
  // AccountPasswordPresent is missing: only an AssumeRoot audit can settle it.
  if (!audit.ok) return { kind: 'error', error: audit.error };
  const found = audit.value;
  if (!found.audited) {
    return {
      kind: 'unknown',
      description: `whether root has a password is unknown (AccountPasswordPresent is missing from the account summary and no AssumeRoot audit was made: ${found.reason})`,
    };
  }
  if (found.passwordPresent)
    return { kind: 'present', description: 'root has a password (AssumeRoot audit)' };
  if (found.accessKeys.length > 0)
    return { kind: 'present', description: 'root has access keys (AssumeRoot audit)' };
  return {
    kind: 'absent',
    reason: 'an sts:AssumeRoot audit found no root password and no access keys, so root cannot sign in',
  };
}
