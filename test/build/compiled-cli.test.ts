// What production runs: the CLI's bin on the compiled workspace (dist/), as `npm start` builds it
// (scripts/bootstrap.mjs --build) and the image holds it, with no TypeScript anywhere in the
// process: a module hook fails the process on any .ts module or anything of tsx, and Node's own type
// stripping is off. The other tests run the sources; this one proves the build runs on its own:
// a scan against the simulator, migrations (data files found from dist/), an API key and the API.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrganization, startSimulator } from '@rootaudit/aws-sim';
import t from 'tap';
import { type CommandOutcome, runCommand } from '../support/cli.ts';
import { emptyTestDatabase } from '../support/db.ts';
import { cliBin, repositoryRoot } from '../support/docker-files.ts';

// A cold build of the whole workspace takes a minute on a busy machine.
t.setTimeout(600_000);

const work = mkdtempSync(join(tmpdir(), 'rootaudit-compiled-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

/** Loaded by --import before the bin: any TypeScript module or tsx file stops the process. */
const guard = join(work, 'no-typescript.mjs');
writeFileSync(
  guard,
  `import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    const path = resolved.url.startsWith('file:') ? new URL(resolved.url).pathname : '';
    if (/\\.[cm]?ts$/.test(path) || /\\/node_modules\\/(\\.pnpm\\/tsx@[^/]+\\/node_modules\\/)?tsx\\//.test(path)) {
      throw new Error('the compiled CLI loaded ' + path);
    }
    return resolved;
  },
});
`,
);

/** The environment of a production process: nothing of the test run's. */
function productionEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env,
  };
}

/**
 * node, started through env(1) without NODE_OPTIONS: tap gives every child process its own
 * (its coverage loader and the test run's source condition) whatever environment it is given.
 */
const node = [
  '/usr/bin/env',
  '-u',
  'NODE_OPTIONS',
  '-u',
  'NODE_V8_COVERAGE',
  process.execPath,
  '--no-experimental-strip-types',
  '--import',
  guard,
];

function compiledRootaudit(args: string[], env: Record<string, string>): Promise<CommandOutcome> {
  return runCommand([...node, cliBin, ...args], productionEnv(env));
}

// What `npm start` does before `rootaudit start`: build what is missing or stale (quick when the
// build is current).
const built = await new Promise<CommandOutcome>((resolve) => {
  execFile(
    process.execPath,
    [join(repositoryRoot, 'scripts', 'bootstrap.mjs'), '--build'],
    { cwd: repositoryRoot, timeout: 540_000, maxBuffer: 64 * 1024 * 1024 },
    (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
  );
});

t.test('the bootstrap builds the workspace', async (t) => {
  t.equal(built.code, 0, built.stderr);
});

t.test('the guard itself: the bin run from the sources is stopped by it', async (t) => {
  const outcome = await runCommand(
    [...node, '--conditions=rootaudit-source', cliBin, '--help'],
    productionEnv({}),
  );
  t.not(outcome.code, 0);
  t.match(outcome.stderr, /the compiled CLI loaded \S+\.ts/);
});

t.test('rootaudit --help runs compiled', async (t) => {
  const outcome = await compiledRootaudit(['--help'], {});
  t.equal(outcome.code, 0, outcome.stderr);
  t.match(outcome.stdout, /^usage: rootaudit <command>/);
});

t.test('rootaudit scan of one account against the simulator runs compiled', async (t) => {
  const sim = await startSimulator({ model: loadOrganization() });
  t.teardown(() => sim.stop());
  const outcome = await compiledRootaudit(['scan', '--accounts', '444444444444', '--format', 'json'], {
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDCOMPILED',
    AWS_SECRET_ACCESS_KEY: 'compiled-test-secret',
    AWS_REGION: 'us-east-1',
    ROOTAUDIT_EXTERNAL_ID: 'rootaudit-sample-external-id',
    ROOTAUDIT_REGIONS: 'us-east-1',
  });
  t.equal(outcome.code, 0, outcome.stderr);
  const document = JSON.parse(outcome.stdout) as {
    scan: { status: string; accountsScanned: number };
    results: { accountId: string; status: string }[];
  };
  t.equal(document.scan.status, 'SUCCEEDED');
  t.equal(document.scan.accountsScanned, 1);
  t.ok(document.results.length > 0, 'results');
  t.ok(
    document.results.every((result) => result.accountId === '444444444444'),
    'of the account asked for',
  );
});

t.test(
  'rootaudit scan loads one bundled module, not the SDK and workspace packages one by one',
  async (t) => {
    // A module hook records every module the scan resolves (BENCHMARKS.md §6: the scan's start-up is
    // most of its time, and loading the SDK's small modules one by one was most of that).
    const recorder = join(work, 'record-modules.mjs');
    const record = join(work, 'modules.txt');
    writeFileSync(
      recorder,
      `import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    appendFileSync(${JSON.stringify(record)}, resolved.url + '\\n');
    return resolved;
  },
});
`,
    );
    const sim = await startSimulator({ model: loadOrganization() });
    t.teardown(() => sim.stop());
    const outcome = await runCommand(
      [...node, '--import', recorder, cliBin, 'scan', '--accounts', '444444444444', '--format', 'json'],
      productionEnv({
        AWS_ENDPOINT_URL: sim.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIDCOMPILED',
        AWS_SECRET_ACCESS_KEY: 'compiled-test-secret',
        AWS_REGION: 'us-east-1',
        ROOTAUDIT_EXTERNAL_ID: 'rootaudit-sample-external-id',
        ROOTAUDIT_REGIONS: 'us-east-1',
      }),
    );
    t.equal(outcome.code, 0, outcome.stderr);
    const modules = readFileSync(record, 'utf8').split('\n').filter(Boolean);
    t.ok(
      modules.some((url) => url.endsWith('/apps/cli/dist/commands/scan.js')),
      'the scan command was loaded',
    );
    const unbundled = modules.filter(
      (url) =>
        /\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?@(aws-sdk|smithy|rootaudit)\//.test(url) ||
        /\/packages\/[^/]+\/dist\//.test(url),
    );
    t.same(unbundled, [], 'no AWS SDK or workspace package module loaded on its own');
  },
);

t.test('migrate, api-key create and the API run compiled', async (t) => {
  const { url } = await emptyTestDatabase(t);
  const migrated = await compiledRootaudit(['migrate'], { DATABASE_URL: url });
  t.equal(migrated.code, 0, migrated.stderr);
  t.match(migrated.stderr, /migrations applied/, 'the migrations are found from dist/');

  const created = await compiledRootaudit(['api-key', 'create', '--name', 'compiled', '--scope', 'read'], {
    DATABASE_URL: url,
  });
  t.equal(created.code, 0, created.stderr);
  const key = created.stdout.trim();
  t.match(key, /^ra_/);

  const api: ChildProcess = spawn(node[0]!, [...node.slice(1), cliBin, 'start', '--role', 'api'], {
    cwd: repositoryRoot,
    env: productionEnv({ DATABASE_URL: url, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(api, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  t.teardown(() => {
    if (api.exitCode === null && api.signalCode === null) api.kill('SIGKILL');
  });
  let stderr = '';
  api.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // /readyz says `starting` until every role runs: wait for the API's address and that line.
  const listening = await new Promise<string>((resolve, reject) => {
    let pending = '';
    let url: string | undefined;
    api.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      for (const line of pending.split('\n').slice(0, -1)) {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'api listening' && entry.url) url = entry.url;
          if (entry.msg === 'all roles started' && url) resolve(url);
        } catch {
          // not a log line
        }
      }
      pending = pending.slice(pending.lastIndexOf('\n') + 1);
    });
    void exited.then(([code, signal]) => reject(new Error(`exited (${code ?? signal}): ${stderr}`)));
  });
  const ready = await fetch(new URL('/readyz', listening));
  t.equal(ready.status, 200);
  const accounts = await fetch(new URL('/v1/accounts', listening), {
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(accounts.status, 200, 'an authenticated request');
  const docs = await fetch(new URL('/docs/json', listening));
  t.equal(docs.status, 200, 'the OpenAPI document');
  api.kill('SIGTERM');
  const [code] = await exited;
  t.equal(code, 0, 'exits 0 on SIGTERM');
});

t.test('without a build the bin says what to run, in one line', async (t) => {
  const cli = join(work, 'cli');
  mkdirSync(join(cli, 'bin'), { recursive: true });
  copyFileSync(cliBin, join(cli, 'bin', 'rootaudit.mjs'));
  copyFileSync(join(repositoryRoot, 'apps', 'cli', 'package.json'), join(cli, 'package.json'));
  const outcome = await runCommand([...node, join(cli, 'bin', 'rootaudit.mjs'), 'scan'], productionEnv({}));
  t.equal(outcome.code, 1);
  t.equal(
    outcome.stderr,
    'rootaudit: the CLI is not built (apps/cli/dist is missing): run `pnpm build`, or `npm start`, which builds it\n',
  );
});
