/**
 * What a check is: metadata a person reads, the evidence it needs, and one pure evaluate().
 * A check never imports an AWS client; the runner hands it evidence and stores what it returns.
 */
import type { EvidenceFor, EvidenceKey } from './evidence.ts';

export type CheckStatus = 'PASS' | 'FAIL' | 'ERROR' | 'NOT_APPLICABLE';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'informational';
/** account: evaluated for every ACTIVE account; organization: once per scan. */
export type CheckScope = 'account' | 'organization';

export interface Remediation {
  /** Console steps a person can follow, in order. */
  console: string[];
  /** An AWS CLI command or snippet. */
  cli: string;
}

export interface CheckMetadata {
  id: string;
  title: string;
  severity: Severity;
  scope: CheckScope;
  description: string;
  rationale: string;
  remediation: Remediation;
  /** AWS documentation URLs. */
  references: string[];
}

/** Settings and facts about the account under evaluation that are not AWS evidence. */
export interface CheckContext {
  /** The account evaluated; for organization checks, the management account. */
  accountId: string;
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  partition: string;
  isManagementAccount: boolean;
  /** The scan's clock, so results are reproducible. */
  now: Date;
  /** Regions the regional checks cover. */
  regions: string[];
  rootUsageWindowDays: number;
  /** Lower-case domains for account-email-domain; empty = only free-mail providers fail. */
  allowedEmailDomains: string[];
}

/** One result of a check: a status about one resource, with the evidence that supports it. */
export interface CheckOutcome {
  status: CheckStatus;
  /** ARN of what the result is about: the root user, the organization, … */
  resource: string;
  /** A sentence a person can act on. ERROR names the action and the AWS error. */
  message: string;
  /** The facts behind the status (JSON-safe), stored with the result. */
  evidence: Record<string, unknown>;
}

export interface Check<K extends EvidenceKey = EvidenceKey> {
  metadata: CheckMetadata;
  /** The evidence the runner must gather before evaluate() runs. */
  evidence: readonly K[];
  evaluate(evidence: EvidenceFor<K>, context: CheckContext): CheckOutcome[];
}

/** Declares a check with its evidence keys inferred, so evaluate() sees exactly what it asked for. */
export function defineCheck<const K extends EvidenceKey>(check: Check<K>): Check<K> {
  return check;
}
