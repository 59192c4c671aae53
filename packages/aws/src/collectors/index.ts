/** Every collector, by the evidence key it gathers, and the IAM actions each one calls. */
import type { EvidenceKey } from '@rootaudit/checks';
import type {
  AccountCollector,
  AccountEvidenceKey,
  OrganizationCollector,
  OrganizationEvidenceKey,
} from '../collector.ts';
import { accountSummaryCollector } from './account-summary.ts';
import { alternateContactsCollector } from './alternate-contacts.ts';
import { credentialReportCollector } from './credential-report.ts';
import { eventRulesCollector } from './event-rules.ts';
import { guardDutyDetectorsCollector } from './guardduty-detectors.ts';
import { metricAlarmsCollector } from './metric-alarms.ts';
import { metricFiltersCollector } from './metric-filters.ts';
import { organizationCollector } from './organization.ts';
import { organizationFeaturesCollector } from './organization-features.ts';
import { rootCredentialsAuditCollector } from './root-credentials-audit.ts';
import { rootEventsCollector } from './root-events.ts';
import { serviceControlPoliciesCollector } from './service-control-policies.ts';
import { snsTopicsCollector } from './sns-topics.ts';
import { organizationTrailsCollector, trailsCollector } from './trails.ts';
import { virtualMfaDevicesCollector } from './virtual-mfa-devices.ts';

export type AccountCollectors = { [K in AccountEvidenceKey]: AccountCollector<K> };
export type OrganizationCollectors = { [K in OrganizationEvidenceKey]: OrganizationCollector<K> };

export const accountCollectors: AccountCollectors = {
  accountSummary: accountSummaryCollector,
  credentialReport: credentialReportCollector,
  virtualMfaDevices: virtualMfaDevicesCollector,
  rootCredentialsAudit: rootCredentialsAuditCollector,
  trails: trailsCollector,
  alternateContacts: alternateContactsCollector,
  snsTopics: snsTopicsCollector,
  metricFilters: metricFiltersCollector,
  metricAlarms: metricAlarmsCollector,
  eventRules: eventRulesCollector,
  guardDutyDetectors: guardDutyDetectorsCollector,
  rootEvents: rootEventsCollector,
};

export const organizationCollectors: OrganizationCollectors = {
  organization: organizationCollector,
  serviceControlPolicies: serviceControlPoliciesCollector,
  organizationFeatures: organizationFeaturesCollector,
  organizationTrails: organizationTrailsCollector,
};

/** Every IAM action each collector calls, by evidence key (the audit-role template is checked against it). */
export const collectorActions: Record<EvidenceKey, readonly string[]> = Object.fromEntries(
  [...Object.values(accountCollectors), ...Object.values(organizationCollectors)].map((c) => [
    c.key,
    c.actions,
  ]),
) as Record<EvidenceKey, readonly string[]>;

/** Actions called with the audit role inside each account: what the audit-role template must grant. */
export const auditRoleActions: readonly string[] = [
  ...new Set(
    Object.values(accountCollectors).flatMap((c) => (c.principals.includes('audit-role') ? c.actions : [])),
  ),
].sort();

/**
 * Actions called with organization credentials (management or delegated-admin account): the
 * organization collectors, sts:AssumeRoot, and alternate contacts read with AccountId.
 */
export const organizationRoleActions: readonly string[] = [
  ...new Set([
    ...Object.values(organizationCollectors).flatMap((c) => c.actions),
    'sts:AssumeRoot',
    'account:GetAlternateContact',
  ]),
].sort();
