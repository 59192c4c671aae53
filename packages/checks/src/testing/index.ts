/**
 * Builders so check tests read like the spec:
 *   check.evaluate(evidenceFor({ accountSummary: ok(rootWithoutPasswordOrKeys()) }), context())
 * `evidenceFor` starts from a member account where every check passes (or is not applicable) and
 * replaces only what the test is about.
 */
import type { Check, CheckContext, CheckOutcome } from '../check.ts';
import type { Collected, CollectionError, EvidenceKey, EvidenceMap, Regional } from '../evidence.ts';
import { MANAGEMENT_ACCOUNT_ID, MEMBER_ACCOUNT_ID, NOW } from '../fixtures/accounts.ts';
import {
  accountSummary,
  auditFoundNoRootCredentials,
  credentialReport,
  noVirtualMfaDevices,
  rootRow,
} from '../fixtures/iam.ts';
import {
  enabledDetector,
  multiRegionTrail,
  noEventRules,
  rootEvents,
  rootUsageAlarm,
  rootUsageFilter,
  topicWithConfirmedSubscriber,
} from '../fixtures/monitoring.ts';
import {
  allContactsRegistered,
  centralizedRootAccessOn,
  organization,
  rootDenyOnOrganizationRoot,
} from '../fixtures/organization.ts';

export const REGIONS = ['us-east-1', 'eu-west-1'] as const;

export function ok<T>(value: T): Collected<T> {
  return { ok: true, value };
}

export function failed(action: string, code = 'AccessDenied', region?: string): Collected<never> {
  const error: CollectionError = {
    action,
    code,
    message: `User: arn:aws:sts::${MEMBER_ACCOUNT_ID}:assumed-role/RootAuditRole/rootaudit is not authorized to perform: ${action}`,
  };
  if (region) error.region = region;
  return { ok: false, error };
}

/** The same answer in every scanned region. */
export function everyRegion<T>(
  build: (region: string) => T,
  regions: readonly string[] = REGIONS,
): Regional<T> {
  return Object.fromEntries(regions.map((region) => [region, ok(build(region))]));
}

/** Regional evidence written region by region: a value, or a Collected (to fail one region). */
export function regional<T>(byRegion: Record<string, T | Collected<T>>): Regional<T> {
  return Object.fromEntries(
    Object.entries(byRegion).map(([region, value]) => [region, isCollected<T>(value) ? value : ok(value)]),
  );
}

function isCollected<T>(value: T | Collected<T>): value is Collected<T> {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof value.ok === 'boolean';
}

/**
 * A member account under centralized root access with no root credentials left, a full CIS
 * alerting chain, GuardDuty everywhere, every contact set, a company email and a root-deny SCP.
 */
export function wellConfiguredMember(): EvidenceMap {
  return {
    accountSummary: ok(accountSummary({ mfa: false, password: false })),
    credentialReport: ok(credentialReport(rootRow({ mfaActive: false, passwordEnabled: false }))),
    virtualMfaDevices: ok(noVirtualMfaDevices()),
    rootCredentialsAudit: ok(auditFoundNoRootCredentials()),
    trails: ok(multiRegionTrail()),
    alternateContacts: ok(allContactsRegistered()),
    snsTopics: ok(topicWithConfirmedSubscriber()),
    metricFilters: regional({ 'us-east-1': rootUsageFilter(), 'eu-west-1': { filters: [] } }),
    metricAlarms: regional({ 'us-east-1': rootUsageAlarm(), 'eu-west-1': { alarms: [] } }),
    eventRules: everyRegion(noEventRules),
    guardDutyDetectors: everyRegion(enabledDetector),
    rootEvents: everyRegion(() => rootEvents()),
    organization: ok(organization()),
    serviceControlPolicies: ok(rootDenyOnOrganizationRoot()),
    organizationFeatures: ok(centralizedRootAccessOn()),
    organizationTrails: ok({ trails: [] }),
  };
}

export function evidenceFor(overrides: Partial<EvidenceMap> = {}): EvidenceMap {
  return { ...wellConfiguredMember(), ...overrides };
}

export function context(overrides: Partial<CheckContext> = {}): CheckContext {
  return {
    accountId: MEMBER_ACCOUNT_ID,
    partition: 'aws',
    isManagementAccount: false,
    now: NOW,
    regions: [...REGIONS],
    rootUsageWindowDays: 90,
    allowedEmailDomains: [],
    ...overrides,
  };
}

export function managementAccountContext(overrides: Partial<CheckContext> = {}): CheckContext {
  return context({ accountId: MANAGEMENT_ACCOUNT_ID, isManagementAccount: true, ...overrides });
}

/** Runs a check and returns its single outcome (every check here reports one per account/org). */
export function evaluateOne<K extends EvidenceKey>(
  check: Check<K>,
  evidence: EvidenceMap = evidenceFor(),
  checkContext: CheckContext = context(),
): CheckOutcome {
  const outcomes = check.evaluate(evidence, checkContext);
  if (outcomes.length !== 1) throw new Error(`${check.metadata.id} returned ${outcomes.length} outcomes`);
  return outcomes[0]!;
}
