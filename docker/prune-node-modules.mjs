#!/usr/bin/env node
// Run by docker/Dockerfile after `pnpm install --prod`, from the workspace root, with the names of
// packages production does not need:
//   node docker/prune-node-modules.mjs [--strip] [--prisma-client DIR] prisma typescript …
// It cuts every link to those names and deletes from node_modules/.pnpm each package that the
// workspace packages can then no longer reach. Why: the workspace has `prisma` and `typescript` as
// dev dependencies, so pnpm links them as the optional peer dependencies of @prisma/client and
// others, and `--prod` keeps them with all they pull in (the Prisma CLI, Prisma Studio, PGlite,
// React…): about half of node_modules, never loaded by the service. The embedded PostgreSQL
// binaries are only loaded when DATABASE_URL is unset, which the image does not support.
//
// Then, inside the packages that stay, files Node never loads:
// - --strip: TypeScript (*.ts, *.mts, *.cts: declarations, and sources Node never runs from
//   node_modules), dist-types/ and source maps (*.map) anywhere; and a package's own test, tests,
//   __tests__, docs, example(s), benchmark(s) and dist-es folders when its package.json (main,
//   exports, imports, bin) never points into them. dist-es/ is the ES-module copy of the AWS SDK and
//   Smithy packages: Node loads their `main`, dist-cjs/, and ignores `module`.
// - --prisma-client DIR: of @prisma/client's query compilers (one per database and build, 4–5 MB
//   each), all but those the generated client in DIR imports.
//
// Afterwards every remaining dependency link must resolve (links to the named packages are
// removed: their users treat them as absent), and every query compiler the generated client
// imports must be there; anything else fails the build, not the container.
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = process.cwd();
const store = join(root, 'node_modules', '.pnpm');
const { strip, prismaClient, names } = parseArguments(process.argv.slice(2));
const dropped = new Set(names);

function parseArguments(args) {
  const parsed = { strip: false, prismaClient: null, names: [] };
  for (let index = 0; index < args.length; index += 1) {
    if (args[index] === '--strip') parsed.strip = true;
    else if (args[index] === '--prisma-client' && args[index + 1]) parsed.prismaClient = args[++index];
    else if (args[index].startsWith('-')) {
      process.stderr.write(`prune-node-modules: unknown option ${args[index]}\n`);
      process.exit(2);
    } else parsed.names.push(args[index]);
  }
  return parsed;
}

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

/** The directory of every package left in the store (scoped ones included). */
function storePackages() {
  return readdirSync(store)
    .filter((id) => id !== 'node_modules' && id !== 'lock.yaml')
    .flatMap((id) =>
      entries(join(store, id, 'node_modules'))
        .filter(([, path]) => !lstatSync(path).isSymbolicLink())
        .map(([name, path]) => ({ name, path })),
    );
}

/** Every string a package.json field holds, nested objects and arrays included. */
function strings(value) {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** Deletes what `drop(path, isDirectory)` picks under dir, depth first; returns the bytes freed. */
function deleteUnder(dir, drop) {
  let freed = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (drop(path, entry.isDirectory(), entry.name)) {
      freed += size(path);
      rmSync(path, { recursive: true, force: true });
    } else if (entry.isDirectory() && entry.name !== 'node_modules') {
      freed += deleteUnder(path, drop);
    }
  }
  return freed;
}

function size(path) {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((total, name) => total + size(join(path, name)), 0);
}

const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const topLevelExtras = new Set([
  'dist-es',
  'test',
  'tests',
  '__tests__',
  'docs',
  'example',
  'examples',
  'benchmark',
  'benchmarks',
]);

if (strip) {
  let freed = 0;
  for (const { path } of storePackages()) {
    let manifest = {};
    try {
      manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
    } catch {
      // no manifest: nothing points anywhere
    }
    const targets = strings([manifest.main, manifest.exports, manifest.imports, manifest.bin]);
    const unused = (folder) =>
      !targets.some((target) => target.replace(/^\.\//, '').split('/')[0] === folder);
    freed += deleteUnder(
      path,
      (file, isDirectory, name) =>
        (isDirectory && name === 'dist-types') ||
        (isDirectory && file === join(path, name) && topLevelExtras.has(name) && unused(name)) ||
        (!isDirectory && /\.([cm]?ts|map)$/.test(name)),
    );
  }
  process.stderr.write(
    `prune-node-modules: --strip removed ${megabytes(freed)} of TypeScript, maps, tests, docs and dist-es\n`,
  );
}

if (prismaClient) {
  const generated = readdirSync(prismaClient, { recursive: true })
    .filter((file) => /\.[cm]?js$/.test(String(file)))
    .map((file) => readFileSync(join(prismaClient, String(file)), 'utf8'))
    .join('\n');
  const wanted = new Set(
    [...generated.matchAll(/@prisma\/client\/runtime\/(query_compiler_[\w.-]+?\.m?js)\b/g)].map(
      (match) => match[1],
    ),
  );
  if (wanted.size === 0) {
    process.stderr.write(`prune-node-modules: no query compiler is imported under ${prismaClient}\n`);
    process.exit(1);
  }
  let freed = 0;
  const missing = new Set(wanted);
  for (const { name, path } of storePackages()) {
    if (name !== '@prisma/client' || !existsSync(join(path, 'runtime'))) continue;
    freed += deleteUnder(join(path, 'runtime'), (_file, isDirectory, file) => {
      if (isDirectory || !file.startsWith('query_compiler_')) return false;
      if (wanted.has(file)) {
        missing.delete(file);
        return false;
      }
      return true;
    });
  }
  if (missing.size > 0) {
    process.stderr.write(
      `prune-node-modules: the generated client imports ${[...missing].join(', ')}, which @prisma/client lacks\n`,
    );
    process.exit(1);
  }
  process.stderr.write(
    `prune-node-modules: kept the query compiler files ${[...wanted].sort().join(', ')}; removed ${megabytes(freed)}\n`,
  );
}
