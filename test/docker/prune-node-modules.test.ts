// docker/prune-node-modules.mjs, which the image build runs after `pnpm install --prod`, on a small
// pnpm layout made here: what production reaches stays, what only a dropped name reached goes, and
// a link it would break fails the run.
import { execFile } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import t from 'tap';
import { dockerDir } from '../support/docker-files.ts';

const script = join(dockerDir, 'prune-node-modules.mjs');

/**
 * A workspace with one package, `app`, depending on `keep` (which depends on `@scope/dep` and has
 * the optional peer `peer`, itself depending on `peer-only`), plus pnpm's hoisting fallback links.
 */
function makeWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'rootaudit-prune-'));
  const store = join(root, 'node_modules', '.pnpm');
  const write = (path: string, text: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };
  const link = (from: string, to: string) => {
    mkdirSync(dirname(from), { recursive: true });
    symlinkSync(relative(dirname(from), to), from);
  };
  const storePackage = (id: string, name: string, manifest: Record<string, unknown> = {}) => {
    const dir = join(store, id, 'node_modules', name);
    write(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...manifest }));
    return dir;
  };
  write(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
  write(join(root, 'package.json'), '{"name":"root","private":true}');
  write(join(root, 'packages', 'app', 'package.json'), '{"name":"app","dependencies":{"keep":"1.0.0"}}');
  const keep = storePackage('keep@1.0.0', 'keep', { peerDependenciesMeta: { peer: { optional: true } } });
  const dep = storePackage('@scope+dep@1.0.0', '@scope/dep');
  const peer = storePackage('peer@1.0.0', 'peer');
  const peerOnly = storePackage('peer-only@1.0.0', 'peer-only');
  link(join(root, 'packages', 'app', 'node_modules', 'keep'), keep);
  link(join(store, 'keep@1.0.0', 'node_modules', '@scope', 'dep'), dep);
  link(join(store, 'keep@1.0.0', 'node_modules', 'peer'), peer);
  link(join(store, 'peer@1.0.0', 'node_modules', 'peer-only'), peerOnly);
  link(join(store, 'node_modules', 'peer-only'), peerOnly);
  link(join(store, 'node_modules', 'keep'), keep);
  return root;
}

function prune(cwd: string, names: string[]) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    execFile(process.execPath, [script, ...names], { cwd }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
    });
  });
}

t.test('packages only a dropped name reached are deleted, with the links to them', async (t) => {
  const root = makeWorkspace();
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const store = join(root, 'node_modules', '.pnpm');
  const outcome = await prune(root, ['peer']);
  t.equal(outcome.code, 0, 'exits 0', { stderr: outcome.stderr });
  t.match(outcome.stderr, /removed 2 packages unreachable without peer/);
  t.ok(existsSync(join(store, 'keep@1.0.0')), 'a dependency of the workspace stays');
  t.ok(existsSync(join(store, '@scope+dep@1.0.0')), 'a scoped dependency of it stays');
  t.ok(existsSync(join(root, 'packages', 'app', 'node_modules', 'keep', 'package.json')), 'still resolves');
  t.notOk(existsSync(join(store, 'peer@1.0.0')), 'the dropped package is gone');
  t.notOk(existsSync(join(store, 'peer-only@1.0.0')), 'and what only it needed');
  const isLink = (path: string) => {
    try {
      return lstatSync(path).isSymbolicLink();
    } catch {
      return false;
    }
  };
  t.notOk(isLink(join(store, 'keep@1.0.0', 'node_modules', 'peer')), 'the link to the dropped name is gone');
  t.notOk(isLink(join(store, 'node_modules', 'peer-only')), 'the hoisting fallback link is gone');
  t.ok(isLink(join(store, 'node_modules', 'keep')), 'a fallback link that still resolves stays');
});

t.test('nothing dropped: nothing reachable is deleted', async (t) => {
  const root = makeWorkspace();
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const outcome = await prune(root, []);
  t.equal(outcome.code, 0, 'exits 0', { stderr: outcome.stderr });
  t.match(outcome.stderr, /removed 0 packages/);
  t.ok(existsSync(join(root, 'node_modules', '.pnpm', 'peer-only@1.0.0')));
});

t.test('a dependency link left without its package fails the run', async (t) => {
  const root = makeWorkspace();
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  rmSync(join(root, 'node_modules', '.pnpm', '@scope+dep@1.0.0'), { recursive: true });
  const outcome = await prune(root, ['peer']);
  t.equal(outcome.code, 1);
  t.match(
    outcome.stderr,
    /these links lost their package:\n {2}node_modules\/\.pnpm\/keep@1\.0\.0\/node_modules\/@scope\/dep/,
  );
});

/** Writes a file, its folders first. */
function put(path: string, text = 'x') {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

t.test('--strip removes what Node never loads and keeps what a package points to', async (t) => {
  const root = makeWorkspace();
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const keep = join(root, 'node_modules', '.pnpm', 'keep@1.0.0', 'node_modules', 'keep');
  writeFileSync(
    join(keep, 'package.json'),
    JSON.stringify({
      name: 'keep',
      version: '1.0.0',
      main: './dist-cjs/index.js',
      module: './dist-es/index.js',
    }),
  );
  for (const file of [
    'dist-cjs/index.js',
    'dist-cjs/index.d.ts',
    'dist-cjs/index.js.map',
    'dist-es/index.js',
    'dist-types/index.d.ts',
    'src/index.ts',
    'lib/types.d.mts',
    'lib/helper.cjs',
    'test/index.test.js',
    'docs/guide.html',
    'examples/one.js',
    'README.md',
  ])
    put(join(keep, file));
  // A package whose exports point into its test folder keeps it: someone loads it.
  const dep = join(root, 'node_modules', '.pnpm', '@scope+dep@1.0.0', 'node_modules', '@scope', 'dep');
  writeFileSync(
    join(dep, 'package.json'),
    JSON.stringify({
      name: '@scope/dep',
      exports: { '.': './dist-es/index.js', './fixtures': './test/data.js' },
    }),
  );
  put(join(dep, 'dist-es', 'index.js'));
  put(join(dep, 'test', 'data.js'));

  const outcome = await prune(root, ['--strip', 'peer']);
  t.equal(outcome.code, 0, 'exits 0', { stderr: outcome.stderr });
  t.match(outcome.stderr, /--strip removed [\d.]+ MB/);
  const left = (path: string) => existsSync(join(keep, path));
  t.ok(left('dist-cjs/index.js'), 'the code main points to');
  t.ok(left('lib/helper.cjs'));
  t.ok(left('README.md'));
  t.ok(left('package.json'));
  for (const gone of [
    'dist-cjs/index.d.ts',
    'dist-cjs/index.js.map',
    'dist-es',
    'dist-types',
    'src/index.ts',
    'lib/types.d.mts',
    'test',
    'docs',
    'examples',
  ])
    t.notOk(left(gone), `${gone} is gone`);
  t.ok(existsSync(join(dep, 'dist-es', 'index.js')), 'dist-es that exports point to stays');
  t.ok(existsSync(join(dep, 'test', 'data.js')), 'a test folder that exports point to stays');
  t.ok(existsSync(join(root, 'packages', 'app', 'node_modules', 'keep', 'package.json')), 'still resolves');
});

/** @prisma/client with every query compiler, and a generated client under packages/db. */
function withPrismaClient(root: string, generated: string) {
  const store = join(root, 'node_modules', '.pnpm');
  const client = join(store, '@prisma+client@7.10.0', 'node_modules', '@prisma', 'client');
  put(join(client, 'package.json'), JSON.stringify({ name: '@prisma/client', version: '7.10.0' }));
  put(join(client, 'runtime', 'client.js'));
  for (const database of ['postgresql', 'mysql', 'sqlite']) {
    for (const build of ['fast', 'small']) {
      for (const suffix of ['.js', '.mjs', '.wasm-base64.js', '.wasm-base64.mjs'])
        put(join(client, 'runtime', `query_compiler_${build}_bg.${database}${suffix}`));
    }
  }
  const link = join(root, 'packages', 'app', 'node_modules', '@prisma', 'client');
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), client), link);
  put(join(root, 'packages', 'db', 'dist', 'generated', 'prisma', 'internal', 'class.js'), generated);
  return join(client, 'runtime');
}

t.test('--prisma-client keeps only the query compiler the generated client imports', async (t) => {
  const root = makeWorkspace();
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const runtime = withPrismaClient(
    root,
    [
      'getRuntime: async () => await import("@prisma/client/runtime/query_compiler_fast_bg.postgresql.mjs"),',
      'const { wasm } = await import("@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64.mjs")',
    ].join('\n'),
  );
  const outcome = await prune(root, ['--prisma-client', 'packages/db/dist/generated/prisma', 'peer']);
  t.equal(outcome.code, 0, 'exits 0', { stderr: outcome.stderr });
  t.same(readdirSync(runtime).sort(), [
    'client.js',
    'query_compiler_fast_bg.postgresql.mjs',
    'query_compiler_fast_bg.postgresql.wasm-base64.mjs',
  ]);
  t.match(outcome.stderr, /kept the query compiler files query_compiler_fast_bg\.postgresql\.mjs, /);
});

t.test('--prisma-client fails the build when what the client imports is missing', async (t) => {
  const root = makeWorkspace();
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  withPrismaClient(root, 'import("@prisma/client/runtime/query_compiler_fast_bg.cockroachdb.mjs")');
  const outcome = await prune(root, ['--prisma-client', 'packages/db/dist/generated/prisma', 'peer']);
  t.equal(outcome.code, 1);
  t.match(outcome.stderr, /imports query_compiler_fast_bg\.cockroachdb\.mjs, which @prisma\/client lacks/);

  const none = makeWorkspace();
  t.teardown(() => rmSync(none, { recursive: true, force: true }));
  withPrismaClient(none, 'export {};');
  const nothing = await prune(none, ['--prisma-client', 'packages/db/dist/generated/prisma', 'peer']);
  t.equal(nothing.code, 1, 'a client that names no compiler is a mistake, not "keep nothing"');
  t.match(nothing.stderr, /no query compiler is imported/);
});
