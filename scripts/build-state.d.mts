// Types of build-state.mjs, which stays plain JavaScript so that the bootstrap can run it.

export interface StaleBuild {
  /** The package folder, relative to the workspace root: `apps/cli`. */
  dir: string;
  reason: 'not built' | 'changed';
}

export function buildablePackages(root: string): string[];
export function staleBuilds(root: string): StaleBuild[];
export function describeStale(stale: readonly StaleBuild[]): string;
