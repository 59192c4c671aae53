// The commands the image runs, run here as processes (no docker engine on these machines), with the
// environment docker/compose.yaml gives each service: the `migrate` service's command against an
// empty database, then the `api` service's command answering /healthz and /readyz, the image's
// HEALTHCHECK command succeeding against it, and a clean exit on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import t from 'tap';
import { checkReadiness } from '../../packages/db/src/index.ts';
import { runCommand, runRootaudit, sourceCondition } from '../support/cli.ts';
import { emptyTestDatabase } from '../support/db.ts';
import {
  type ComposeService,
  cliBin,
  commandOf,
  containerEnvironment,
  dockerDir,
  execForm,
  interpolate,
  parseCompose,
  parseDockerfile,
  parseEnvFile,
  readText,
  repositoryRoot,
} from '../support/docker-files.ts';

const compose = parseCompose(readText(join(dockerDir, 'compose.yaml')));
const dockerfile = parseDockerfile(readText(join(dockerDir, 'Dockerfile')));
const dotenv = {
  ...Object.fromEntries(parseEnvFile(readText(join(dockerDir, '.env.example')))),
  POSTGRES_PASSWORD: 'example-password',
};

/** What the container of a service gets, pointed at this test's database. */
function serviceEnvironment(service: ComposeService, overrides: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...containerEnvironment(interpolate(service, dotenv), dotenv),
    ...overrides,
  };
}

/** The image's HEALTHCHECK command, with `node` being this node. */
function healthcheckCommand(): string[] {
  const runtime = dockerfile.stages.at(-1)!;
  const healthcheck = runtime.instructions.find((instruction) => instruction.keyword === 'HEALTHCHECK');
  const command = execForm(/\bCMD (\[.*\])$/.exec(healthcheck!.arguments)![1]!);
  if (command[0] !== 'node') throw new Error(`expected a node health check, got ${command[0]}`);
  return [process.execPath, ...command.slice(1)];
}

/** The JSON log lines of a running service, and a way to wait for one of them. */
function logLines(child: ChildProcess) {
  const lines: Record<string, unknown>[] = [];
  const waiters: { message: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete) {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text);
      } catch {
        continue;
      }
      lines.push(line);
      for (const waiter of waiters.filter((candidate) => candidate.message === line.msg)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    lines,
    exited,
    /** Resolves with the first line with this message; rejects if the process exits first. */
    waitFor(message: string): Promise<Record<string, unknown>> {
      const seen = lines.find((line) => line.msg === message);
      if (seen) return Promise.resolve(seen);
      return Promise.race([
        new Promise<Record<string, unknown>>((resolve) => waiters.push({ message, resolve })),
        exited.then(([code, signal]) => {
          throw new Error(`exited (${code ?? signal}) before logging "${message}": ${stderr}`);
        }),
      ]);
    },
  };
}

t.test('migrate, then the api role alone: healthy, ready, and stopped cleanly by SIGTERM', async (t) => {
  const { url } = await emptyTestDatabase(t);
  t.equal((await checkReadiness(url)).ready, false, 'an empty database is not ready');

  // docker compose's `migrate` service.
  const migrateCommand = commandOf(compose.services.migrate!);
  const migrated = await runRootaudit(
    migrateCommand,
    serviceEnvironment(compose.services.migrate!, { DATABASE_URL: url }),
  );
  t.equal(migrated.code, 0, 'migrate exits 0', { stderr: migrated.stderr });
  t.match(migrated.stderr, /migrations applied/);
  t.same(await checkReadiness(url), { ready: true }, 'every migration applied');

  // docker compose's `api` service, on a free port of the loopback here.
  const api = spawn(process.execPath, [sourceCondition, cliBin, ...commandOf(compose.services.api!)], {
    cwd: repositoryRoot,
    env: serviceEnvironment(compose.services.api!, { DATABASE_URL: url, HOST: '127.0.0.1', PORT: '0' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = logLines(api);
  t.teardown(() => {
    if (api.exitCode === null && api.signalCode === null) api.kill('SIGKILL');
  });
  const listening = await log.waitFor('api listening');
  const apiUrl = new URL(String(listening.url));
  t.equal(listening.service, 'api', 'logs under its role name');
  t.notOk(
    log.lines.some((line) => line.msg === 'worker started' || line.msg === 'scheduler started'),
    'runs no other role',
  );

  const health = await fetch(new URL('/healthz', apiUrl));
  t.equal(health.status, 200);
  t.same(await health.json(), { status: 'ok' });
  const ready = await fetch(new URL('/readyz', apiUrl));
  t.equal(ready.status, 200);
  t.same(await ready.json(), { status: 'ready' });

  // The image's HEALTHCHECK, as Docker runs it inside the api container.
  const healthcheck = healthcheckCommand();
  const healthEnv = { PATH: process.env.PATH ?? '', PORT: apiUrl.port };
  const healthy = await runCommand(healthcheck, healthEnv);
  t.equal(healthy.code, 0, 'the health check passes', { stderr: healthy.stderr });

  api.kill('SIGTERM');
  const [code, signal] = await log.exited;
  t.equal(code, 0, 'exits 0 on SIGTERM');
  t.equal(signal, null);
  t.ok(
    log.lines.some((line) => line.msg === 'shutting down' && line.reason === 'SIGTERM'),
    'shut down because of SIGTERM',
  );

  const unhealthy = await runCommand(healthcheck, healthEnv);
  t.equal(unhealthy.code, 1, 'the health check fails once nothing answers');
});
