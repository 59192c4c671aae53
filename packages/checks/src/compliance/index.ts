/**
 * Every framework version rootaudit reports on, checked when this module loads: a file naming a
 * check that does not exist, or a control twice, stops every process that imports the checks,
 * rather than showing a control no result can ever answer. A check's mappings (the catalog's
 * `compliance`) are derived from these files; checks carry none.
 */
import { checks } from '../catalog.ts';
import { awsFoundationalSecurityBestPractices_1_0_0 } from './aws-foundational-security-best-practices-1.0.0.ts';
import { cisAwsFoundationsBenchmark_1_4_0 } from './cis-aws-foundations-benchmark-1.4.0.ts';
import { cisAwsFoundationsBenchmark_1_5_0 } from './cis-aws-foundations-benchmark-1.5.0.ts';
import { cisAwsFoundationsBenchmark_2_0_0 } from './cis-aws-foundations-benchmark-2.0.0.ts';
import { cisAwsFoundationsBenchmark_3_0_0 } from './cis-aws-foundations-benchmark-3.0.0.ts';
import { cisAwsFoundationsBenchmark_4_0_0 } from './cis-aws-foundations-benchmark-4.0.0.ts';
import { cisAwsFoundationsBenchmark_5_0_0 } from './cis-aws-foundations-benchmark-5.0.0.ts';
import { cisAwsFoundationsBenchmark_6_0_0 } from './cis-aws-foundations-benchmark-6.0.0.ts';
import { cisAwsFoundationsBenchmark_7_0_0 } from './cis-aws-foundations-benchmark-7.0.0.ts';
import {
  FRAMEWORK_IDS,
  FRAMEWORK_NAMES,
  type FrameworkId,
  type FrameworkName,
  type FrameworkVersion,
} from './framework.ts';

export * from './framework.ts';

/** Every version file, in any order: they are grouped and ordered by version below. */
export const frameworkVersionFiles: readonly FrameworkVersion[] = [
  cisAwsFoundationsBenchmark_1_4_0,
  cisAwsFoundationsBenchmark_1_5_0,
  cisAwsFoundationsBenchmark_2_0_0,
  cisAwsFoundationsBenchmark_3_0_0,
  cisAwsFoundationsBenchmark_4_0_0,
  cisAwsFoundationsBenchmark_5_0_0,
  cisAwsFoundationsBenchmark_6_0_0,
  cisAwsFoundationsBenchmark_7_0_0,
  awsFoundationalSecurityBestPractices_1_0_0,
];

/** How each framework numbers its controls: CIS `1.5`, `2.1.1`; FSBP `IAM.9`. */
const CONTROL_ID: Record<FrameworkId, RegExp> = {
  'cis-aws-foundations-benchmark': /^\d+(\.\d+)+$/,
  'aws-foundational-security-best-practices': /^[A-Z][A-Za-z0-9]*\.\d+$/,
};

const VERSION = /^\d+\.\d+\.\d+$/;

/** What is wrong with these version files, one sentence per problem; empty when nothing is. */
export function frameworkProblems(files: readonly FrameworkVersion[], checkIds: readonly string[]): string[] {
  const problems: string[] = [];
  const known = new Set(checkIds);
  const seenVersions = new Set<string>();
  for (const file of files) {
    const where = `${file.framework} ${file.version}`;
    if (!(FRAMEWORK_IDS as readonly string[]).includes(file.framework)) {
      problems.push(`${where}: unknown framework; expected one of ${FRAMEWORK_IDS.join(', ')}`);
      continue;
    }
    if (!VERSION.test(file.version)) problems.push(`${where}: version is not major.minor.patch`);
    if (seenVersions.has(where)) problems.push(`${where}: the version is defined twice`);
    seenVersions.add(where);
    if (file.controls.length === 0) problems.push(`${where}: no controls`);
    const seenControls = new Set<string>();
    for (const control of file.controls) {
      const at = `${where} control ${control.id}`;
      if (!CONTROL_ID[file.framework].test(control.id))
        problems.push(`${at}: not a control id of this framework`);
      if (seenControls.has(control.id)) problems.push(`${at}: listed twice`);
      seenControls.add(control.id);
      if (control.title.trim() === '') problems.push(`${at}: no title`);
      if (control.checks.length === 0) problems.push(`${at}: no check evaluates it`);
      if (new Set(control.checks).size !== control.checks.length)
        problems.push(`${at}: a check is listed twice`);
      for (const checkId of control.checks) {
        if (!known.has(checkId)) problems.push(`${at}: no check "${checkId}"`);
      }
    }
  }
  return problems;
}

const problems = frameworkProblems(
  frameworkVersionFiles,
  checks.map((check) => check.metadata.id),
);
if (problems.length > 0) throw new Error(`invalid compliance framework files: ${problems.join('; ')}`);

/** Compares `major.minor.patch` versions numerically (10.0.0 after 9.0.0). */
function compareVersions(left: string, right: string): number {
  const a = left.split('.').map(Number);
  const b = right.split('.').map(Number);
  for (let index = 0; index < 3; index += 1) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export interface Framework {
  id: FrameworkId;
  name: FrameworkName;
  /** Oldest first; the last is the latest. */
  versions: readonly FrameworkVersion[];
}

export const frameworks: readonly Framework[] = FRAMEWORK_IDS.map((id) => ({
  id,
  name: FRAMEWORK_NAMES[id],
  versions: frameworkVersionFiles
    .filter((file) => file.framework === id)
    .sort((left, right) => compareVersions(left.version, right.version)),
}));

export function getFramework(id: string): Framework | undefined {
  return frameworks.find((framework) => framework.id === id);
}

export function latestVersion(framework: Framework): FrameworkVersion {
  // Validation guarantees every framework has at least one version file.
  return framework.versions.at(-1) as FrameworkVersion;
}

/** One control of one framework version that a check evaluates. */
export interface ComplianceMapping {
  framework: FrameworkName;
  /** Framework version, e.g. `1.4.0`, `5.0.0`. */
  version: string;
  /** Control id in that version, e.g. `1.5`, `IAM.9`. */
  control: string;
}

const mappingsByCheck = new Map<string, ComplianceMapping[]>();
for (const framework of frameworks) {
  for (const { version, controls } of framework.versions) {
    for (const control of controls) {
      for (const checkId of control.checks) {
        const mappings = mappingsByCheck.get(checkId) ?? [];
        mappings.push({ framework: framework.name, version, control: control.id });
        mappingsByCheck.set(checkId, mappings);
      }
    }
  }
}

/** The framework controls a check evaluates, by framework then oldest version first; [] when none. */
export function complianceOf(checkId: string): ComplianceMapping[] {
  return (mappingsByCheck.get(checkId) ?? []).map((mapping) => ({ ...mapping }));
}
