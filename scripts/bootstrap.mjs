#!/usr/bin/env node
// Makes a fresh clone runnable with nothing but Node (18 or newer) and npm: on a Node older than
// package.json's engines, fetches the pinned Node into .tools/ and runs everything under it (see
// node-runtime.mjs); fetches the pinned pnpm into .tools/ when none is on PATH, installs the
// workspace from the lockfile when it changed, generates the Prisma client and, with --build,
// compiles the workspace (`pnpm build`) when a package's dist/ is missing or older than its sources
// (see build-state.mjs). Quick when there is nothing to do, so `npm start` and `npm test` can
// always go through it.
// Usage: node scripts/bootstrap.mjs [--build] [pnpm arguments to run afterwards]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeStale, staleBuilds } from './build-state.mjs';
import { ensureSupportedNode, exitAs, runForwardingSignals } from './node-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = pkg.packageManager.replace(/^pnpm@/, '');
const toolsDir = join(root, '.tools');
const localPnpm = join(toolsDir, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');

function log(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
}

// First, before anything runs on it: from here on this process is a Node that package.json accepts.
await ensureSupportedNode({ root, log });

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    log(`failed: ${command} ${args.join(' ')} (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

/** The pnpm to use: the one on PATH when its version matches, else the pinned copy in .tools/. */
function pnpmCommand() {
  try {
    const onPath = execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (onPath === pnpmVersion) return { command: 'pnpm', prefix: [] };
  } catch {
    // not on PATH: fall through to the local copy
  }
  if (!existsSync(localPnpm)) {
    log(`installing pnpm ${pnpmVersion} into .tools/`);
    mkdirSync(toolsDir, { recursive: true });
    run('npm', [
      'install',
      '--prefix',
      toolsDir,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `pnpm@${pnpmVersion}`,
    ]);
  }
  return { command: process.execPath, prefix: [localPnpm] };
}

const pnpm = pnpmCommand();
// Later scripts (`pnpm run ...` inside package.json) find this pnpm through PATH.
const pnpmBinDir = pnpm.command === 'pnpm' ? null : join(toolsDir, 'node_modules', '.bin');
if (pnpmBinDir) process.env.PATH = `${pnpmBinDir}:${process.env.PATH}`;

const lockfile = join(root, 'pnpm-lock.yaml');
const stamp = join(root, 'node_modules', '.rootaudit-install-stamp');
const lockHash = createHash('sha256')
  .update(readFileSync(lockfile))
  .update(readFileSync(join(root, 'pnpm-workspace.yaml')))
  .digest('hex');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  log('installing dependencies from pnpm-lock.yaml');
  run(pnpm.command, [...pnpm.prefix, 'install', '--frozen-lockfile', '--reporter=append-only'], {
    env: { ...process.env, CI: 'true' },
  });
  writeFileSync(stamp, lockHash);
}

const schema = join(root, 'prisma', 'schema.prisma');
const generatedClient = join(root, 'packages', 'db', 'src', 'generated', 'prisma', 'client.ts');
const schemaStamp = join(root, 'packages', 'db', 'src', 'generated', '.schema-hash');
if (existsSync(schema)) {
  const schemaHash = createHash('sha256').update(readFileSync(schema)).digest('hex');
  if (
    !existsSync(generatedClient) ||
    !existsSync(schemaStamp) ||
    readFileSync(schemaStamp, 'utf8') !== schemaHash
  ) {
    log('generating the Prisma client');
    run(pnpm.command, [...pnpm.prefix, '--filter', '@rootaudit/db', 'run', 'generate']);
    writeFileSync(schemaStamp, schemaHash);
  }
}

const build = process.argv[2] === '--build';
const args = process.argv.slice(build ? 3 : 2);

// `npm start` runs the compiled code: build what is missing or stale (turbo rebuilds only those).
if (build) {
  const stale = staleBuilds(root);
  if (stale.length > 0) {
    log(`building the workspace (pnpm build): ${describeStale(stale)}`);
    // Its output only when it fails: the line above says what is happening.
    const result = spawnSync(pnpm.command, [...pnpm.prefix, 'build', '--output-logs=errors-only'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) {
      process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
      log(`failed: pnpm build (exit ${result.status ?? result.signal}); the output above says why`);
      process.exit(result.status ?? 1);
    }
  }
}

if (args.length > 0) {
  const outcome = await runForwardingSignals(pnpm.command, [...pnpm.prefix, ...args], {
    cwd: root,
    stdio: 'inherit',
  }).catch((error) => {
    log(`could not run ${pnpm.command}: ${error.message}`);
    process.exit(1);
  });
  exitAs(outcome);
}
