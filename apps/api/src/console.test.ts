// The web console under / (apps/console's dist, here a stand-in built in a temporary folder): its
// headers (CSP, caching) and what it leaves alone (/v1, /docs, /healthz, unknown paths).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrismaClient } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import t, { type Test } from 'tap';
import { CONSOLE_CSP } from './console.ts';
import { buildApi } from './server.ts';

const logger = createLogger({ level: 'silent' });
// None of these routes queries; /v1 refuses before any lookup without a key.
const prisma = createPrismaClient('postgresql://nobody@127.0.0.1:1/none');

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-ABC123.js"></script></head></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;

function builtConsole(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'rootaudit-console-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'app-ABC123.js'), SCRIPT);
  return dir;
}

async function serve(t: Test, consoleDir: string): Promise<string> {
  const app = await buildApi({ logger, readiness: async () => ({ ready: true }), prisma, consoleDir });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  return url;
}

t.test('the CSP allows only the console itself, no inline script, no framing', async (t) => {
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ]) {
    t.ok(CONSOLE_CSP.split('; ').includes(directive), directive);
  }
  t.notMatch(CONSOLE_CSP, /unsafe-inline|unsafe-eval|\*/);
});

t.test('/ serves index.html, never cached without revalidation, under the CSP', async (t) => {
  const url = await serve(t, builtConsole(t));
  const response = await fetch(`${url}/`);
  t.equal(response.status, 200);
  t.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  t.equal(response.headers.get('cache-control'), 'no-cache');
  t.equal(response.headers.get('content-security-policy'), CONSOLE_CSP);
  t.equal(response.headers.get('x-frame-options'), 'DENY');
  t.equal(response.headers.get('x-content-type-options'), 'nosniff');
  t.equal(response.headers.get('referrer-policy'), 'no-referrer');
  t.equal(await response.text(), INDEX);
  const etag = response.headers.get('etag');
  t.ok(etag, 'an ETag to revalidate with');
  const again = await fetch(`${url}/`, { headers: { 'if-none-match': etag! } });
  t.equal(again.status, 304);
});

t.test('hashed assets are cached for a year, gzipped when the client accepts it', async (t) => {
  const url = await serve(t, builtConsole(t));
  const response = await fetch(`${url}/assets/app-ABC123.js`);
  t.equal(response.status, 200);
  t.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
  t.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.equal(response.headers.get('content-encoding'), 'gzip', 'fetch asks for gzip and decodes it');
  t.equal(await response.text(), SCRIPT);
  const missing = await fetch(`${url}/assets/app-OLD999.js`);
  t.equal(missing.status, 404);
  t.match(await missing.json(), { message: 'no console asset app-OLD999.js' });
  const traversal = await fetch(`${url}/assets/..%2Findex.html`);
  t.equal(traversal.status, 404, 'only files listed at start-up are served');
});

t.test('the API, its docs and health stay as they were; unknown paths keep the JSON 404', async (t) => {
  const url = await serve(t, builtConsole(t));
  const v1 = await fetch(`${url}/v1/summary`);
  t.equal(v1.status, 401);
  t.equal(v1.headers.get('content-security-policy'), null, '/v1 answers JSON, not the console');
  t.equal((await fetch(`${url}/healthz`)).status, 200);
  const docs = await fetch(`${url}/docs/json`);
  t.equal(docs.status, 200);
  const spec = (await docs.json()) as { paths: Record<string, unknown> };
  t.notOk(spec.paths['/'], 'the console is not an API route');
  t.ok(spec.paths['/v1/whoami']);
  const unknown = await fetch(`${url}/findings`);
  t.equal(unknown.status, 404);
  t.match(await unknown.json(), { message: 'no route GET /findings' });
});

t.test('without a built console, / says how to build it instead of failing', async (t) => {
  const url = await serve(t, join(tmpdir(), 'rootaudit-no-console-here'));
  const response = await fetch(`${url}/`);
  t.equal(response.status, 503);
  t.match(await response.text(), /web console is not built here: run `pnpm build`/);
  t.equal((await fetch(`${url}/healthz`)).status, 200);
});
