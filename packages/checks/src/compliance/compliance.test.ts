import { readdir } from 'node:fs/promises';
import t from 'tap';
import { checks } from '../catalog.ts';
import {
  type ComplianceMapping,
  complianceOf,
  type FrameworkVersion,
  frameworkProblems,
  frameworks,
  frameworkVersionFiles,
  getFramework,
  latestVersion,
} from './index.ts';

const checkIds = checks.map((check) => check.metadata.id);

t.test('the framework files load without a problem', async (t) => {
  t.same(frameworkProblems(frameworkVersionFiles, checkIds), []);
});

t.test('one file per framework version, named for it, and every file is loaded', async (t) => {
  const files = (await readdir(import.meta.dirname)).filter(
    (name) =>
      name.endsWith('.ts') && !name.endsWith('.test.ts') && !['index.ts', 'framework.ts'].includes(name),
  );
  t.same(files.sort(), frameworkVersionFiles.map((file) => `${file.framework}-${file.version}.ts`).sort());
});

t.test('the frameworks and their versions, oldest first', async (t) => {
  t.same(
    frameworks.map((framework) => [framework.id, framework.name, framework.versions.map((v) => v.version)]),
    [
      [
        'cis-aws-foundations-benchmark',
        'CIS AWS Foundations Benchmark',
        ['1.4.0', '1.5.0', '2.0.0', '3.0.0', '4.0.0', '5.0.0', '6.0.0', '7.0.0'],
      ],
      ['aws-foundational-security-best-practices', 'AWS Foundational Security Best Practices', ['1.0.0']],
    ],
  );
  const cis = getFramework('cis-aws-foundations-benchmark');
  t.equal(cis && latestVersion(cis).version, '7.0.0');
  t.equal(getFramework('cis'), undefined);
});

const valid: FrameworkVersion = {
  framework: 'cis-aws-foundations-benchmark',
  version: '9.0.0',
  controls: [{ id: '1.1', title: 'A control', checks: ['root-mfa-enabled'] }],
};

t.test('a file naming a check that does not exist is refused', async (t) => {
  const file = { ...valid, controls: [{ id: '1.1', title: 'A control', checks: ['root-mfa-enable'] }] };
  t.same(frameworkProblems([file], checkIds), [
    'cis-aws-foundations-benchmark 9.0.0 control 1.1: no check "root-mfa-enable"',
  ]);
});

t.test('a control listed twice, a malformed id, no title or no check is refused', async (t) => {
  const file: FrameworkVersion = {
    ...valid,
    controls: [
      { id: '1.1', title: 'A control', checks: ['root-mfa-enabled'] },
      { id: '1.1', title: 'Again', checks: ['root-mfa-enabled', 'root-mfa-enabled'] },
      { id: 'IAM.9', title: ' ', checks: [] },
    ],
  };
  t.same(frameworkProblems([file], checkIds), [
    'cis-aws-foundations-benchmark 9.0.0 control 1.1: listed twice',
    'cis-aws-foundations-benchmark 9.0.0 control 1.1: a check is listed twice',
    'cis-aws-foundations-benchmark 9.0.0 control IAM.9: not a control id of this framework',
    'cis-aws-foundations-benchmark 9.0.0 control IAM.9: no title',
    'cis-aws-foundations-benchmark 9.0.0 control IAM.9: no check evaluates it',
  ]);
  const fsbp: FrameworkVersion = {
    framework: 'aws-foundational-security-best-practices',
    version: '1.0.0',
    controls: [{ id: '1.5', title: 'A control', checks: ['root-mfa-enabled'] }],
  };
  t.same(frameworkProblems([fsbp], checkIds), [
    'aws-foundational-security-best-practices 1.0.0 control 1.5: not a control id of this framework',
  ]);
});

t.test('a version defined twice, a malformed version or an unknown framework is refused', async (t) => {
  t.same(frameworkProblems([valid, valid], checkIds), [
    'cis-aws-foundations-benchmark 9.0.0: the version is defined twice',
  ]);
  t.same(frameworkProblems([{ ...valid, version: '9.0' }], checkIds), [
    'cis-aws-foundations-benchmark 9.0: version is not major.minor.patch',
  ]);
  t.same(frameworkProblems([{ ...valid, controls: [] }], checkIds), [
    'cis-aws-foundations-benchmark 9.0.0: no controls',
  ]);
  const unknown = { ...valid, framework: 'iso-27001' } as unknown as FrameworkVersion;
  t.same(frameworkProblems([unknown], checkIds), [
    'iso-27001 9.0.0: unknown framework; expected one of cis-aws-foundations-benchmark, aws-foundational-security-best-practices',
  ]);
});

for (const check of checks) {
  const { id } = check.metadata;
  t.test(`${id}: each mapping names a version and a control of its framework, once`, async (t) => {
    const mappings: ComplianceMapping[] = complianceOf(id);
    for (const mapping of mappings) {
      const framework = frameworks.find((candidate) => candidate.name === mapping.framework);
      const version = framework?.versions.find((candidate) => candidate.version === mapping.version);
      t.ok(
        version?.controls.some((control) => control.id === mapping.control && control.checks.includes(id)),
        `${mapping.framework} ${mapping.version} ${mapping.control}`,
      );
      if (mapping.framework === 'CIS AWS Foundations Benchmark') t.match(mapping.control, /^\d+(\.\d+)+$/);
      else t.match(mapping.control, /^[A-Za-z]+\.\d+$/);
    }
    const keys = mappings.map((m) => `${m.framework}|${m.version}|${m.control}`);
    t.equal(new Set(keys).size, keys.length, 'no duplicate mapping');
  });
}

t.test('complianceOf: a copy per call, [] for a check no framework names', async (t) => {
  const first = complianceOf('root-mfa-enabled');
  first.pop();
  t.not(complianceOf('root-mfa-enabled').length, first.length);
  t.same(complianceOf('account-email-domain'), []);
  t.same(complianceOf('no-such-check'), []);
});

/**
 * SPEC §2 mappings table, spelled out, so a typo in a framework file fails here. Three corrections
 * against the frameworks themselves: FSBP holds neither IAM.9 nor CloudWatch.1 (Security Hub runs
 * them for its CIS, PCI DSS and NIST standards only), and the root-use control that
 * root-signin-activity evaluates in CIS 1.4.0 to 4.0.0 (1.7) is the same one renumbered in 5.0.0
 * (1.6), 6.0.0 (2.6) and 7.0.0 (2.7).
 */
t.test('compliance mappings are exactly those of SPEC §2, corrected against the frameworks', async (t) => {
  const cis = (control: string, versions: string[]) => versions.map((version) => `CIS ${version} ${control}`);
  const v14to40 = ['1.4.0', '1.5.0', '2.0.0', '3.0.0', '4.0.0'];
  const v14to50 = [...v14to40, '5.0.0'];
  const expected: Record<string, string[]> = {
    'root-mfa-enabled': [...cis('1.5', v14to40), 'CIS 5.0.0 1.4', 'CIS 6.0.0 2.4', 'CIS 7.0.0 2.5'],
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
    'root-signin-activity': [...cis('1.7', v14to40), 'CIS 5.0.0 1.6', 'CIS 6.0.0 2.6', 'CIS 7.0.0 2.7'],
    'cloudtrail-multi-region': [
      ...cis('3.1', v14to50),
      'CIS 6.0.0 4.1',
      'CIS 7.0.0 4.1',
      'FSBP CloudTrail.1',
    ],
    'root-usage-metric-alarm': [...cis('4.3', v14to50), 'CIS 6.0.0 5.3', 'CIS 7.0.0 5.3'],
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
    const actual = complianceOf(check.metadata.id).map((m) =>
      m.framework === 'CIS AWS Foundations Benchmark' ? `CIS ${m.version} ${m.control}` : `FSBP ${m.control}`,
    );
    t.same([...actual].sort(), [...(expected[check.metadata.id] ?? ['missing'])].sort(), check.metadata.id);
  }
});
