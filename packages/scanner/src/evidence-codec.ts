/**
 * The organization evidence of a scan as the JSON stored with the scan (@rootaudit/store), and
 * back: the account jobs of a scan judge against exactly what its discovery read. JSON would turn
 * a Date into a string and drop what it cannot hold, so Dates are written tagged and revived, and
 * anything else JSON would change (a Map, a Set, a bigint, a non-finite number, a function) is
 * refused at encoding, naming where it is: a collector that breaks the plain-data contract fails
 * the discovery loudly rather than changing verdicts quietly.
 */
import { type EvidenceKey, organizationEvidenceKeys } from '@rootaudit/checks';
import { isOrganizationEvidenceKey, type OrganizationEvidence } from './evidence-cache.ts';

/** Bumped when the stored shape changes; a stored document of another format is not read. */
export const ORGANIZATION_EVIDENCE_FORMAT = 1;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A type, not an interface, so it is assignable to a JSON column's input type. */
export type StoredOrganizationEvidence = {
  format: typeof ORGANIZATION_EVIDENCE_FORMAT;
  evidence: { [key: string]: Json };
};

/** The tag of an encoded Date: `{ "$date": "<ISO-8601>" }`. */
const DATE_TAG = '$date';

export class OrganizationEvidenceCodecError extends Error {
  override readonly name = 'OrganizationEvidenceCodecError';
}

function encodeValue(value: unknown, path: string): Json | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new OrganizationEvidenceCodecError(`${path} is ${value}, which JSON cannot hold`);
  }
  if (value instanceof Date) return { [DATE_TAG]: value.toISOString() };
  if (Array.isArray(value)) {
    return value.map((item, index) => {
      const encoded = encodeValue(item, `${path}[${index}]`);
      if (encoded === undefined) throw new OrganizationEvidenceCodecError(`${path}[${index}] is undefined`);
      return encoded;
    });
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0]?.[0] === DATE_TAG)
      throw new OrganizationEvidenceCodecError(`${path} is an object whose only key is ${DATE_TAG}`);
    const encoded: { [key: string]: Json } = {};
    for (const [key, item] of entries) {
      const json = encodeValue(item, `${path}.${key}`);
      if (json !== undefined) encoded[key] = json;
    }
    return encoded;
  }
  const kind = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  throw new OrganizationEvidenceCodecError(`${path} is a ${kind}, which JSON cannot hold`);
}

function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const [only] = entries;
    if (entries.length === 1 && only?.[0] === DATE_TAG && typeof only[1] === 'string')
      return new Date(only[1]);
    return Object.fromEntries(entries.map(([key, item]) => [key, decodeValue(item)]));
  }
  return value;
}

/** The evidence as JSON to store; throws OrganizationEvidenceCodecError on what JSON cannot hold. */
export function encodeOrganizationEvidence(evidence: OrganizationEvidence): StoredOrganizationEvidence {
  const encoded: { [key: string]: Json } = {};
  for (const [key, collected] of Object.entries(evidence)) {
    if (!isOrganizationEvidenceKey(key as EvidenceKey))
      throw new OrganizationEvidenceCodecError(`${key} is not organization evidence`);
    const json = encodeValue(collected, key);
    if (json !== undefined) encoded[key] = json;
  }
  return { format: ORGANIZATION_EVIDENCE_FORMAT, evidence: encoded };
}

/**
 * The evidence a stored document holds. Throws OrganizationEvidenceCodecError, saying what is
 * wrong, for a document of another format, an unknown key, or an entry that is neither
 * `{ ok: true, value }` nor `{ ok: false, error: { action, code, message } }`.
 */
export function decodeOrganizationEvidence(stored: unknown): OrganizationEvidence {
  const document = stored as Partial<StoredOrganizationEvidence> | null;
  if (document?.format !== ORGANIZATION_EVIDENCE_FORMAT || typeof document.evidence !== 'object') {
    throw new OrganizationEvidenceCodecError(
      `the stored organization evidence is not of format ${ORGANIZATION_EVIDENCE_FORMAT}`,
    );
  }
  const evidence: Record<string, unknown> = {};
  for (const [key, collected] of Object.entries(document.evidence ?? {})) {
    if (!(organizationEvidenceKeys as readonly string[]).includes(key))
      throw new OrganizationEvidenceCodecError(`the stored organization evidence has an unknown key ${key}`);
    const entry = collected as { ok?: unknown; value?: unknown; error?: Record<string, unknown> } | null;
    const failed =
      entry?.ok === false &&
      ['action', 'code', 'message'].every((field) => typeof entry.error?.[field] === 'string');
    if (!(entry?.ok === true && 'value' in entry) && !failed)
      throw new OrganizationEvidenceCodecError(`the stored organization evidence of ${key} is malformed`);
    evidence[key] = decodeValue(collected);
  }
  return evidence as OrganizationEvidence;
}
