// Types of node-runtime.mjs, which stays plain JavaScript so that any Node can run it.

export interface NodeRequirement {
  /** From engines.node (`>=22`, `>=22.12`), as written there. */
  minimum: string;
  /** From rootaudit.node: the exact release fetched when the Node at hand is older. */
  pinned: string;
}

export type NodeChoice =
  | { use: 'running' }
  | { use: 'pinned'; version: string; packageName: string }
  | { use: 'none'; problem: string };

export function nodePackageFor(platform: string, arch: string): string | undefined;
export function nodeRequirement(packageJson: {
  engines?: { node?: string };
  rootaudit?: { node?: string };
}): NodeRequirement;
export function atLeast(version: string, minimum: string): boolean;
export function chooseNode(facts: {
  running: string;
  minimum: string;
  pinned: string;
  platform: string;
  arch: string;
}): NodeChoice;
export function pinnedNodePaths(
  toolsDir: string,
  version: string,
  packageName: string,
): { home: string; binDir: string; binary: string };
export function ensureSupportedNode(options: { root: string; log: (message: string) => void }): Promise<void>;
export function runForwardingSignals(
  command: string,
  args: readonly string[],
  options: import('node:child_process').SpawnOptions,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
export function exitAs(outcome: { code: number | null; signal: NodeJS.Signals | null }): never;
