/** `rootaudit start`: the whole service in one process, for a single machine. */
import { startApi } from '@rootaudit/api';
import { startScheduler } from '@rootaudit/scheduler';
import { runRoles } from '@rootaudit/service';
import { startWorker } from '@rootaudit/worker';
import { parseOptions } from '../usage.ts';

export const summary = 'run the API, scheduler and worker in one process';

export async function run(argv: string[]): Promise<number | undefined> {
  parseOptions(argv, {});
  // Workers first, so jobs the scheduler enqueues at start-up find a consumer; the API last, so
  // /readyz answers only once everything behind it runs.
  await runRoles('rootaudit', [startWorker, startScheduler, startApi]);
  return undefined;
}
