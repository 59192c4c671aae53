import { readFile } from 'node:fs/promises';
import { diffEmptyToSchema, applyMigrations } from '../src/schema-engine.ts';
const schema = { path: 'schema.prisma', content: await readFile('../../prisma/schema.prisma', 'utf8') };
const t = Date.now();
if (process.argv[3] === 'a') await applyMigrations(process.argv[2]!.replace(/postgres$/, 'w2'), '/tmp/dbx/migrations');
else await diffEmptyToSchema(process.argv[2]!, schema);
process.on('exit', () => console.error('exit after', Date.now() - t));
