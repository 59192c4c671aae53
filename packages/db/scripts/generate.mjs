#!/usr/bin/env node
// `prisma generate` without Prisma's binary host: generate never runs the schema engine, it only
// checks that PRISMA_SCHEMA_ENGINE_BINARY names an existing file, so any file will do (node itself).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = join(packageDir, '..', '..', 'prisma', 'schema.prisma');
const prismaCli = createRequire(join(packageDir, 'package.json')).resolve('prisma/build/index.js');

const result = spawnSync(
  process.execPath,
  [prismaCli, 'generate', '--schema', schema, ...process.argv.slice(2)],
  {
    cwd: packageDir,
    stdio: ['ignore', process.stderr, 'inherit'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  },
);
process.exit(result.status ?? 1);
