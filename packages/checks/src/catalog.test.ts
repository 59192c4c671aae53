import t from 'tap';
import { accountChecks, checks, getCheck, organizationChecks } from './catalog.ts';
import { CIS_VERSIONS } from './checks/compliance.ts';
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
    for (const mapping of metadata.compliance) {
      if (mapping.framework === 'CIS AWS Foundations Benchmark') {
        t.ok((CIS_VERSIONS as readonly string[]).includes(mapping.version), `CIS ${mapping.version}`);
        t.match(mapping.control, /^\d+(\.\d+)+$/);
      } else {
        t.match(mapping.control, /^[A-Za-z]+\.\d+$/);
      }
    }
    const mappings = metadata.compliance.map((m) => `${m.framework}|${m.version}|${m.control}`);
    t.equal(new Set(mappings).size, mappings.length, 'no duplicate mapping');
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

/** SPEC §2 mappings table, spelled out, so a typo in a check's metadata fails here. */
t.test('compliance mappings are exactly those of SPEC §2', async (t) => {
  const cis = (control: string, versions: string[]) => versions.map((version) => `CIS ${version} ${control}`);
  const v14to40 = ['1.4.0', '2.0.0', '3.0.0', '4.0.0'];
  const v14to50 = [...v14to40, '5.0.0'];
  const expected: Record<string, string[]> = {
    'root-mfa-enabled': [
      ...cis('1.5', v14to40),
      'CIS 5.0.0 1.4',
      'CIS 6.0.0 2.4',
      'CIS 7.0.0 2.5',
      'FSBP IAM.9',
    ],
    'root-hardware-mfa': [
      ...cis('1.6', v14to40),
      'CIS 5.0.0 1.5',
      'CIS 6.0.0 2.5',
      'CIS 7.0.0 2.6',
      'FSBP IAM.6',
    ],
    'root-no-access-keys': [
      ...cis('1.4', v14to40),
      'CIS 5.0.0 1.3',
      'CIS 6.0.0 2.3',
      'CIS 7.0.0 2.4',
      'FSBP IAM.4',
    ],
    'root-access-key-rotated': [],
    'root-no-signing-certificates': [],
    'root-not-recently-used': [...cis('1.7', v14to40), 'CIS 5.0.0 1.6', 'CIS 6.0.0 2.6', 'CIS 7.0.0 2.7'],
    'root-signin-activity': cis('1.7', v14to40),
    'cloudtrail-multi-region': [
      ...cis('3.1', v14to50),
      'CIS 6.0.0 4.1',
      'CIS 7.0.0 4.1',
      'FSBP CloudTrail.1',
    ],
    'root-usage-metric-alarm': [
      ...cis('4.3', v14to50),
      'CIS 6.0.0 5.3',
      'CIS 7.0.0 5.3',
      'FSBP CloudWatch.1',
    ],
    'root-activity-alerting': [],
    'guardduty-enabled': ['FSBP GuardDuty.1'],
    'security-contact-registered': [
      ...cis('1.2', v14to50),
      'CIS 6.0.0 2.2',
      'CIS 7.0.0 2.3',
      'FSBP Account.1',
    ],
    'alternate-contacts-registered': [...cis('1.1', v14to50), 'CIS 6.0.0 2.1', 'CIS 7.0.0 2.2'],
    'account-email-domain': [],
    'scp-root-deny': ['CIS 7.0.0 2.1.2'],
    'root-credentials-absent': [],
    'org-all-features': [],
    'org-root-credentials-management': ['CIS 7.0.0 2.1.1'],
    'org-root-sessions': [],
  };
  for (const check of checks) {
    const actual = check.metadata.compliance.map((m) =>
      m.framework === 'CIS AWS Foundations Benchmark' ? `CIS ${m.version} ${m.control}` : `FSBP ${m.control}`,
    );
    t.same([...actual].sort(), [...(expected[check.metadata.id] ?? ['missing'])].sort(), check.metadata.id);
  }
});

t.test('severities', async (t) => {
  const severity = (id: string) => getCheck(id)?.metadata.severity;
  t.equal(severity('root-mfa-enabled'), 'critical');
  t.equal(severity('root-no-access-keys'), 'critical');
  t.equal(severity('root-hardware-mfa'), 'high');
  t.equal(severity('root-not-recently-used'), 'high');
  t.equal(severity('scp-root-deny'), 'high');
});
