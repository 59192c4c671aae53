import { createPrismaClient } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import t, { type Test } from 'tap';
import { buildApi } from './server.ts';

// None of these requests reach the database.
const prisma = createPrismaClient('postgresql://nobody@127.0.0.1:1/none');

async function serve(t: Test): Promise<string> {
  const app = await buildApi({
    logger: createLogger({ level: 'silent' }),
    readiness: async () => ({ ready: true }),
    prisma,
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  return url;
}

t.test('/docs serves the UI and the OpenAPI document of every route', async (t) => {
  const url = await serve(t);
  const ui = await fetch(`${url}/docs`, { redirect: 'follow' });
  t.equal(ui.status, 200);
  t.match(ui.headers.get('content-type'), /text\/html/);
  const document = (await (await fetch(`${url}/docs/json`)).json()) as {
    openapi: string;
    paths: Record<
      string,
      Record<string, { security?: unknown; parameters?: { name: string; in: string }[] }>
    >;
    components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
  };
  t.match(document.openapi, /^3\./);
  for (const path of [
    '/healthz',
    '/readyz',
    '/v1/findings',
    '/v1/accounts',
    '/v1/accounts/{id}',
    '/v1/checks',
    '/v1/compliance',
    '/v1/compliance/{framework}',
    '/v1/scans',
    '/v1/scans/{id}',
    '/v1/scans/{id}/diff',
    '/v1/summary',
    '/v1/findings/export',
    '/v1/suppressions',
    '/v1/webhooks',
    '/v1/root-activity',
    '/metrics',
  ]) {
    t.ok(document.paths[path]?.get, `GET ${path} is documented`);
  }
  t.ok(document.paths['/v1/scans']?.post, 'POST /v1/scans is documented');
  t.ok(document.paths['/v1/suppressions']?.post, 'POST /v1/suppressions is documented');
  t.ok(document.paths['/v1/suppressions/{id}']?.delete, 'DELETE /v1/suppressions/{id} is documented');
  t.ok(document.paths['/v1/webhooks']?.post, 'POST /v1/webhooks is documented');
  t.ok(document.paths['/v1/events/aws']?.post, 'POST /v1/events/aws is documented');
  t.ok(document.paths['/v1/webhooks/{id}']?.delete, 'DELETE /v1/webhooks/{id} is documented');
  t.same(document.paths['/v1/findings']?.get?.security, [{ apiKey: [] }]);
  t.same(
    document.paths['/v1/findings']?.get?.parameters?.map((parameter) => parameter.name),
    ['status', 'severity', 'check', 'account', 'ou', 'muted', 'changedSince', 'limit', 'cursor'],
  );
  t.match(document.components.securitySchemes, { apiKey: { type: 'http', scheme: 'bearer' } });
  t.ok(document.components.schemas.Finding, 'shared schemas are named components');
  const finding = document.components.schemas.Finding as {
    properties: Record<string, unknown>;
    required: string[];
  };
  t.match(
    finding.properties,
    {
      lastErrorAt: { type: 'string', format: 'date-time', nullable: true },
      lastError: { type: 'string', nullable: true },
    },
    'a finding says when and why its last evaluation could not answer',
  );
  t.ok(
    ['lastErrorAt', 'lastError'].every((name) => finding.required.includes(name)),
    'always present (null when the last evaluation answered)',
  );
});

t.test('unknown routes answer 404 in the common error shape', async (t) => {
  const url = await serve(t);
  const response = await fetch(`${url}/nowhere?x=1`);
  t.equal(response.status, 404);
  t.same(await response.json(), { statusCode: 404, error: 'Not Found', message: 'no route GET /nowhere' });
});
