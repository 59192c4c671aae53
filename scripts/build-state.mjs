// Whether the compiled workspace (each package's dist/, written by `pnpm build`) is up to date with
// its sources, decided from file times alone so that `npm start` can ask on every run: a package is
// stale when it has no dist/ or when anything under src/ (a directory's time changes when a file in
// it is added or removed), its package.json or a TypeScript build setting is newer than the newest
// file of its dist/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The folders of pnpm-workspace.yaml's `- dir/*` entries that hold a package with a build script. */
export function buildablePackages(root) {
  let workspace;
  try {
    workspace = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  } catch {
    return [];
  }
  const packages = [];
  for (const [, parent] of workspace.matchAll(/^\s+-\s+["']?([\w.-]+)\/\*["']?\s*$/gm)) {
    let names;
    try {
      names = readdirSync(join(root, parent)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = `${parent}/${name}`;
      try {
        const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
        if (manifest.scripts?.build) packages.push(dir);
      } catch {
        // not a package
      }
    }
  }
  return packages;
}

/** The newest modification time (ms) of a file or of anything under a directory; 0 when absent. */
function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/**
 * The packages whose dist/ is missing or older than their sources, as
 * [{ dir: 'apps/cli', reason: 'not built' | 'changed' }], in workspace order.
 */
export function staleBuilds(root) {
  const shared = Math.max(
    newest(join(root, 'tsconfig.base.json')),
    newest(join(root, 'tsconfig.build.json')),
  );
  const stale = [];
  for (const dir of buildablePackages(root)) {
    const built = newest(join(root, dir, 'dist'));
    if (built === 0) {
      stale.push({ dir, reason: 'not built' });
      continue;
    }
    const sources = Math.max(
      shared,
      newest(join(root, dir, 'src')),
      newest(join(root, dir, 'package.json')),
      newest(join(root, dir, 'tsconfig.build.json')),
    );
    if (sources > built) stale.push({ dir, reason: 'changed' });
  }
  return stale;
}

/** One line for the log: what is built and why. */
export function describeStale(stale) {
  const missing = stale.filter((item) => item.reason === 'not built').map((item) => item.dir);
  const changed = stale.filter((item) => item.reason === 'changed').map((item) => item.dir);
  const parts = [];
  if (missing.length > 0) parts.push(`${list(missing)} not built yet`);
  if (changed.length > 0) parts.push(`${list(changed)} changed since the last build`);
  return parts.join('; ');
}

function list(dirs) {
  return dirs.length > 4 ? `${dirs.slice(0, 3).join(', ')} and ${dirs.length - 3} more` : dirs.join(', ');
}
