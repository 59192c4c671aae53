/**
 * Facts about the root user's credentials, each taken from the first source that states it, and
 * whether root has anything to sign in with (root-mfa-enabled and root-hardware-mfa are
 * NOT_APPLICABLE when it has not, as AWS Config does).
 *
 * The account summary is live and comes first. A key missing from it is "unknown", never "absent":
 * then an `sts:AssumeRoot` audit (made under centralized root access) or the credential report's
 * `<root_account>` row (at most 4 hours old) may state the fact. The report's password_enabled is
 * never consulted: AWS writes `not_supported` or `false` there for root whatever the truth (SPEC §2).
 */
import type { CheckContext, CheckOutcome } from '../check.ts';
import type {
  AccountSummary,
  Collected,
  CollectionError,
  CredentialReport,
  CredentialReportRootRow,
  RootCredentialsAudit,
} from '../evidence.ts';
import {
  describeError,
  errorOutcome,
  heldSlots,
  outcome,
  ROOT_ROW_MISSING,
  rootArn,
  SUMMARY_KEY_MISSING,
} from './support.ts';

/** A fact about root: stated by `source`, or unknown with why each source could not state it. */
export type RootFact =
  | {
      known: true;
      present: boolean;
      /** `AccountAccessKeysPresent = 1`, `the credential report generated …`, `an AssumeRoot audit`. */
      source: string;
      /** Why the sources before it did not answer, in words. */
      unanswered: string[];
    }
  | {
      known: false;
      /** Why each source did not answer, in words. */
      unanswered: string[];
      /** What to put in an ERROR: every source that was read and could not answer. */
      errors: CollectionError[];
    };

type SummaryKey =
  | 'AccountMFAEnabled'
  | 'AccountAccessKeysPresent'
  | 'AccountPasswordPresent'
  | 'AccountSigningCertificatesPresent';

const summaryFields = {
  AccountMFAEnabled: 'accountMfaEnabled',
  AccountAccessKeysPresent: 'accountAccessKeysPresent',
  AccountPasswordPresent: 'accountPasswordPresent',
  AccountSigningCertificatesPresent: 'accountSigningCertificatesPresent',
} as const satisfies Record<SummaryKey, keyof AccountSummary>;

/** An audit that was not made is no error, but it did not answer either. */
const NOT_AUDITED = 'NotAudited';

type Answer = { present: boolean; source: string };
type Lookup = Answer | CollectionError;

function isAnswer(lookup: Lookup): lookup is Answer {
  return 'present' in lookup;
}

function fromSummary(summary: Collected<AccountSummary>, key: SummaryKey): Lookup {
  if (!summary.ok) return summary.error;
  const value = summary.value[summaryFields[key]];
  if (value === null) {
    return {
      action: 'iam:GetAccountSummary',
      code: SUMMARY_KEY_MISSING,
      message: `${key} is missing from the account summary`,
    };
  }
  return { present: value, source: `${key} = ${value ? 1 : 0}` };
}

/** The credential report's root row and when it was generated, or why there is none. */
export function reportRootRow(
  report: Collected<CredentialReport>,
): { row: CredentialReportRootRow; generatedTime: string } | CollectionError {
  if (!report.ok) return report.error;
  if (report.value.root === null) {
    return {
      action: 'iam:GetCredentialReport',
      code: ROOT_ROW_MISSING,
      message: `the credential report generated ${report.value.generatedTime} has no <root_account> row`,
    };
  }
  return { row: report.value.root, generatedTime: report.value.generatedTime };
}

function fromReport(
  report: Collected<CredentialReport>,
  read: (row: CredentialReportRootRow) => { present: boolean; columns: string },
): Lookup {
  const root = reportRootRow(report);
  if ('action' in root) return root;
  const { present, columns } = read(root.row);
  return { present, source: `the credential report generated ${root.generatedTime}: ${columns}` };
}

function fromAudit(
  audit: Collected<RootCredentialsAudit>,
  read: (found: Extract<RootCredentialsAudit, { audited: true }>) => boolean,
): Lookup {
  if (!audit.ok) return audit.error;
  if (!audit.value.audited) {
    return { action: 'sts:AssumeRoot', code: NOT_AUDITED, message: audit.value.reason };
  }
  return { present: read(audit.value), source: 'an AssumeRoot audit' };
}

/** Why a source did not answer, for a message. */
function unansweredBecause(error: CollectionError, context: CheckContext): string {
  if (error.code === SUMMARY_KEY_MISSING || error.code === ROOT_ROW_MISSING) return error.message;
  if (error.code === NOT_AUDITED) return `no AssumeRoot audit was made (${error.message})`;
  const what =
    error.action === 'iam:GetAccountSummary'
      ? 'the account summary'
      : error.action.startsWith('iam:') && /CredentialReport/.test(error.action)
        ? 'the credential report'
        : 'the AssumeRoot audit';
  return `${what} could not be read (${describeError(error, context)})`;
}

function firstAnswer(lookups: readonly Lookup[], context: CheckContext): RootFact {
  const misses: CollectionError[] = [];
  for (const lookup of lookups) {
    if (isAnswer(lookup)) {
      return {
        known: true,
        present: lookup.present,
        source: lookup.source,
        unanswered: misses.map((miss) => unansweredBecause(miss, context)),
      };
    }
    misses.push(lookup);
  }
  return {
    known: false,
    unanswered: misses.map((miss) => unansweredBecause(miss, context)),
    errors: misses.filter((miss) => miss.code !== NOT_AUDITED),
  };
}

/** `AccountAccessKeysPresent = 1`, or `the credential report …, as AccountAccessKeysPresent is missing …`. */
export function sourceOf(fact: Extract<RootFact, { known: true }>): string {
  return fact.unanswered.length > 0 ? `${fact.source}, as ${fact.unanswered.join(' and ')}` : fact.source;
}

/**
 * The verdicts a "root holds no <what>" check shares while root holds none: ERROR when neither the
 * summary nor the report could tell, else PASS naming the source. Root holding some is the check's
 * own FAIL, with its detail.
 */
export function absenceOutcome(
  fact: RootFact,
  what: string,
  credentialReport: Collected<CredentialReport>,
  context: CheckContext,
): CheckOutcome {
  const resource = rootArn(context);
  if (!fact.known) {
    return errorOutcome(
      resource,
      context,
      fact.errors,
      'account',
      `Whether root has ${what} is unknown, as neither the account summary nor the credential report could tell: `,
    );
  }
  return outcome('PASS', resource, `Root has no ${what} (${sourceOf(fact)}).`, {
    source: fact.source,
    ...(credentialReport.ok ? { credentialReportGeneratedTime: credentialReport.value.generatedTime } : {}),
  });
}

const slotsColumns = (prefix: 'access_key' | 'cert', held: { slot: number; active: boolean }[]) =>
  held.length === 0
    ? `${prefix}_1_active and ${prefix}_2_active false, never rotated`
    : held.map((slot) => `${prefix}_${slot.slot}_active = ${slot.active}`).join(', ');

/** Root's access keys, active or inactive: the summary, else the AssumeRoot audit (when given), else the report. */
export function rootAccessKeys(
  summary: Collected<AccountSummary>,
  report: Collected<CredentialReport>,
  context: CheckContext,
  audit?: Collected<RootCredentialsAudit>,
): RootFact {
  return firstAnswer(
    [
      fromSummary(summary, 'AccountAccessKeysPresent'),
      ...(audit ? [fromAudit(audit, (found) => found.accessKeys.length > 0)] : []),
      fromReport(report, (row) => {
        const held = heldSlots(row.accessKeys);
        return { present: held.length > 0, columns: slotsColumns('access_key', held) };
      }),
    ],
    context,
  );
}

/** Root's X.509 signing certificates: the summary, else the report. */
export function rootSigningCertificates(
  summary: Collected<AccountSummary>,
  report: Collected<CredentialReport>,
  context: CheckContext,
): RootFact {
  return firstAnswer(
    [
      fromSummary(summary, 'AccountSigningCertificatesPresent'),
      fromReport(report, (row) => {
        const held = heldSlots(row.signingCertificates);
        return { present: held.length > 0, columns: slotsColumns('cert', held) };
      }),
    ],
    context,
  );
}

/** Whether root has an MFA device: the summary, else the AssumeRoot audit, else the report. */
export function rootMfa(
  summary: Collected<AccountSummary>,
  report: Collected<CredentialReport>,
  audit: Collected<RootCredentialsAudit>,
  context: CheckContext,
): RootFact {
  return firstAnswer(
    [
      fromSummary(summary, 'AccountMFAEnabled'),
      fromAudit(audit, (found) => found.mfaDevices.length > 0),
      fromReport(report, (row) => ({ present: row.mfaActive, columns: `mfa_active = ${row.mfaActive}` })),
    ],
    context,
  );
}

/** Whether root has a password: the summary, else the AssumeRoot audit; never the report. */
export function rootPassword(
  summary: Collected<AccountSummary>,
  audit: Collected<RootCredentialsAudit>,
  context: CheckContext,
): RootFact {
  return firstAnswer(
    [fromSummary(summary, 'AccountPasswordPresent'), fromAudit(audit, (found) => found.passwordPresent)],
    context,
  );
}

export type RootCredentialsState =
  | { kind: 'absent'; reason: string }
  | { kind: 'present'; description: string }
  /** Nothing read proves root has a way in, nor that it has none; `description` says what is unknown. */
  | { kind: 'unknown'; description: string };

/** Can root sign in (a password or access keys)? */
export function rootCredentialsState(
  summary: Collected<AccountSummary>,
  report: Collected<CredentialReport>,
  audit: Collected<RootCredentialsAudit>,
  context: CheckContext,
): RootCredentialsState {
  const password = rootPassword(summary, audit, context);
  const keys = rootAccessKeys(summary, report, context, audit);
  if (password.known && password.present && keys.known && keys.present) {
    const sources = [...new Set([sourceOf(password), sourceOf(keys)])].join('; ');
    return { kind: 'present', description: `root has a password and access keys (${sources})` };
  }
  if (keys.known && keys.present) {
    return { kind: 'present', description: `root has access keys (${sourceOf(keys)})` };
  }
  if (password.known && password.present) {
    return { kind: 'present', description: `root has a password (${sourceOf(password)})` };
  }
  if (password.known && keys.known) {
    const sources = [...new Set([sourceOf(password), sourceOf(keys)])].join('; ');
    return {
      kind: 'absent',
      reason: `root has no password and no access keys (${sources}), so it cannot sign in`,
    };
  }
  const unknown = [
    password.known
      ? `root has no password (${sourceOf(password)})`
      : `whether root has a password is unknown (${password.unanswered.join('; ')})`,
    keys.known
      ? `root has no access keys (${sourceOf(keys)})`
      : `whether root has access keys is unknown (${keys.unanswered.join('; ')})`,
  ];
  return { kind: 'unknown', description: unknown.join(', and ') };
}
