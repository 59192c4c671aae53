import { startEmbeddedPostgres } from '../src/embedded.ts';
const s = await startEmbeddedPostgres({ dataDir: process.argv[2]!, port: Number(process.argv[3]), logger: () => {} });
console.log(s.url);
process.on('SIGTERM', async () => { await s.stop(); process.exit(0); });
setInterval(() => {}, 1e6);
