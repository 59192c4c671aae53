import t from 'tap';
import { accountChecks, checks, getCheck, organizationChecks, selectChecks } from './catalog.ts';
import { type EvidenceKey, organizationEvidenceKeys } from './evidence.ts';
import { context, evidenceFor, managementAccountContext } from './testing/index.ts';

/** SPEC §2, in order. */
const SPEC_ACCOUNT_IDS = [
  'root-mfa-enabled',
  'root-hardware-mfa',
  'root-no-access-keys',
  'root-access-key-rotated',
  'root-no-signing-certificates',
  'root-not-recently-used',
  'root-signin-activity',
  'cloudtrail-multi-region',
  'root-usage-metric-alarm',
  'root-activity-alerting',
  'guardduty-enabled',
  'security-contact-registered',
  'alternate-contacts-registered',
  'account-email-domain',
  'scp-root-deny',
  'root-credentials-absent',
];
const SPEC_ORGANIZATION_IDS = ['org-all-features', 'org-root-credentials-management', 'org-root-sessions'];

/** Every EvidenceMap key: `satisfies` fails to compile if evidence.ts gains or loses one. */
const EVIDENCE_KEYS = {
  accountSummary: true,
  credentialReport: true,
  virtualMfaDevices: true,
  rootCredentialsAudit: true,
  trails: true,
  alternateContacts: true,
  snsTopics: true,
  metricFilters: true,
  metricAlarms: true,
  eventRules: true,
  guardDutyDetectors: true,
  rootEvents: true,
  organization: true,
  serviceControlPolicies: true,
  organizationFeatures: true,
  organizationTrails: true,
} as const satisfies Record<EvidenceKey, true>;

t.test('every SPEC §2 check, in SPEC order, with the scope SPEC gives it', async (t) => {
  t.same(
    checks.map((check) => check.metadata.id),
    [...SPEC_ACCOUNT_IDS, ...SPEC_ORGANIZATION_IDS],
  );
  t.same(
    accountChecks.map((check) => check.metadata.id),
    SPEC_ACCOUNT_IDS,
  );
  t.same(
    organizationChecks.map((check) => check.metadata.id),
    SPEC_ORGANIZATION_IDS,
  );
});

t.test('ids are unique and getCheck finds each', async (t) => {
  const ids = checks.map((check) => check.metadata.id);
  t.equal(new Set(ids).size, ids.length);
  for (const id of ids) t.equal(getCheck(id)?.metadata.id, id);
  t.equal(getCheck('no-such-check'), undefined);
});

for (const check of checks) {
  const { metadata } = check;
  t.test(`${metadata.id}: metadata is complete`, async (t) => {
    t.match(metadata.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const field of ['title', 'description', 'rationale'] as const) {
      t.ok(metadata[field].trim().length > 20, `${field} says something`);
    }
    t.ok(['critical', 'high', 'medium', 'low', 'informational'].includes(metadata.severity));
    t.ok(metadata.remediation.console.length > 0, 'console steps');
    for (const step of metadata.remediation.console) t.ok(step.trim().length > 0, 'no empty step');
    t.match(metadata.remediation.cli, /\baws [a-z0-9-]+ [a-z0-9-]+/, 'an AWS CLI command');
    t.ok(metadata.references.length > 0, 'at least one reference');
    for (const reference of metadata.references)
      t.match(reference, /^https:\/\/docs\.aws\.amazon\.com\/\S+$/);
  });

  t.test(
    `${metadata.id}: evidence keys exist, and organization checks use only organization evidence`,
    async (t) => {
      t.ok(check.evidence.length > 0);
      for (const key of check.evidence) t.ok(Object.hasOwn(EVIDENCE_KEYS, key), `${key} is an evidence key`);
      if (metadata.scope === 'organization') {
        for (const key of check.evidence)
          t.ok((organizationEvidenceKeys as readonly string[]).includes(key), key);
      }
    },
  );

  t.test(`${metadata.id}: one outcome on the right resource for a well-configured member`, async (t) => {
    const checkContext = metadata.scope === 'organization' ? managementAccountContext() : context();
    const outcomes = check.evaluate(evidenceFor(), checkContext);
    t.equal(outcomes.length, 1);
    const resource =
      metadata.scope === 'organization'
        ? /^arn:aws:organizations::\d{12}:organization\/o-/
        : /^arn:aws:iam::111122223333:root$/;
    t.match(outcomes[0]?.resource, resource);
    t.not(outcomes[0]?.status, 'ERROR', outcomes[0]?.message ?? '');
  });
}

t.test('severities', async (t) => {
  const severity = (id: string) => getCheck(id)?.metadata.severity;
  t.equal(severity('root-mfa-enabled'), 'critical');
  t.equal(severity('root-no-access-keys'), 'critical');
  t.equal(severity('root-hardware-mfa'), 'high');
  t.equal(severity('root-not-recently-used'), 'high');
  t.equal(severity('scp-root-deny'), 'high');
});

t.test('a scan selects checks by id; none selected means all', async (t) => {
  t.equal(selectChecks(checks, []).length, checks.length);
  t.same(
    selectChecks(checks, ['root-mfa-enabled']).map((check) => check.metadata.id),
    ['root-mfa-enabled'],
  );
});
