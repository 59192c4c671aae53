import { startEmbeddedPostgres } from '/work/main/packages/db/src/embedded.ts';
const s = await startEmbeddedPostgres({ dataDir: '/tmp/dbx/pgx', logger: () => {} });
process.exitCode = 3;
// not stopped: the exit hook must SIGINT it
