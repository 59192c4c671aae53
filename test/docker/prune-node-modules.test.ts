// docker/prune-node-modules.mjs, which the image build runs after `pnpm install --prod`, on a small
// pnpm layout made here: what production reaches stays, what only a dropped name reached goes, and
// a link it would break fails the run.
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
