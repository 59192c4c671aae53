/**
 * A compliance framework version as data: the controls of that version that rootaudit's checks
 * evaluate, each with its id and title as the framework names them. One file per version, so a new
 * benchmark version is one new file and no check changes.
 */

/** Ids as Security Hub names the standards in their ARNs (`…:standards/<id>/v/<version>`). */
export const FRAMEWORK_IDS = [
  'cis-aws-foundations-benchmark',
  'aws-foundational-security-best-practices',
] as const;
export type FrameworkId = (typeof FRAMEWORK_IDS)[number];

export const FRAMEWORK_NAMES = {
  'cis-aws-foundations-benchmark': 'CIS AWS Foundations Benchmark',
  'aws-foundational-security-best-practices': 'AWS Foundational Security Best Practices',
} as const satisfies Record<FrameworkId, string>;
export type FrameworkName = (typeof FRAMEWORK_NAMES)[FrameworkId];

export interface FrameworkControl {
  /** The control id in this version, e.g. `1.5` (CIS) or `IAM.6` (FSBP). */
  id: string;
  /** The control's title as the framework words it. */
  title: string;
  /** Ids of the checks that evaluate the control. */
  checks: readonly string[];
}

export interface FrameworkVersion {
  framework: FrameworkId;
  /** `major.minor.patch`, e.g. `5.0.0`. */
  version: string;
  controls: readonly FrameworkControl[];
}

/** Declares one version's file; the shape is checked again at load (see index.ts). */
export function defineFrameworkVersion(version: FrameworkVersion): FrameworkVersion {
  return version;
}
