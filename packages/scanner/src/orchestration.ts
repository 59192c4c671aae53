/**
 * What every way of running a scan shares (the scheduler's discovery, the worker's account jobs,
 * `rootaudit scan` in one process): AWS clients and scan settings from the configuration, the
 * scan's checks, the organization judged once, and the wording of an unreadable organization.
 * Nothing here touches the database or the queue, so the CLI's one-process scan loads neither.
 */
import {
  ClientFactory,
  type ClientFactoryOptions,
  describeCollectionError,
  type OrganizationEvidenceKey,
  organizationPrincipalArn,
  rootArn,
} from '@rootaudit/aws';
import type { Check, CheckContext, EvidenceKey, EvidenceMap, Organization } from '@rootaudit/checks';
import { evaluateCheck } from './evaluate.ts';
import { failedEvidence, type OrganizationEvidence } from './evidence-cache.ts';
import type { AccountScan, ScanResult } from './results.ts';
import type { ScanSettings } from './scan-account.ts';

/** The part of @rootaudit/config's Config a scan reads. */
export interface ScanConfig {
  regions: string[];
  auditRoleName: string;
  externalId: string | null;
  orgRoleArn: string | null;
  awsEndpointUrl: string | null;
  rootUsageWindowDays: number;
  allowedEmailDomains: string[];
}

/**
 * The scan's AWS clients as the configuration says: the audit role and ExternalId, the
 * organization role, the endpoint; `extra` adds what the configuration does not carry (tests:
 * base credentials, endpoint, retries; the CLI: its home region from AWS_REGION).
 */
export function scanClients(
  config: ScanConfig,
  scanId: string,
  extra: Omit<Partial<ClientFactoryOptions>, 'scanId'> = {},
): ClientFactory {
  return new ClientFactory({
    scanId,
    region: config.regions[0] ?? 'us-east-1',
    auditRoleName: config.auditRoleName,
    externalId: config.externalId,
    orgRoleArn: config.orgRoleArn,
    ...(config.awsEndpointUrl ? { endpoint: config.awsEndpointUrl } : {}),
    ...extra,
  });
}

/** The settings of a scan judged at `now`: every check of the scan, organization or account, uses it. */
export function scanSettings(config: ScanConfig, now: Date): ScanSettings {
  return {
    regions: config.regions,
    now,
    rootUsageWindowDays: config.rootUsageWindowDays,
    allowedEmailDomains: config.allowedEmailDomains,
  };
}

/** Organization-scope checks, evaluated once per scan over the organization evidence. */
export async function evaluateOrganizationChecks(
  checks: readonly Check[],
  evidence: OrganizationEvidence,
  settings: ScanSettings & { partition: string },
): Promise<ScanResult[]> {
  const organization = evidence.organization?.ok ? evidence.organization.value : null;
  const managementAccountId = organization?.managementAccountId ?? null;
  const context: CheckContext = {
    accountId: managementAccountId ?? '',
    partition: settings.partition,
    isManagementAccount: true,
    now: settings.now,
    regions: settings.regions,
    rootUsageWindowDays: settings.rootUsageWindowDays,
    allowedEmailDomains: settings.allowedEmailDomains,
  };
  const resource =
    organization?.arn ??
    `arn:${settings.partition}:organizations::${managementAccountId ?? 'unknown'}:organization`;
  const lookup = async <K extends EvidenceKey>(key: K) =>
    (evidence[key as OrganizationEvidenceKey] ??
      failedEvidence(
        key,
        { action: key, code: 'NotCollected', message: `${key} is not organization evidence` },
        settings.regions,
      )) as EvidenceMap[K];
  const results = await Promise.all(
    checks
      .filter((check) => check.metadata.scope === 'organization')
      .map((check) => evaluateCheck(check, lookup, context, resource)),
  );
  return results.flat();
}

/** Why the organization could not be read (`code on action: message`), or null when it was. */
export function organizationUnreadable(evidence: OrganizationEvidence): string | null {
  const organization = evidence.organization;
  if (organization?.ok) return null;
  return organization ? describeCollectionError(organization.error) : 'the organization was not read';
}

export interface OrganizationJudgement {
  organization: Organization | null;
  /** Why the organization could not be read; null when it was. */
  unreadable: string | null;
  /** The organization-scope checks' results, evaluated once for the scan. */
  results: ScanResult[];
}

/** The organization of a scan, judged once over its evidence. */
export async function judgeOrganization(
  checks: readonly Check[],
  evidence: OrganizationEvidence,
  settings: ScanSettings & { partition: string },
): Promise<OrganizationJudgement> {
  return {
    organization: evidence.organization?.ok ? evidence.organization.value : null,
    unreadable: organizationUnreadable(evidence),
    results: await evaluateOrganizationChecks(checks, evidence, settings),
  };
}

/**
 * An account that cannot be judged at all (its scan has no organization evidence to judge it
 * against): every account check ERROR with `cause`, and no AWS call made.
 */
export function unjudgedAccount(
  accountId: string,
  checks: readonly Check[],
  cause: string,
  partition: string,
): AccountScan {
  const resource = rootArn(partition, accountId);
  return {
    accountId,
    status: 'FAILED',
    reason: cause,
    results: checks
      .filter((check) => check.metadata.scope === 'account')
      .map((check) => ({
        accountId,
        checkId: check.metadata.id,
        status: 'ERROR' as const,
        severity: check.metadata.severity,
        resource,
        message: cause,
        evidence: {},
      })),
    evidenceCollected: [],
    startedAt: new Date().toISOString(),
    durationMs: 0,
  };
}

/**
 * The principal rootaudit calls sts:AssumeRoot with (live root events: isOwnPrivilegedSession). With
 * ROOTAUDIT_ORG_ROLE_ARN that is the role itself (a session of it stands for the role); else the
 * base credentials' identity, asked of AWS. Null when AWS cannot say: then no privileged session is
 * taken for rootaudit's own, and every one is reported.
 */
export async function resolveAuditIssuer(
  config: ScanConfig,
  extra: Omit<Partial<ClientFactoryOptions>, 'scanId'> = {},
): Promise<string | null> {
  if (config.orgRoleArn) return config.orgRoleArn;
  const clients = scanClients(config, 'audit-issuer', extra);
  try {
    return await organizationPrincipalArn(clients.forOrganization());
  } catch {
    return null;
  } finally {
    clients.destroy();
  }
}

/** How long an audit issuer AWS could not name is not asked again. */
const AUDIT_ISSUER_RETRY_MS = 5 * 60_000;

/**
 * resolveAuditIssuer asked once, when first needed (a process that receives no privileged root
 * session makes no AWS call for it); when AWS could not say, asked again after 5 minutes.
 */
export function lazyAuditIssuer(
  config: ScanConfig,
  extra: Omit<Partial<ClientFactoryOptions>, 'scanId'> = {},
): () => Promise<string | null> {
  let known: Promise<string | null> | undefined;
  let askedAt = 0;
  return async () => {
    if (!known || ((await known) === null && Date.now() - askedAt > AUDIT_ISSUER_RETRY_MS)) {
      askedAt = Date.now();
      known = resolveAuditIssuer(config, extra);
    }
    return known;
  };
}
