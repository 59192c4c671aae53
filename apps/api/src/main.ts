/** The API on its own (docker compose runs it this way); `pnpm start` runs it with the others. */
import { runRoles } from '@rootaudit/service';
import { startApi } from './start.ts';

await runRoles('api', [], { http: startApi });
