/**
 * `rootaudit start [--role api|scheduler|worker[,…]]`: the whole service in one process for a single
 * machine, or the roles named (docker compose runs one role per service, workers as replicas).
 */
import { createServer } from 'node:net';
import { loadConfigOrExit } from '@rootaudit/config';
import { type Role, runRoles } from '@rootaudit/service';
import { parseOptions, UsageError } from '../usage.ts';

export const summary = 'run the API, scheduler and worker in one process, or the roles named by --role';

// In start order: workers first, so jobs the scheduler enqueues at start-up find a consumer; the
// API last, so /readyz answers only once everything behind it runs. Each role is loaded only when
// it runs: a worker container never loads Fastify, an API container never loads the AWS SDK.
const roles: [name: string, load: () => Promise<Role>][] = [
  ['worker', async () => (await import('@rootaudit/worker')).startWorker],
  ['scheduler', async () => (await import('@rootaudit/scheduler')).startScheduler],
  ['api', async () => (await import('@rootaudit/api')).startApi],
];
const roleNames = roles.map(([name]) => name);

/** The roles named by `--role a,b` in start order; every role when the option is absent. */
function selectRoles(option: string | undefined): [name: string, load: () => Promise<Role>][] {
  if (option === undefined) return roles;
  const named = option.split(',').map((part) => part.trim());
  const unknown = named.filter((name) => !roleNames.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `--role must be one or more of ${[...roleNames].sort().join(', ')} (comma-separated), not ${JSON.stringify(option)}`,
    );
  }
  return roles.filter(([name]) => named.includes(name));
}

/**
 * Refuses to start when the API's address is taken: the API starts last (see above), and finding
 * the port in use only then would leave a worker and a scheduler running behind no API. Whatever
 * takes the port between this check and the API's listen still fails the start-up then.
 */
async function addressInUse(host: string, port: number): Promise<string | null> {
  if (port === 0) return null;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, exclusive: true }, resolve);
    });
    return null;
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    const why = code === 'EADDRINUSE' ? 'another process listens there' : code;
    return `cannot listen on ${host}:${port} (HOST, PORT): ${why}; stop it or set PORT to a free port. Nothing was started.`;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function run(argv: string[]): Promise<number | undefined> {
  const { role } = parseOptions(argv, { role: { type: 'string' } });
  const selected = selectRoles(role);
  // One role alone logs under its own name (api, scheduler, worker), as apps/*/src/main.ts do.
  const name = selected.length === 1 ? selected[0]![0] : 'rootaudit';
  const config = loadConfigOrExit();
  if (selected.some(([roleName]) => roleName === 'api')) {
    const problem = await addressInUse(config.host, config.port);
    if (problem) {
      process.stderr.write(`rootaudit start: ${problem}\n`);
      return 1;
    }
  }
  const starts = await Promise.all(selected.map(([, load]) => load()));
  await runRoles(name, starts, { config });
  return undefined;
}
