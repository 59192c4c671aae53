/**
 * rootaudit's own privileged root sessions. The root-credentials-absent check reads each member's
 * root credentials through sts:AssumeRoot (packages/aws/src/collectors/root-credentials-audit.ts);
 * the member records those IAM reads as root activity. They are not root use and must not raise a
 * finding or an alert. The rule is the nightly check's (`isOwnRootAudit` in @rootaudit/checks), so
 * live events and LookupEvents agree: the session was issued to the principal rootaudit calls
 * sts:AssumeRoot with (an assumed-role session stands for its role: each scan opens a new one), and
 * the call is one of the audit's IAM reads. Anything else, even in a session issued to rootaudit's
 * role, is someone using root and is reported.
 */
import { isOwnRootAudit, privilegedRootSessionOf, type RootSessionIdentity } from '@rootaudit/checks';
import type { RootActivityEvent } from './parse.ts';

/**
 * Whether `event` is rootaudit's own audit. `auditIssuer`: the ARN of the principal rootaudit
 * calls sts:AssumeRoot with (sts:GetCallerIdentity with its organization credentials); null when
 * unknown, and then nothing is recognised as rootaudit's: an unexplained session is reported.
 */
export function isOwnPrivilegedSession(
  event: Pick<RootActivityEvent, 'eventSource' | 'eventName' | 'privilegedSession'>,
  auditIssuer: string | null,
): boolean {
  return isOwnRootAudit(event, auditIssuer);
}

/**
 * Whether a delivered envelope, not yet parsed, claims a privileged root session: the only events
 * whose processing needs rootaudit's audit issuer, so that the others never wait on asking AWS who
 * rootaudit is (an API destination gives up after 5 s).
 */
export function inPrivilegedSession(envelope: unknown): boolean {
  const detail = (envelope as { detail?: { userIdentity?: unknown } } | null)?.detail;
  const identity = detail?.userIdentity;
  return typeof identity === 'object' && identity !== null
    ? privilegedRootSessionOf(identity as RootSessionIdentity) !== null
    : false;
}
