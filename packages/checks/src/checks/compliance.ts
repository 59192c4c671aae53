/** Compliance mappings as data: CIS AWS Foundations Benchmark versions and FSBP control ids. */
import type { ComplianceMapping } from '../check.ts';

export const CIS_VERSIONS = ['1.4.0', '2.0.0', '3.0.0', '4.0.0', '5.0.0', '6.0.0', '7.0.0'] as const;
export type CisVersion = (typeof CIS_VERSIONS)[number];

/** One CIS control id across the benchmark versions that number it so: `cis({ '1.5': ['1.4.0', …] })`. */
export function cis(controls: Record<string, readonly CisVersion[]>): ComplianceMapping[] {
  return Object.entries(controls).flatMap(([control, versions]) =>
    versions.map((version) => ({ framework: 'CIS AWS Foundations Benchmark' as const, version, control })),
  );
}

/** CIS versions from `from` to `to`, both included. */
export function cisVersions(from: CisVersion, to: CisVersion = from): CisVersion[] {
  return CIS_VERSIONS.slice(CIS_VERSIONS.indexOf(from), CIS_VERSIONS.indexOf(to) + 1);
}

/** AWS Foundational Security Best Practices v1.0.0 control, e.g. `IAM.9`. */
export function fsbp(control: string): ComplianceMapping {
  return { framework: 'AWS Foundational Security Best Practices', version: '1.0.0', control };
}
