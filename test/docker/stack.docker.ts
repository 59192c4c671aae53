/**
 * docker/compose.yaml run for real, as the README tells a user to (run by `pnpm test:docker`, that is
 * test/docker/run.mjs, and by .ci/run when a Docker engine can be used; not part of `npm test`):
 * builds the image, brings the stack up with `up -d --wait`, creates an API key with `exec`, scans
 * the simulator's sample organization (the simulator runs on the host, reached from the containers
 * as host.docker.internal), restarts the worker mid-scan and checks the scan completes with one
 * record per account, then brings the stack down and up again and finds the data kept.
 *
 * Each run is its own Compose project (containers, network and volume named after it), removed at
 * the end whatever happens, with its own docker/.env (--env-file: a developer's docker/.env is not
 * read) and its own HOME (nothing may be created in it). ROOTAUDIT_DOCKER_IMAGE=<tag> skips the
 * build and runs that image instead (to work on this test without rebuilding).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrganization, type Simulator, startSimulator } from '@rootaudit/aws-sim';
import t, { type Test } from 'tap';
import { repositoryRoot } from '../support/docker-files.ts';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeout = 120_000): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: repositoryRoot, env, timeout, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          stdout,
          stderr,
          ms: Date.now() - started,
        }),
    );
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const note = (line: string) => process.stderr.write(`[stack] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const testStarted = Date.now();
const timings: Record<string, string> = {};
const composeFile = join(repositoryRoot, 'docker', 'compose.yaml');
const project = `rootaudit-test-${Date.now().toString(36)}-${process.pid}`;
const image = process.env.ROOTAUDIT_DOCKER_IMAGE ?? 'rootaudit:compose-test';
const work = mkdtempSync(join(tmpdir(), 'rootaudit-stack-'));
const home = join(work, 'home');
const envFile = join(work, 'env');
// BuildKit fetches the frontend a `# syntax=` line names (from a registry); the classic builder
// ignores the line.
const syntaxLine = /^#\s*syntax=/m.test(readFileSync(join(repositoryRoot, 'docker', 'Dockerfile'), 'utf8'));
const dockerEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH ?? '',
  HOME: home,
  DOCKER_CONFIG: process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'),
  ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  ...(syntaxLine ? { DOCKER_BUILDKIT: '0' } : {}),
};
const docker = (args: string[], timeout?: number) => run('docker', args, dockerEnv, timeout);
const compose = (args: string[], timeout?: number) =>
  docker(['compose', '-p', project, '-f', composeFile, '--env-file', envFile, ...args], timeout);

/** The answer of a command that must succeed: its stdout (the test fails with its stderr otherwise). */
async function must(what: string, outcome: Promise<Outcome>): Promise<string> {
  const { code, stdout, stderr } = await outcome;
  if (code !== 0)
    throw new Error(`${what} failed (exit ${code}):\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`);
  return stdout;
}

async function sql(query: string): Promise<string[][]> {
  const out = await must(
    'psql',
    compose([
      'exec',
      '-T',
      'postgres',
      'psql',
      '-U',
      'rootaudit',
      '-d',
      'rootaudit',
      '-At',
      '-F',
      '\t',
      '-c',
      query,
    ]),
  );
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
}

let simulator: Simulator | undefined;
let apiUrl = '';
let apiKey = '';
let scanId = '';

async function api(path: string, init: RequestInit = {}) {
  const response = await fetch(`${apiUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${apiKey}`, ...init.headers },
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function publishedApi(): Promise<string> {
  const address = (await must('compose port', compose(['port', 'api', '3000']))).trim();
  return `http://${address}`;
}

interface ScanItem {
  id: string;
  status: string;
  accountsTotal: number;
  accountsDone: number;
  accountsFailed: number;
  accountsSkipped: number;
  results: Record<string, number>;
  failureReason: string | null;
}

async function scan(): Promise<ScanItem> {
  const { status, body } = await api(`/v1/scans/${scanId}`);
  if (status !== 200) throw new Error(`GET /v1/scans/${scanId}: ${status} ${JSON.stringify(body)}`);
  return body as unknown as ScanItem;
}

async function findings(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const { status, body } = await api(`/v1/findings?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    if (status !== 200) throw new Error(`GET /v1/findings: ${status} ${JSON.stringify(body)}`);
    ids.push(...(body.items as { id: string }[]).map((item) => item.id));
    cursor = body.nextCursor as string | null;
  } while (cursor);
  return ids.sort();
}

/**
 * `up -d`, then `up -d --wait api`, as the README says: returns once the API's health check (GET
 * /readyz) passes. (`--wait` on the whole stack fails: Compose refuses to wait for services whose
 * health check is disabled, the scheduler and the workers.)
 */
async function up(t: Test, label: string) {
  const started = Date.now();
  const outcome = await compose(['up', '-d', '--no-build'], 600_000);
  t.equal(outcome.code, 0, `${label}: up -d succeeds`, { stderr: outcome.stderr.slice(-4000) });
  const waited = await compose(['up', '-d', '--no-build', '--wait', 'api'], 600_000);
  timings[`${label}: up -d, then up -d --wait api`] = seconds(Date.now() - started);
  t.equal(waited.code, 0, `${label}: up -d --wait api succeeds`, { stderr: waited.stderr.slice(-4000) });
  apiUrl = await publishedApi();
  // What the README has users do next.
  const ready = await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(10_000) });
  t.equal(ready.status, 200, `${label}: /readyz answers 200 as soon as up --wait returns`);
  const [startedAt] = (
    await must('inspect', docker(['inspect', '-f', '{{.State.StartedAt}}', `${project}-api-1`]))
  ).split('\n');
  timings[`${label}: api container start to healthy (upper bound: checked every 10 s)`] = seconds(
    Date.now() - Date.parse(startedAt!),
  );
}

t.teardown(async () => {
  const down = await compose(['down', '--volumes', '--remove-orphans', '--timeout', '30'], 180_000);
  if (down.code !== 0) note(`cleaning up ${project} failed: ${down.stderr}`);
  await simulator?.stop();
  rmSync(work, { recursive: true, force: true });
  timings['test wall time'] = seconds(Date.now() - testStarted);
  for (const [what, value] of Object.entries(timings)) note(`${what}: ${value}`);
});

t.before(async () => {
  writeFileSync(join(work, '.keep'), '');
  // The host as the containers see it (what host-gateway resolves to): the simulator listens
  // there, not on 0.0.0.0, so it is reachable from the containers and nowhere else.
  const gateway = (
    await must(
      'host-gateway lookup',
      docker([
        'run',
        '--rm',
        '--add-host',
        'host.docker.internal:host-gateway',
        '--entrypoint',
        'getent',
        'postgres:17',
        'hosts',
        'host.docker.internal',
      ]),
    )
  ).split(/\s+/)[0]!;
  const model = loadOrganization();
  // 100 ms per AWS call and one account at a time: the scan lasts long enough to restart a worker
  // in the middle of it.
  simulator = await startSimulator({ model, host: gateway, port: 0, knobs: { latency: { fixedMs: 100 } } });
  note(`simulator (sample organization, ${model.accounts.length} accounts) on ${simulator.endpoint}`);
  writeFileSync(
    envFile,
    [
      `POSTGRES_PASSWORD=${randomBytes(12).toString('hex')}`,
      `ROOTAUDIT_IMAGE=${image}`,
      // A free port of the host's loopback, whatever else runs here.
      'ROOTAUDIT_API_PUBLISH=127.0.0.1:',
      'AWS_ACCESS_KEY_ID=test',
      'AWS_SECRET_ACCESS_KEY=test',
      'AWS_REGION=us-east-1',
      `ROOTAUDIT_REGIONS=${model.regions.join(',')}`,
      `ROOTAUDIT_EXTERNAL_ID=${model.auditRole.externalId}`,
      `AWS_ENDPOINT_URL=http://host.docker.internal:${simulator.port}`,
      'ROOTAUDIT_ACCOUNT_CONCURRENCY=1',
      '',
    ].join('\n'),
  );
});

t.test('the image builds from docker/Dockerfile', async (t) => {
  if (process.env.ROOTAUDIT_DOCKER_IMAGE) {
    t.comment(`ROOTAUDIT_DOCKER_IMAGE=${image}: not built, used as is`);
    t.equal((await docker(['image', 'inspect', image])).code, 0, `${image} exists`);
    return;
  }
  if (syntaxLine)
    note('docker/Dockerfile has a `# syntax=` line: built with the classic builder (DOCKER_BUILDKIT=0)');
  const built = await compose(['build'], 1_800_000);
  timings.build = seconds(built.ms);
  t.equal(built.code, 0, 'docker compose build', { stderr: built.stderr.slice(-4000) });
  const size = (await must('image ls', docker(['image', 'ls', image, '--format', '{{.Size}}']))).trim();
  timings['image size'] = size;
});

t.test(
  'up -d, then up -d --wait api: migrate once, then every service, the API ready when it returns',
  async (t) => {
    await up(t, 'first start');
    // One JSON object per line (Compose 2.21 and later) or one array (before).
    const listed = (await must('ps', compose(['ps', '--all', '--format', 'json']))).trim();
    const states = JSON.parse(listed.startsWith('[') ? listed : `[${listed.split('\n').join(',')}]`) as {
      Service: string;
      State: string;
      ExitCode: number;
    }[];
    const byService = Object.fromEntries(states.map((state) => [state.Service, state]));
    t.match(byService.migrate, { State: 'exited', ExitCode: 0 }, 'migrate ran and exited 0');
    for (const service of ['postgres', 'api', 'scheduler', 'worker']) {
      t.equal(byService[service]?.State, 'running', `${service} runs`);
    }
    t.notOk(existsSync(join(home, '.aws')), 'no ~/.aws created on a host that has none');
    const logs = await must('logs', compose(['logs', '--no-log-prefix', 'api']));
    t.match(
      logs,
      /"url":"http:\/\/0\.0\.0\.0:3000"[^\n]*"msg":"api listening"/,
      'the API logs the address it is bound to',
    );
  },
);

t.test('an API key created with `docker compose exec`', async (t) => {
  const created = await compose([
    'exec',
    '-T',
    'api',
    'rootaudit',
    'api-key',
    'create',
    '--name',
    'stack',
    '--scope',
    'write',
  ]);
  t.equal(created.code, 0, 'api-key create', { stderr: created.stderr });
  apiKey = created.stdout.trim();
  t.match(apiKey, /^ra_\S+$/, 'the key alone on stdout');
  t.equal((await api('/v1/findings?limit=1')).status, 200, 'the key is accepted by the API');
});

t.test(
  'a scan of the simulated organization survives a worker restart and a worker kill mid-scan',
  async (t) => {
    const model = simulator!.model;
    const active = model.accounts.filter((account) => account.status === 'ACTIVE');
    const started = await api('/v1/scans', { method: 'POST' });
    t.equal(started.status, 202, 'POST /v1/scans', { body: started.body });
    scanId = started.body.id as string;
    const scanStarted = Date.now();

    const finished = (item: ScanItem) => /SUCCEEDED|PARTIAL|FAILED/.test(item.status);
    /** Waits until more than `done` accounts are recorded and one is in a worker's hands. */
    async function waitForProgress(done: number) {
      for (;;) {
        const item = await scan();
        const running = await sql(
          `SELECT account_id FROM account_scans WHERE scan_id = '${scanId}' AND status = 'RUNNING'`,
        );
        if (
          finished(item) ||
          (item.accountsDone > done && running.length > 0) ||
          Date.now() - scanStarted > 300_000
        ) {
          return { item, running: running.map(([id]) => id!) };
        }
        await sleep(250);
      }
    }

    // 1. A graceful restart (SIGTERM: the account in hand finishes or is handed back).
    let { item: progress, running } = await waitForProgress(0);
    t.equal(progress.status, 'RUNNING', 'the scan runs at the restart', {
      failureReason: progress.failureReason,
    });
    t.ok(
      progress.accountsDone >= 1 && progress.accountsDone < active.length - 2,
      `mid-scan: ${progress.accountsDone} of ${active.length} accounts recorded at the restart`,
    );
    const restarted = await compose(['restart', 'worker'], 180_000);
    timings['worker restart (SIGTERM, graceful stop, start)'] = seconds(restarted.ms);
    t.equal(restarted.code, 0, 'docker compose restart worker', { stderr: restarted.stderr });
    t.comment(`in the worker's hands at the restart: ${running.join(', ') || 'none'}`);

    // 2. A kill (SIGKILL: the account in hand is re-delivered once its heartbeat stops).
    const doneAtRestart = progress.accountsDone;
    ({ item: progress, running } = await waitForProgress(doneAtRestart));
    t.equal(progress.status, 'RUNNING', 'the scan runs at the kill');
    t.ok(
      progress.accountsDone < active.length && running.length > 0,
      `an account in the worker's hands at the kill: ${running.join(', ')}`,
    );
    const killedDuring = running;
    t.equal(
      (await compose(['kill', '--signal', 'SIGKILL', 'worker'])).code,
      0,
      'docker compose kill -s SIGKILL worker',
    );
    // The database's clock when the kill had landed: an account seen running just before it may
    // have been recorded in between, and then it was not killed in hand.
    const [[killedAt]] = (await sql('SELECT now()')) as [[string]];
    t.equal((await compose(['start', 'worker'])).code, 0, 'docker compose start worker');

    while (!finished(progress) && Date.now() - scanStarted < 600_000) {
      await sleep(1000);
      progress = await scan();
    }
    timings['scan (with a restart and a kill)'] = seconds(Date.now() - scanStarted);
    // The sample organization's sandbox-bob has no audit role: its account is ERROR, the scan PARTIAL.
    t.equal(progress.status, 'PARTIAL', 'the scan completes (PARTIAL: one account has no audit role)', {
      failureReason: progress.failureReason,
    });
    t.equal(progress.accountsTotal, active.length, 'every active account in the scan');
    t.equal(progress.accountsDone, active.length, 'every active account recorded');
    t.equal(
      progress.accountsFailed,
      active.filter((account) => account.auditRole === false).length,
      'the account without role failed',
    );
    t.equal(
      progress.accountsSkipped,
      model.accounts.length - active.length,
      'suspended and closing accounts skipped',
    );

    // One record per account, counted once, whatever the restart re-delivered.
    const rows = await sql(
      `SELECT account_id, status, attempts FROM account_scans WHERE scan_id = '${scanId}' ORDER BY account_id`,
    );
    t.same(
      rows.map(([id]) => id),
      model.accounts.map((account) => account.id).sort(),
      'one AccountScan per account of the organization',
    );
    t.same(
      rows.filter(([, status]) => status === 'PENDING' || status === 'RUNNING'),
      [],
      'no account left pending or running',
    );
    const [[results]] = (await sql(`SELECT count(*) FROM check_results WHERE scan_id = '${scanId}'`)) as [
      [string],
    ];
    const counted = Object.values(progress.results).reduce((sum, count) => sum + count, 0);
    t.equal(
      Number(results),
      counted,
      `the scan's result counters match its ${results} results (none counted twice)`,
    );
    const [[accountsWithResults]] = (await sql(
      `SELECT count(DISTINCT account_id) FROM check_results WHERE scan_id = '${scanId}'`,
    )) as [[string]];
    t.equal(Number(accountsWithResults), active.length, 'results for every active account');
    const attempts = new Map(rows.map(([id, , count]) => [id!, Number(count)]));
    const recordedBeforeKill = new Set(
      (
        await sql(
          `SELECT account_id FROM account_scans WHERE scan_id = '${scanId}' AND finished_at < '${killedAt}'::timestamptz`,
        )
      ).map(([id]) => id),
    );
    for (const id of killedDuring.filter((running) => !recordedBeforeKill.has(running))) {
      t.ok(
        attempts.get(id)! >= 2,
        `${id}, killed in hand, was run again (attempts ${attempts.get(id)}) and recorded once`,
      );
    }
  },
);

t.test('down, then up again: the data is kept', async (t) => {
  const before = await findings();
  t.ok(before.length > 0, `${before.length} findings before`);
  const down = await compose(['down', '--timeout', '60'], 180_000);
  timings.down = seconds(down.ms);
  t.equal(down.code, 0, 'docker compose down', { stderr: down.stderr });
  t.equal((await must('ps', compose(['ps', '--all', '--quiet']))).trim(), '', 'no container left');
  t.equal(
    (await docker(['volume', 'inspect', `${project}_postgres-data`])).code,
    0,
    'the data volume is kept',
  );

  await up(t, 'second start');
  t.same(await findings(), before, 'the same findings, through the API key created before');
  const again = await scan();
  t.equal(again.status, 'PARTIAL', 'the scan is still there');
});
