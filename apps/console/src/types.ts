/** The shapes of the /v1 answers the console reads (see the OpenAPI document at /docs). */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const STATUSES = ['FAIL', 'ERROR', 'PASS', 'NOT_APPLICABLE'] as const;
export type CheckStatus = (typeof STATUSES)[number];
export type StatusCounts = Record<CheckStatus, number>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface WhoAmI {
  name: string;
  scopes: string[];
  prefix: string;
}

export interface Finding {
  id: string;
  accountId: string | null;
  accountName: string | null;
  scope: 'account' | 'organization';
  checkId: string;
  resource: string;
  status: CheckStatus;
  severity: Severity;
  message: string;
  evidence: unknown;
  muted: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
  statusChangedAt: string | null;
  resolvedAt: string | null;
  reopenedAt: string | null;
  reopenCount: number;
  lastError: string | null;
}

export interface Account {
  id: string;
  name: string;
  email: string;
  status: string;
  isManagementAccount: boolean;
  ouId: string | null;
  ouPath: string | null;
  lastScannedAt: string | null;
  skipReason: string | null;
  failingFindings: number;
  worstFailingSeverity: Severity | null;
}

export interface AccountDetail extends Account {
  posture: {
    byStatus: StatusCounts;
    failingBySeverity: Record<Severity, number>;
    muted: number;
    passRate: number | null;
  };
  findings: Finding[];
}

export interface Check {
  id: string;
  title: string;
  severity: Severity;
  scope: 'account' | 'organization';
  description: string;
  rationale: string;
  remediation: { console: string[]; cli: string };
  references: string[];
  compliance: { framework: string; version: string; control: string }[];
}

export type ScanStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

export interface Scan {
  id: string;
  trigger: string;
  status: ScanStatus;
  requestedBy: string | null;
  accountsTotal: number;
  accountsDone: number;
  accountsFailed: number;
  accountsSkipped: number;
  results: StatusCounts;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  failureReason: string | null;
}

export interface DiffItem {
  accountId: string | null;
  checkId: string;
  resource: string;
  status: CheckStatus;
  severity: Severity;
  message: string;
  previousStatus: CheckStatus | null;
}

export interface ScanDiff {
  scanId: string;
  previousScanId: string | null;
  counts: { new: number; resolved: number; reopened: number };
  new: DiffItem[];
  resolved: DiffItem[];
  reopened: DiffItem[];
  nextCursor: string | null;
}

export interface Summary {
  totals: { counts: StatusCounts; passRate: number | null; muted: number };
  byCheck: { checkId: string; title: string; counts: StatusCounts; passRate: number | null }[];
  bySeverity: { severity: Severity; counts: StatusCounts; passRate: number | null }[];
  byOu: { ouId: string; ouName: string; counts: StatusCounts; passRate: number | null }[];
  trend: { scanId: string; status: ScanStatus; finishedAt: string | null; passRate: number | null }[];
}

export interface Suppression {
  id: string;
  checkId: string | null;
  accountId: string | null;
  reason: string;
  author: string;
  expiresAt: string | null;
  createdAt: string;
  expired: boolean;
}

export interface Webhook {
  id: string;
  host: string;
  url: string | null;
  events: string[];
  enabled: boolean;
  createdAt: string;
}

/** One root sign-in or API call (SPEC §6). */
export interface RootEvent {
  eventId: string;
  accountId: string;
  eventName: string;
  eventTime: string;
  sourceIpAddress: string | null;
  userAgent: string | null;
  mfaUsed: boolean | null;
  outcome: string;
  region: string | null;
}

export const ACTIVE_SCAN: readonly ScanStatus[] = ['QUEUED', 'RUNNING'];
