#!/usr/bin/env node
// `pnpm test:docker`: docker/compose.yaml run for real (test/docker/stack.docker.ts) under
// scripts/test.mjs, which ends with the tally line `N passed, N failed`. When no Docker engine can
// be used here, one line says why and it exits 0 with no tally: a machine without Docker is not a
// failure (.ci/run then counts nothing for it).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareDocker } from './engine.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (message) => process.stderr.write(`[test:docker] ${message}\n`);

const docker = await prepareDocker({ root, log });
if (!docker.ok) {
  process.stdout.write(`test:docker skipped: ${docker.reason}\n`);
  process.exit(0);
}
log(`Docker engine ${docker.engine}, Compose ${docker.compose}`);

// The stack test takes minutes (an image build, several `up`s): tap's 120 s per file is too short.
const child = spawn(
  process.execPath,
  [join(root, 'scripts/test.mjs'), '--timeout=1800', 'test/docker/stack.docker.ts'],
  { cwd: root, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('close', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
