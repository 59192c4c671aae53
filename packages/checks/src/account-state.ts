/**
 * The lifecycle states of a member account, as Organizations reports them in `State` (its older
 * `Status` field was retired in September 2026), and what each means for a scan: only ACTIVE
 * accounts are scanned; every other state is skipped with its reason, never failed. The one
 * definition: the collector, the scanner and the store all read it from here.
 */
export const accountStatuses = [
  'ACTIVE',
  'PENDING_ACTIVATION',
  'SUSPENDED',
  'PENDING_CLOSURE',
  'CLOSED',
] as const;

export type AccountStatus = (typeof accountStatuses)[number];

const SKIP_REASONS: Record<Exclude<AccountStatus, 'ACTIVE'>, string> = {
  // Not suspended: the account is being created or has not finished activating, so the audit
  // role (deployed to ACTIVE accounts) is not there yet.
  PENDING_ACTIVATION: 'the account is PENDING_ACTIVATION: it is scanned once it is ACTIVE',
  SUSPENDED: 'the account is SUSPENDED: suspended accounts are not scanned',
  PENDING_CLOSURE: 'the account is PENDING_CLOSURE: closing accounts are not scanned',
  CLOSED: 'the account is CLOSED: closed accounts are not scanned',
};

export function isAccountStatus(value: string | undefined): value is AccountStatus {
  return (accountStatuses as readonly (string | undefined)[]).includes(value);
}

/** Why an account in this state is not scanned; null when it is scanned (ACTIVE). */
export function accountSkipReason(status: AccountStatus): string | null {
  return status === 'ACTIVE' ? null : SKIP_REASONS[status];
}
