/**
 * "Unknown query parameters and malformed values get a 400 with a message naming the parameter"
 * (SPEC §4), for every route of the OpenAPI document: the routes and their parameters are read
 * from it, so a new route or parameter without a case here fails the test.
 *
 * Cases asserted in a route's own test file are listed in COVERED_ELSEWHERE instead of repeated.
 */
import { rootSignInWithMfa } from '@rootaudit/root-events/fixtures';
import t from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { insertAccount, insertOrganization, OU_PROD, serveTestApi } from './test-support.ts';

interface Operation {
  parameters?: { name: string; in: 'query' | 'path' | 'header' }[];
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };

/** Health probes are the orchestrator's, not clients': they ignore query strings. */
const NOT_CHECKED = new Set(['/healthz', '/readyz']);

/** Valid path parameters, so only the query string is wrong. */
const PATH_VALUES: Record<string, string> = {
  '/v1/accounts/{id}': '/v1/accounts/222222222222',
  '/v1/checks/{id}': '/v1/checks/root-mfa-enabled',
  '/v1/compliance/{framework}': '/v1/compliance/cis-aws-foundations-benchmark',
  '/v1/scans/{id}': '/v1/scans/0190a000-0000-7000-8000-000000000000',
  '/v1/scans/{id}/diff': '/v1/scans/0190a000-0000-7000-8000-000000000000/diff',
  '/v1/suppressions/{id}': '/v1/suppressions/0190a000-0000-7000-8000-000000000000',
  '/v1/webhooks/{id}': '/v1/webhooks/0190a000-0000-7000-8000-000000000000',
};

/** Required query parameters, with valid values. */
const REQUIRED_QUERY: Record<string, string> = { 'GET /v1/findings/export': 'format=csv&' };

/** Valid bodies, so only the query string is wrong. */
const BODIES: Record<string, unknown> = {
  'POST /v1/scans': {},
  'POST /v1/suppressions': { checkId: 'guardduty-enabled', reason: 'delegated' },
  'POST /v1/webhooks': { url: 'https://hooks.example.com/rootaudit', events: ['scan.completed'] },
  'POST /v1/events/aws': rootSignInWithMfa,
};

/** Routes a write key may not call: the scope of the key they are called with instead. */
const KEY_SCOPE: Record<string, 'ingest'> = { 'POST /v1/events/aws': 'ingest' };

/** Parameters whose malformed values a route's own test file asserts, message included. */
const COVERED_ELSEWHERE: Record<string, { file: string; parameters: string[] }> = {
  'GET /v1/findings': {
    file: 'routes/findings.test.ts',
    parameters: ['status', 'severity', 'check', 'account', 'ou', 'muted', 'changedSince', 'limit', 'cursor'],
  },
  // The filters are the very schema of /v1/findings (findingFilters).
  'GET /v1/findings/export': {
    file: 'routes/export.test.ts, routes/findings.test.ts',
    parameters: ['status', 'severity', 'check', 'account', 'ou', 'muted', 'changedSince', 'format'],
  },
  'GET /v1/accounts': { file: 'routes/accounts.test.ts', parameters: ['status', 'failing'] },
  'GET /v1/root-activity': {
    file: 'routes/root-activity.test.ts',
    parameters: ['account', 'ou', 'since', 'until', 'eventName', 'outcome', 'mfaUsed', 'limit', 'cursor'],
  },
  'GET /v1/accounts/{id}': { file: 'routes/accounts.test.ts', parameters: ['id'] },
  'GET /v1/compliance/{framework}': {
    file: 'routes/compliance.test.ts',
    parameters: ['framework', 'version', 'format'],
  },
  'GET /v1/scans': { file: 'routes/scans.test.ts', parameters: ['status'] },
  'GET /v1/scans/{id}': { file: 'routes/scans.test.ts', parameters: ['id'] },
  'GET /v1/scans/{id}/diff': { file: 'routes/scans.test.ts', parameters: ['id', 'limit', 'cursor'] },
};

const CURSOR_MESSAGE = 'not a cursor returned by this endpoint';
const LIMIT_MESSAGE = 'expected an integer from 1 to 500';

/** A malformed value of each remaining parameter (query or path) and the message it earns. */
const MALFORMED: Record<string, Record<string, [value: string, message: string]>> = {
  'GET /v1/accounts': {
    ou: ['prod', 'invalid value for query parameter "ou": expected an OU id (ou-…) or a root id (r-…)'],
    limit: ['0', `invalid value for query parameter "limit": ${LIMIT_MESSAGE}`],
    cursor: ['bm90LWEtY3Vyc29y', `invalid value for query parameter "cursor": ${CURSOR_MESSAGE}`],
  },
  'GET /v1/checks': {
    severity: [
      'urgent',
      'invalid value for query parameter "severity": expected one of critical, high, medium, low, informational',
    ],
    scope: ['global', 'invalid value for query parameter "scope": expected one of account, organization'],
  },
  'GET /v1/checks/{id}': {
    id: ['Bad_Id', 'invalid value for path parameter "id": expected a check id such as root-mfa-enabled'],
  },
  'GET /v1/scans': {
    limit: ['ten', `invalid value for query parameter "limit": ${LIMIT_MESSAGE}`],
    cursor: ['e30', `invalid value for query parameter "cursor": ${CURSOR_MESSAGE}`],
  },
  'GET /v1/summary': {
    trend: ['101', 'invalid value for query parameter "trend": expected an integer from 1 to 100'],
  },
  'GET /v1/suppressions': {
    expired: ['maybe', 'invalid value for query parameter "expired": expected one of true, false'],
    limit: ['501', `invalid value for query parameter "limit": ${LIMIT_MESSAGE}`],
    cursor: ['%%%', `invalid value for query parameter "cursor": ${CURSOR_MESSAGE}`],
  },
  'DELETE /v1/suppressions/{id}': {
    id: ['not-a-uuid', 'invalid value for path parameter "id": expected a UUID'],
  },
  'GET /v1/webhooks': {
    limit: ['-1', `invalid value for query parameter "limit": ${LIMIT_MESSAGE}`],
    cursor: ['bm90LWEtY3Vyc29y', `invalid value for query parameter "cursor": ${CURSOR_MESSAGE}`],
  },
  'DELETE /v1/webhooks/{id}': {
    id: ['42', 'invalid value for path parameter "id": expected a UUID'],
  },
};

const setUp = (async () => {
  const { prisma } = await testDatabase(t);
  await insertOrganization(prisma);
  await insertAccount(prisma, '222222222222', OU_PROD);
  return { prisma };
})();

async function operations(api: { get(path: string): Promise<Response> }) {
  const document = (await (await api.get('/docs/json')).json()) as OpenApi;
  const found: { method: string; path: string; key: string; operation: Operation }[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    if (NOT_CHECKED.has(path) || path.startsWith('/docs')) continue;
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      found.push({ method: method.toUpperCase(), path, key: `${method.toUpperCase()} ${path}`, operation });
    }
  }
  return found;
}

const parametersIn = (operation: Operation, where: 'query' | 'path') =>
  (operation.parameters ?? [])
    .filter((parameter) => parameter.in === where)
    .map((parameter) => parameter.name);

t.test('every route refuses an unknown query parameter, naming it and what is allowed', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const writeKey = await api.key('write');
  const ingestKey = await api.key('ingest');
  const keyFor = (key: string) => (KEY_SCOPE[key] === 'ingest' ? ingestKey : writeKey);
  const found = await operations(api);
  t.ok(found.length >= 17, `${found.length} operations`);
  for (const { method, path, key, operation } of found) {
    const url = `${PATH_VALUES[path] ?? path}?${REQUIRED_QUERY[key] ?? ''}bogus=1`;
    if (path.includes('{') && !PATH_VALUES[path]) {
      t.fail(`${key}: add a valid path to PATH_VALUES`);
      continue;
    }
    if (method === 'POST' && !(key in BODIES)) {
      t.fail(`${key}: add a valid body to BODIES`);
      continue;
    }
    const response =
      method === 'GET'
        ? await api.get(url, keyFor(key))
        : await api.send(method, url, BODIES[key], keyFor(key));
    const allowed = parametersIn(operation, 'query');
    t.equal(response.status, 400, key);
    t.same(
      await response.json(),
      {
        statusCode: 400,
        error: 'Bad Request',
        message: `unknown query parameter "bogus"; allowed: ${allowed.length ? allowed.join(', ') : 'none'}`,
      },
      key,
    );
  }
  t.equal(await prisma.suppression.count(), 0, 'no write went through');
  t.equal(await prisma.webhook.count(), 0, 'no write went through');
  t.equal(await prisma.rootEvent.count(), 0, 'no write went through');
});

t.test('every parameter: a malformed value is a 400 naming the parameter and what it accepts', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const writeKey = await api.key('write');
  const ingestKey = await api.key('ingest');
  const keyFor = (key: string) => (KEY_SCOPE[key] === 'ingest' ? ingestKey : writeKey);
  for (const { method, path, key, operation } of await operations(api)) {
    const covered = COVERED_ELSEWHERE[key]?.parameters ?? [];
    const cases = MALFORMED[key] ?? {};
    const parameters = [...parametersIn(operation, 'path'), ...parametersIn(operation, 'query')];
    for (const name of parameters) {
      if (covered.includes(name)) continue;
      const malformed = cases[name];
      if (!malformed) {
        t.fail(`${key}: no malformed value for "${name}"; add one to MALFORMED`);
        continue;
      }
      const [value, message] = malformed;
      const inPath = parametersIn(operation, 'path').includes(name);
      const url = inPath
        ? path.replace(`{${name}}`, encodeURIComponent(value))
        : `${PATH_VALUES[path] ?? path}?${REQUIRED_QUERY[key] ?? ''}${name}=${encodeURIComponent(value)}`;
      const response =
        method === 'GET'
          ? await api.get(url, keyFor(key))
          : await api.send(method, url, BODIES[key], keyFor(key));
      t.equal(response.status, 400, `${key} ${name}=${value}`);
      t.same(await response.json(), { statusCode: 400, error: 'Bad Request', message }, `${key} ${name}`);
    }
  }
});

t.test('a webhook body with an unknown field is a 400 naming it', async (t) => {
  const { prisma } = await setUp;
  const api = await serveTestApi(t, { prisma });
  const response = await api.send('POST', '/v1/webhooks', {
    url: 'https://hooks.example.com/rootaudit',
    events: ['scan.completed'],
    retries: 3,
  });
  t.equal(response.status, 400);
  t.same(await response.json(), {
    statusCode: 400,
    error: 'Bad Request',
    message: 'unknown field "retries"; allowed: url, events, secret',
  });
});
