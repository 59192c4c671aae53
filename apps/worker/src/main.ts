/** The worker on its own (docker compose runs replicas of it); `pnpm start` runs it with the others. */
import { runRoles } from '@rootaudit/service';
import { startWorker } from './worker.ts';

await runRoles('worker', [startWorker]);
