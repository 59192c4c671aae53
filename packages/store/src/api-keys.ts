/**
 * API keys: `ra_` + 32 random bytes (base64url). Only the SHA-256 of the whole key is stored, with a
 * short prefix so people can tell keys apart in `api-key list`. The key itself is shown once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKey, PrismaClient } from '@rootaudit/db';

/**
 * read: every GET; write: also what changes things (implies read); ingest: POST /v1/events/aws and
 * nothing else, for an EventBridge API destination, whose connection holds the key in AWS.
 */
export type ApiKeyScope = 'read' | 'write' | 'ingest';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['read', 'write', 'ingest'];

const KEY_PREFIX = 'ra_';
/** 32 bytes = 256 bits of entropy; base64url gives 43 characters. */
const KEY_BYTES = 32;
/** `ra_` + 8 characters: enough to recognise a key, far too little to guess it. */
const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 8;
const KEY_PATTERN = /^ra_[A-Za-z0-9_-]{43}$/;

/** lastUsedAt is written at most this often per key, so reads do not each cost a write. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Scopes stored for a key created with `scope`: write implies read; ingest is alone. */
export function scopesFor(scope: ApiKeyScope): ApiKeyScope[] {
  if (scope === 'ingest') return ['ingest'];
  return scope === 'write' ? ['read', 'write'] : ['read'];
}

/** Whether a key with `scopes` may use a route that needs `needed` (ingest is implied by nothing). */
export function hasScope(scopes: readonly string[], needed: ApiKeyScope): boolean {
  return scopes.includes(needed) || (needed === 'read' && scopes.includes('write'));
}

export interface CreatedApiKey {
  /** The only time the key exists in clear. */
  key: string;
  record: ApiKey;
}

export async function createApiKey(
  prisma: PrismaClient,
  input: { name: string; scope: ApiKeyScope },
): Promise<CreatedApiKey> {
  const key = generateApiKey();
  const record = await prisma.apiKey.create({
    data: {
      name: input.name,
      prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
      hash: hashApiKey(key),
      scopes: scopesFor(input.scope),
    },
  });
  return { key, record };
}

export function listApiKeys(prisma: PrismaClient): Promise<ApiKey[]> {
  return prisma.apiKey.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

/**
 * Verified keys are remembered this long (per Prisma client, so per app), so that a request costs
 * its own queries and not one more round trip for the key: on a loaded machine that lookup was
 * about a third of GET /v1/findings' time (bench/api.ts). Revoking through revokeApiKey in this
 * process takes effect at once; a key revoked by another process (the CLI) is refused within this
 * time. Unknown keys are never remembered, so guessing cannot fill the cache.
 */
export const VERIFIED_KEY_TTL_MS = 5_000;
const VERIFIED_KEY_LIMIT = 1_000;

interface VerifiedKey {
  record: ApiKey;
  expiresAt: number;
}

const verifiedKeys = new WeakMap<PrismaClient, Map<string, VerifiedKey>>();

/** Revokes the key; false when no such key exists. Revoking twice keeps the first revocation time. */
export async function revokeApiKey(prisma: PrismaClient, id: string): Promise<boolean> {
  const existing = await prisma.apiKey.findUnique({ where: { id } });
  if (!existing) return false;
  await prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  const remembered = verifiedKeys.get(prisma);
  for (const [hash, entry] of remembered ?? []) {
    if (entry.record.id === id) remembered?.delete(hash);
  }
  return true;
}

/**
 * The active key a presented secret belongs to, or null. The lookup is by hash (an attacker who
 * varies the key varies its hash unpredictably, so lookup timing tells nothing), and the stored
 * hash is compared again with timingSafeEqual so no string comparison short-circuits on a secret.
 * A key verified less than `cacheTtlMs` ago [VERIFIED_KEY_TTL_MS] is not looked up again.
 */
export async function findActiveApiKey(
  prisma: PrismaClient,
  presented: string,
  options: { cacheTtlMs?: number; now?: number } = {},
): Promise<ApiKey | null> {
  if (!KEY_PATTERN.test(presented)) return null;
  const hash = hashApiKey(presented);
  const now = options.now ?? Date.now();
  const ttl = options.cacheTtlMs ?? VERIFIED_KEY_TTL_MS;
  let remembered = verifiedKeys.get(prisma);
  const hit = remembered?.get(hash);
  if (hit && hit.expiresAt > now) return hit.record;
  if (hit) remembered?.delete(hash);
  const record = await prisma.apiKey.findUnique({ where: { hash } });
  if (!record || record.revokedAt !== null) return null;
  const expected = Buffer.from(record.hash, 'hex');
  const actual = Buffer.from(hash, 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  if (ttl > 0) {
    if (!remembered) {
      remembered = new Map();
      verifiedKeys.set(prisma, remembered);
    }
    // Maps iterate in insertion order: the first entry is the oldest.
    if (remembered.size >= VERIFIED_KEY_LIMIT) {
      const oldest = remembered.keys().next().value;
      if (oldest !== undefined) remembered.delete(oldest);
    }
    remembered.set(hash, { record, expiresAt: now + ttl });
  }
  return record;
}

/**
 * Records use of a key at most once per LAST_USED_RESOLUTION_MS. The condition lives in the
 * UPDATE, so API replicas racing on the same key write once. The record is updated in place, so a
 * remembered key (findActiveApiKey) does not ask again before the resolution has passed.
 */
export async function touchApiKey(prisma: PrismaClient, key: ApiKey, now = new Date()): Promise<void> {
  if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  key.lastUsedAt = now;
  await prisma.apiKey.updateMany({
    where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] },
    data: { lastUsedAt: now },
  });
}
