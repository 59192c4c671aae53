/**
 * Bearer API-key auth for every route of the scope it is registered in (/v1): 401 without a key or
 * with an unknown or revoked one, 403 when the route's scope (`config.scope`, default read) is
 * missing. An `ingest` key (EventBridge's) may use only the routes that need `ingest` (POST
 * /v1/events/aws), and only such a key may: no other scope implies it. Then a per-key rate limit. Before any of it, an address that failed authentication too
 * often is refused with 429 without looking its key up (failedAuthLimit), so guessing keys or
 * flooding with bad ones costs no database round trip. Verified keys are remembered for a few seconds
 * (VERIFIED_KEY_TTL_MS), so a key revoked by another process is refused within that time.
 */
import rateLimit from '@fastify/rate-limit';
import type { ApiKey, PrismaClient } from '@rootaudit/db';
import { type ApiKeyScope, findActiveApiKey, hasScope, touchApiKey } from '@rootaudit/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a key needs for this route [read]. */
    scope?: ApiKeyScope;
  }
  interface FastifyRequest {
    /** The authenticated key (set by the auth plugin on /v1 routes). */
    apiKey?: ApiKey;
  }
}

export interface RateLimitOptions {
  /** Requests per key per window. */
  max: number;
  timeWindowMs: number;
}

const defaultRateLimit: RateLimitOptions = { max: 600, timeWindowMs: 60_000 };
/** Enough for a person fixing a misconfigured client; far too few to guess a 256-bit key. */
const defaultFailedAuthLimit: RateLimitOptions = { max: 30, timeWindowMs: 60_000 };

export interface AuthOptions {
  prisma: PrismaClient;
  rateLimit?: RateLimitOptions;
  /** Failed authentications per client address per window [30 per minute]. */
  failedAuthLimit?: RateLimitOptions;
  /** How long a verified key is not looked up again [VERIFIED_KEY_TTL_MS, 5 s]; 0 = every request. */
  keyCacheTtlMs?: number;
}

const BEARER = /^Bearer +(\S+) *$/i;

async function auth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  app.decorateRequest('apiKey', undefined);
  // Counters live in this process's memory: with N API replicas a key gets up to N × max per
  // window. Good enough to stop a runaway script; a shared store (Redis) would make it exact.
  const limit = options.rateLimit ?? defaultRateLimit;
  await app.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    // After onRequest, so the key is known; unauthenticated requests were already refused.
    hook: 'preParsing',
    keyGenerator: (request) => request.apiKey?.id ?? request.ip,
  });
  const failedLimit = options.failedAuthLimit ?? defaultFailedAuthLimit;
  const failedAuthentications = app.createRateLimit({
    max: failedLimit.max,
    timeWindow: failedLimit.timeWindowMs,
    keyGenerator: (request) => `failed-auth:${request.ip}`,
  });
  const refuse = async (request: FastifyRequest, message: string): Promise<never> => {
    await failedAuthentications(request);
    throw new ApiError(401, message);
  };

  app.addHook('onRequest', async (request, reply) => {
    const failures = await failedAuthentications(request, { increment: false });
    if (!failures.isAllowed && failures.remaining === 0) {
      reply.header('retry-after', String(Math.max(1, failures.ttlInSeconds)));
      throw new ApiError(
        429,
        `too many failed authentications from ${request.ip}; retry in ${Math.max(1, failures.ttlInSeconds)} s`,
      );
    }
    const header = request.headers.authorization;
    if (!header)
      return refuse(request, 'missing Authorization header: send "Authorization: Bearer <api key>"');
    const presented = BEARER.exec(header)?.[1];
    if (!presented) return refuse(request, 'the Authorization header must be "Bearer <api key>"');
    const key = await findActiveApiKey(options.prisma, presented, { cacheTtlMs: options.keyCacheTtlMs });
    if (!key) return refuse(request, 'unknown or revoked API key');
    const needed = request.routeOptions.config.scope ?? 'read';
    if (!hasScope(key.scopes, needed)) {
      throw new ApiError(
        403,
        key.scopes.includes('ingest') && needed !== 'ingest'
          ? 'an API key with the "ingest" scope may only POST /v1/events/aws'
          : `this route needs an API key with the "${needed}" scope`,
      );
    }
    request.apiKey = key;
    await touchApiKey(options.prisma, key);
  });
}

/** Hooks apply to the scope that registers it (fastify-plugin skips encapsulation). */
export const authPlugin = fp(auth, { name: 'rootaudit-auth', fastify: '5.x' });
