/**
 * The API under test, in its own process (as in production, and so the load generator does not share
 * its event loop): bench/api.ts forks it, sends `{ databaseUrl }` over IPC and gets `{ url }` back
 * once it listens; 'cpu' asks for its CPU time so far, 'stop' closes it.
 *
 * Same app as `startApi` (buildApi with the service logger at its default `info` level: a line per
 * request, written to stdout, which the parent points at /dev/null), except that the per-key rate
 * limit is set far above what the benchmark sends (600/min by default would answer 429s) and the
 * periodic muted-flag refresh is off.
 */
import { buildApi } from '@rootaudit/api';
import { createPrismaClient } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';

const send = process.send?.bind(process);
if (!send) {
  process.stderr.write('bench/api-server.ts is started by bench/api.ts (it needs an IPC channel)\n');
  process.exit(2);
}

const databaseUrl = await new Promise<string>((resolve) => {
  process.once('message', (message) => resolve((message as { databaseUrl: string }).databaseUrl));
});
const prisma = createPrismaClient(databaseUrl);
const app = await buildApi({
  logger: createLogger({ level: 'info', name: 'api' }),
  prisma,
  readiness: async () => ({ ready: true }),
  rateLimit: { max: 1_000_000_000, timeWindowMs: 60_000 },
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await app.close();
  await prisma.$disconnect();
  process.exit(0);
}
process.on('message', (message) => {
  if (message === 'stop') void stop();
  // CPU time this process has used (µs), so the parent can divide a phase's share by its requests.
  if (message === 'cpu') send({ cpu: process.cpuUsage() });
});
// The parent died without saying stop.
process.on('disconnect', () => void stop());
send({ url });
