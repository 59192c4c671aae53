/**
 * `rootaudit api-key create --name N --scope read|write|ingest`: prints a new key once (stdout: the key
 * alone, so `KEY=$(rootaudit api-key create …)` works; stderr: the note that it is not kept).
 * `rootaudit api-key list`, `rootaudit api-key revoke <id>`.
 */
import { loadConfigOrExit } from '@rootaudit/config';
import type { ApiKey, Database } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey } from '@rootaudit/store';
import { openCommandDatabase } from '../database.ts';
import { formatTable } from '../output/table.ts';
import { parseOptions, UsageError } from '../usage.ts';

export const summary = 'create, list and revoke API keys';

const USAGE =
  'usage: rootaudit api-key create --name <name> [--scope read|write|ingest] | list | revoke <id>';

async function withDatabase<T>(use: (database: Database) => Promise<T>): Promise<T> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name: 'api-key', destination: 2 });
  const database = await openCommandDatabase(config, logger);
  try {
    return await use(database);
  } finally {
    await database.close();
  }
}

async function create(argv: string[]): Promise<number> {
  const options = parseOptions(argv, {
    name: { type: 'string' },
    scope: { type: 'string', default: 'read' },
  });
  const name = options.name?.trim();
  if (!name) throw new UsageError('--name is required (who or what uses the key, e.g. --name siem-export)');
  if (name.length > 100) throw new UsageError('--name must be at most 100 characters');
  const scope = API_KEY_SCOPES.find((known) => known === options.scope);
  if (!scope) {
    throw new UsageError(`--scope must be read, write or ingest, not "${options.scope}"`);
  }
  const { key, record } = await withDatabase((database) => createApiKey(database.prisma, { name, scope }));
  process.stdout.write(`${key}\n`);
  process.stderr.write(
    `Created API key ${record.id} "${name}" (scopes: ${record.scopes.join(', ')}). ` +
      'Store it now: it is kept only as a hash and will not be shown again.\n',
  );
  return 0;
}

function date(value: Date | null): string {
  return value ? value.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

async function list(argv: string[]): Promise<number> {
  parseOptions(argv, {});
  const keys = await withDatabase((database) => listApiKeys(database.prisma));
  const table = formatTable<ApiKey>(
    [
      { header: 'ID', value: (key) => key.id },
      { header: 'NAME', value: (key) => key.name },
      { header: 'PREFIX', value: (key) => `${key.prefix}…` },
      { header: 'SCOPES', value: (key) => key.scopes.join(',') },
      { header: 'CREATED', value: (key) => date(key.createdAt) },
      { header: 'LAST USED', value: (key) => date(key.lastUsedAt) },
      { header: 'REVOKED', value: (key) => date(key.revokedAt) },
    ],
    keys,
  );
  process.stdout.write(`${table}\n`);
  return 0;
}

async function revoke(argv: string[]): Promise<number> {
  const [id, ...rest] = argv;
  if (!id || id.startsWith('-')) throw new UsageError('revoke needs the id of the key (see api-key list)');
  parseOptions(rest, {});
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError(`"${id}" is not an API key id (see api-key list)`);
  const found = await withDatabase((database) => revokeApiKey(database.prisma, id));
  if (!found) {
    process.stderr.write(`rootaudit api-key: no API key with id ${id}\n`);
    return 1;
  }
  process.stderr.write(`Revoked API key ${id}.\n`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'create') return create(rest);
  if (action === 'list') return list(rest);
  if (action === 'revoke') return revoke(rest);
  throw new UsageError(action ? `unknown action "${action}"; ${USAGE}` : USAGE);
}
