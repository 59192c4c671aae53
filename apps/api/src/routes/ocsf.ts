/**
 * A finding as an OCSF Compliance Finding (class_uid 2003, category Findings, schema 1.3.0): the
 * control result in `compliance`, the finding's own lifecycle in `status_id`.
 */
import { type CheckMetadata, complianceOf } from '@rootaudit/checks';
import type { FindingRow } from '@rootaudit/store';

const OCSF_VERSION = '1.3.0';
const PRODUCT = { name: 'rootaudit', vendor_name: 'rootaudit', version: '0.1.0' };

const SEVERITY_ID = { informational: 1, low: 2, medium: 3, high: 4, critical: 5 } as const;
const SEVERITY_NAME = {
  informational: 'Informational',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/** compliance.status_id: 1 Pass, 3 Fail, 99 Other (could not evaluate, not applicable). */
const COMPLIANCE_STATUS = {
  PASS: [1, 'Pass'],
  FAIL: [3, 'Fail'],
  ERROR: [99, 'Error'],
  NOT_APPLICABLE: [99, 'Not Applicable'],
} as const;

/** status_id of the finding: 1 New (needs work), 3 Suppressed (muted), 4 Resolved. */
function findingStatus(item: FindingRow): [number, string] {
  if (item.muted) return [3, 'Suppressed'];
  if (item.status === 'FAIL' || item.status === 'ERROR') return [1, 'New'];
  return [4, 'Resolved'];
}

export function toOcsf(item: FindingRow, check: CheckMetadata | undefined): Record<string, unknown> {
  // Create the first time a finding is seen, Update afterwards.
  const activityId = item.firstSeenAt === item.lastSeenAt ? 1 : 2;
  const [complianceStatusId, complianceStatus] = COMPLIANCE_STATUS[item.status];
  const [statusId, status] = findingStatus(item);
  const frameworks = complianceOf(item.checkId);
  return {
    class_uid: 2003,
    class_name: 'Compliance Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: activityId,
    activity_name: activityId === 1 ? 'Create' : 'Update',
    type_uid: 200300 + activityId,
    type_name: `Compliance Finding: ${activityId === 1 ? 'Create' : 'Update'}`,
    time: Date.parse(item.lastSeenAt),
    severity_id: SEVERITY_ID[item.severity],
    severity: SEVERITY_NAME[item.severity],
    status_id: statusId,
    status,
    message: item.message,
    metadata: { version: OCSF_VERSION, product: PRODUCT, uid: item.id },
    finding_info: {
      uid: item.id,
      title: check?.title ?? item.checkId,
      desc: item.message,
      types: [item.checkId],
      first_seen_time: Date.parse(item.firstSeenAt),
      last_seen_time: Date.parse(item.lastSeenAt),
    },
    compliance: {
      control: item.checkId,
      standards: [...new Set(frameworks.map((mapping) => `${mapping.framework} v${mapping.version}`))],
      requirements: frameworks.map(
        (mapping) => `${mapping.framework} v${mapping.version} ${mapping.control}`,
      ),
      status_id: complianceStatusId,
      status: complianceStatus,
    },
    remediation: check
      ? { desc: check.remediation.console.join(' '), references: [...check.references] }
      : undefined,
    cloud: {
      provider: 'AWS',
      account: { uid: item.accountId, name: item.accountName, type: 'AWS Account', type_id: 10 },
    },
    resources: [{ uid: item.resource, cloud_partition: item.resource.split(':')[1] ?? 'aws' }],
    unmapped: { evidence: item.evidence, scope: item.scope },
  };
}
