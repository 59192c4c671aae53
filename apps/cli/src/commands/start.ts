/**
 * `rootaudit start [--role api|scheduler|worker[,…]]`: the whole service in one process for a single
 * machine, or the roles named (docker compose runs one role per service, workers as replicas).
 */
import { loadConfigOrExit } from '@rootaudit/config';
import { type Role, runRoles } from '@rootaudit/service';
import { parseOptions, UsageError } from '../usage.ts';

export const summary = 'run the API, scheduler and worker in one process, or the roles named by --role';

const roleNames = ['api', 'scheduler', 'worker'];

// The API is not among them: runRoles binds its port before the queue and these start, so a port
// in use stops start-up before they do anything. Workers before the scheduler, so jobs the
// scheduler enqueues at start-up find a consumer. Each role is loaded only when it runs: a worker
// container never loads Fastify, an API container never loads the AWS SDK.
const queueRoles: [name: string, load: () => Promise<Role>][] = [
  ['worker', async () => (await import('@rootaudit/worker')).startWorker],
  ['scheduler', async () => (await import('@rootaudit/scheduler')).startScheduler],
];

/** The roles named by `--role a,b`; every role when the option is absent. */
function selectRoles(option: string | undefined): string[] {
  if (option === undefined) return roleNames;
  const named = option.split(',').map((part) => part.trim());
  const unknown = named.filter((name) => !roleNames.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `--role must be one or more of ${roleNames.join(', ')} (comma-separated), not ${JSON.stringify(option)}`,
    );
  }
  return roleNames.filter((name) => named.includes(name));
}

export async function run(argv: string[]): Promise<number | undefined> {
  const { role } = parseOptions(argv, { role: { type: 'string' } });
  const selected = selectRoles(role);
  // One role alone logs under its own name (api, scheduler, worker), as apps/*/src/main.ts do.
  const name = selected.length === 1 ? selected[0]! : 'rootaudit';
  const config = loadConfigOrExit();
  const starts = await Promise.all(
    queueRoles.filter(([roleName]) => selected.includes(roleName)).map(([, load]) => load()),
  );
  const http = selected.includes('api') ? (await import('@rootaudit/api')).startApi : undefined;
  await runRoles(name, starts, { config, ...(http ? { http } : {}) });
  return undefined;
}
