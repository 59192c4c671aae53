import { startEmbeddedPostgres } from '../src/embedded.ts';
import pg from 'pg';
const t0 = Date.now();
const s = await startEmbeddedPostgres({ dataDir: process.argv[2]! });
console.error('started in', Date.now() - t0, s.url);
const c = new pg.Client(s.url); await c.connect(); console.error((await c.query('select version()')).rows[0]); await c.end();
const t1 = Date.now(); await s.stop(); console.error('stopped in', Date.now() - t1);
