/**
 * `rootaudit start [--role api|scheduler|worker[,…]]`: the whole service in one process for a single
 * machine, or the roles named (docker compose runs one role per service, workers as replicas).
 */
import { startApi } from '@rootaudit/api';
import { loadConfigOrExit } from '@rootaudit/config';
import { startScheduler } from '@rootaudit/scheduler';
import { type Role, runRoles } from '@rootaudit/service';
import { startWorker } from '@rootaudit/worker';
import { parseOptions, UsageError } from '../usage.ts';

export const summary = 'run the API, scheduler and worker in one process, or the roles named by --role';

const roleNames = ['api', 'scheduler', 'worker'];

// The API is not among them: runRoles binds its port before the queue and these start, so a port
// in use stops start-up before they do anything. Workers before the scheduler, so jobs the
// scheduler enqueues at start-up find a consumer.
const queueRoles: [name: string, start: Role][] = [
  ['worker', startWorker],
  ['scheduler', startScheduler],
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
  await runRoles(
    name,
    queueRoles.filter(([roleName]) => selected.includes(roleName)).map(([, start]) => start),
    { config, ...(selected.includes('api') ? { http: startApi } : {}) },
  );
  return undefined;
}
