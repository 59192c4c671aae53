/**
 * The web console (apps/console, built into its dist/) served under `/`: index.html at `/` and its
 * content-hashed assets under `/assets/`. The files are read once at start-up and kept in memory,
 * gzipped too (a few tens of KB). The console routes in the URL's fragment (`/#/findings?…`), so
 * no path other than these needs answering with index.html, and /v1, /docs, /healthz, /readyz and
 * /metrics stay untouched.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorResponse } from './errors.ts';

/** Where `pnpm build` writes the console, from apps/api/src or apps/api/dist alike. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/**
 * Only the console's own files may run or style the page, it only talks to its own origin (/v1),
 * and no other site may frame it (clickjacking of mute or delete buttons).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface ConsoleFile {
  body: Buffer;
  gzipped: Buffer | null;
  type: string;
  etag: string;
}

function loadFile(path: string): ConsoleFile {
  const body = readFileSync(path);
  const type = CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
  const compressible = /^(text\/|image\/svg|application\/json)/.test(type);
  return {
    body,
    gzipped: compressible && body.length > 512 ? gzipSync(body) : null,
    type,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
  };
}

/** index.html and every file under assets/, or null when the console was not built. */
function loadConsole(dir: string): { index: ConsoleFile; assets: Map<string, ConsoleFile> } | null {
  let index: ConsoleFile;
  try {
    index = loadFile(join(dir, 'index.html'));
  } catch {
    return null;
  }
  const assets = new Map<string, ConsoleFile>();
  const assetDir = join(dir, 'assets');
  let names: string[] = [];
  try {
    names = readdirSync(assetDir);
  } catch {
    // an index without assets is still served; its script will 404
  }
  for (const name of names) {
    if (statSync(join(assetDir, name)).isFile()) assets.set(name, loadFile(join(assetDir, name)));
  }
  return { index, assets };
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cross-origin-resource-policy', 'same-origin');
}

function send(request: FastifyRequest, reply: FastifyReply, file: ConsoleFile, cacheControl: string) {
  securityHeaders(reply)
    .header('content-type', file.type)
    .header('cache-control', cacheControl)
    .header('etag', file.etag)
    .header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  if (file.gzipped && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
    return reply.header('content-encoding', 'gzip').send(file.gzipped);
  }
  return reply.send(file.body);
}

export interface ConsoleOptions {
  /** The built console [DEFAULT_CONSOLE_DIR]. */
  dir: string;
}

export async function consoleRoutes(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const built = loadConsole(options.dir);
  // Routes only for what the console needs: no catch-all, so unknown paths keep the JSON 404.
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    if (!built) {
      return securityHeaders(reply)
        .code(503)
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send(
          'The rootaudit web console is not built here: run `pnpm build` (`npm start` builds it too), then restart.\n' +
            'The API answers under /v1; its documentation is at /docs.\n',
        );
    }
    // The index names the current assets: always revalidated, so a new release is seen at once.
    return send(request, reply, built.index, 'no-cache');
  });
  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { schema: { hide: true } },
    async (request, reply) => {
      const file = built?.assets.get(request.params.file);
      if (!file) {
        return reply.code(404).send(errorResponse(404, `no console asset ${request.params.file}`));
      }
      // Names carry a hash of their content: a changed file gets a new name.
      return send(request, reply, file, 'public, max-age=31536000, immutable');
    },
  );
}
