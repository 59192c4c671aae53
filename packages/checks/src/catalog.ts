/**
 * Every check, in SPEC §2 order. The runner evaluates account checks for every ACTIVE account
 * (management account included) and organization checks once per scan. Suspended and closing
 * accounts are never handed to a check: the scanner skips them with a recorded reason (SPEC §2),
 * so no check has a "suspended" outcome of its own beyond a guard for direct calls.
 */
import type { Check } from './check.ts';
import { accountEmailDomain } from './checks/account-email-domain.ts';
import { alternateContactsRegistered } from './checks/alternate-contacts-registered.ts';
import { cloudtrailMultiRegion } from './checks/cloudtrail-multi-region.ts';
import { guarddutyEnabled } from './checks/guardduty-enabled.ts';
import { orgAllFeatures } from './checks/org-all-features.ts';
import { orgRootCredentialsManagement } from './checks/org-root-credentials-management.ts';
import { orgRootSessions } from './checks/org-root-sessions.ts';
import { rootAccessKeyRotated } from './checks/root-access-key-rotated.ts';
import { rootActivityAlerting } from './checks/root-activity-alerting.ts';
import { rootCredentialsAbsent } from './checks/root-credentials-absent.ts';
import { rootHardwareMfa } from './checks/root-hardware-mfa.ts';
import { rootMfaEnabled } from './checks/root-mfa-enabled.ts';
import { rootNoAccessKeys } from './checks/root-no-access-keys.ts';
import { rootNoSigningCertificates } from './checks/root-no-signing-certificates.ts';
import { rootNotRecentlyUsed } from './checks/root-not-recently-used.ts';
import { rootSigninActivity } from './checks/root-signin-activity.ts';
import { rootUsageMetricAlarm } from './checks/root-usage-metric-alarm.ts';
import { scpRootDeny } from './checks/scp-root-deny.ts';
import { securityContactRegistered } from './checks/security-contact-registered.ts';

export const checks: readonly Check[] = [
  rootMfaEnabled,
  rootHardwareMfa,
  rootNoAccessKeys,
  rootAccessKeyRotated,
  rootNoSigningCertificates,
  rootNotRecentlyUsed,
  rootSigninActivity,
  cloudtrailMultiRegion,
  rootUsageMetricAlarm,
  rootActivityAlerting,
  guarddutyEnabled,
  securityContactRegistered,
  alternateContactsRegistered,
  accountEmailDomain,
  scpRootDeny,
  rootCredentialsAbsent,
  orgAllFeatures,
  orgRootCredentialsManagement,
  orgRootSessions,
];

export const accountChecks: readonly Check[] = checks.filter((check) => check.metadata.scope === 'account');
export const organizationChecks: readonly Check[] = checks.filter(
  (check) => check.metadata.scope === 'organization',
);

const byId = new Map(checks.map((check) => [check.metadata.id, check]));

export function getCheck(id: string): Check | undefined {
  return byId.get(id);
}

/** The checks a scan selected (Scan.checkIds, `rootaudit scan --checks`; none = all). */
export function selectChecks(from: readonly Check[], checkIds: readonly string[]): Check[] {
  if (checkIds.length === 0) return [...from];
  const wanted = new Set(checkIds);
  return from.filter((check) => wanted.has(check.metadata.id));
}
