#!/usr/bin/env node
// The whole test suite (root `pnpm test:all`): starts one embedded PostgreSQL for the run unless
// TEST_DATABASE_URL or DATABASE_URL names a server, runs tap (the root .taprc has the include
// globs; extra arguments go to tap, a folder standing for the test files under it), stops
// PostgreSQL whatever happens, and ends with one line `N passed, N failed` (`, N skipped` when some
// were), taken from tap's own summary. Exits non-zero when a test failed or tap did.
//
// Test files get their own databases from test/support/db.ts, which finds this server through
// ROOTAUDIT_TEST_PG_URL.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSupportedNode } from './node-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (message) => process.stderr.write(`[test] ${message}\n`);

// Tests run on the Node rootaudit runs on: on an older one, this script runs again under the
// pinned Node of .tools/ (fetched once), and tap with it (tap is spawned with process.execPath).
await ensureSupportedNode({ root, log });

// tap runs every script in a folder named on its command line, not only the tests (apps/api would
// start its real server from main.ts and hang): a folder stands for the test files under it.
const tapArgs = process.argv
  .slice(2)
  .map((arg) =>
    !arg.startsWith('-') && statSync(resolve(root, arg), { throwIfNoEntry: false })?.isDirectory()
      ? `${arg.replace(/\/+$/, '')}/**/*.test.ts`
      : arg,
  );

let stopServer = async () => {};
// Tests run the TypeScript sources: the workspace packages resolve to src/ under this condition
// (their package.json exports), in tap's test processes (.taprc node-arg) and in every process
// they start with this environment.
const env = { ...process.env };
env.NODE_OPTIONS = withSourceCondition(env.NODE_OPTIONS);
if (!process.env.TEST_DATABASE_URL && !process.env.DATABASE_URL) {
  const { tsImport } = await import('tsx/esm/api');
  const { startTemporaryPostgres } = await tsImport('../packages/db/src/embedded.ts', import.meta.url);
  const started = Date.now();
  const server = await startTemporaryPostgres({
    // Tests provoke server ERRORs on purpose (unique violations, dropped databases): keep only
    // our own notes and what means the server is in trouble.
    logger: (line) => {
      if (!line.startsWith('postgres:') || /\b(PANIC|FATAL)\b(?!.*administrator command)/.test(line))
        log(line);
    },
  });
  log(`embedded PostgreSQL ready in ${Date.now() - started} ms on port ${server.port}`);
  env.ROOTAUDIT_TEST_PG_URL = server.url;
  stopServer = () => server.stop();
} else {
  log('using the PostgreSQL server of TEST_DATABASE_URL/DATABASE_URL');
}

const tapBin = join(
  dirname(createRequire(join(root, 'package.json')).resolve('tap/package.json')),
  'dist/esm/run.mjs',
);
let summary;
let exitCode = 1;
try {
  exitCode = await new Promise((resolve) => {
    const child = spawn(process.execPath, [tapBin, ...tapArgs], {
      cwd: root,
      env,
      stdio: ['inherit', 'pipe', 'inherit'],
    });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) summary = parseSummary(line) ?? summary;
    });
    child.on('close', (code, signal) => {
      summary = parseSummary(pending) ?? summary;
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 : 1));
    });
    child.on('error', (error) => {
      log(`could not run tap: ${error.message}`);
      resolve(1);
    });
  });
} finally {
  await stopServer().catch((error) => log(`stopping PostgreSQL failed: ${error.message}`));
}

if (!summary) {
  log(`tap printed no summary (exit ${exitCode}): no tally`);
  process.exit(exitCode === 0 ? 1 : exitCode);
}
const skipped = summary.skip + summary.todo;
const tally = `${summary.pass} passed, ${summary.fail} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
process.stdout.write(`${tally}\n`);
process.exit(summary.fail > 0 && exitCode === 0 ? 1 : exitCode);

/** tap's closing line: `# { total: 45, pass: 44, fail: 1, skip: 0, todo: 0 }` (absent keys are 0). */
function parseSummary(line) {
  const match = /^# \{ (total: \d+.*) \}\s*$/.exec(line.trim());
  if (!match) return undefined;
  const counts = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 };
  for (const part of match[1].split(',')) {
    const [key, value] = part.split(':').map((text) => text.trim());
    if (key in counts) counts[key] = Number(value);
  }
  return counts;
}

function withSourceCondition(nodeOptions = '') {
  const condition = '--conditions=rootaudit-source';
  return nodeOptions.split(/\s+/).includes(condition) ? nodeOptions : `${nodeOptions} ${condition}`.trim();
}
