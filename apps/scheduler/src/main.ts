/** The scheduler on its own (docker compose runs it this way); `pnpm start` runs it with the others. */
import { runRoles } from '@rootaudit/service';
import { startScheduler } from './scheduler.ts';

await runRoles('scheduler', [startScheduler]);
