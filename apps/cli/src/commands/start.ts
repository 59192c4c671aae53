/**
 * `rootaudit start [--role api|scheduler|worker[,…]]`: the whole service in one process for a single
 * machine, or the roles named (docker compose runs one role per service, workers as replicas).
 */
import { startApi } from '@rootaudit/api';
import { startScheduler } from '@rootaudit/scheduler';
import { type Role, runRoles } from '@rootaudit/service';
import { startWorker } from '@rootaudit/worker';
import { parseOptions, UsageError } from '../usage.ts';

export const summary = 'run the API, scheduler and worker in one process, or the roles named by --role';

// In start order: workers first, so jobs the scheduler enqueues at start-up find a consumer; the
// API last, so /readyz answers only once everything behind it runs.
const roles: [name: string, start: Role][] = [
  ['worker', startWorker],
  ['scheduler', startScheduler],
  ['api', startApi],
];
const roleNames = roles.map(([name]) => name);

/** The roles named by `--role a,b` in start order; every role when the option is absent. */
function selectRoles(option: string | undefined): [name: string, start: Role][] {
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

export async function run(argv: string[]): Promise<number | undefined> {
  const { role } = parseOptions(argv, { role: { type: 'string' } });
  const selected = selectRoles(role);
  // One role alone logs under its own name (api, scheduler, worker), as apps/*/src/main.ts do.
  const name = selected.length === 1 ? selected[0]![0] : 'rootaudit';
  await runRoles(
    name,
    selected.map(([, start]) => start),
  );
  return undefined;
}
