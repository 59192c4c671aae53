/** Zod building blocks shared by the routes: query parameter types, cursors, and response items. */
import { z } from 'zod';

export const CHECK_STATUSES = ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE'] as const;
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export const ACCOUNT_STATUSES = [
  'ACTIVE',
  'SUSPENDED',
  'PENDING_ACTIVATION',
  'PENDING_CLOSURE',
  'CLOSED',
] as const;
export const SCAN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED'] as const;

export const accountId = z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id');
/** An OU (ou-xxxx-yyyyyyyy) or the organization root (r-xxxx). */
export const ouId = z
  .string()
  .regex(
    /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/,
    'expected an OU id (ou-…) or a root id (r-…)',
  );
export const uuid = z.uuid({ message: 'expected a UUID' });
export const checkId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a check id such as root-mfa-enabled');

/** `a,b,c` in a query parameter: each element must satisfy `item`. */
export function commaList<T extends z.ZodType<unknown, string>>(item: T) {
  return z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(item).min(1, 'expected at least one value'));
}

export const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

export const dateTimeQuery = z.iso
  .datetime({ offset: true, message: 'expected an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z' })
  .transform((value) => new Date(value));

/** An integer query parameter from `min` to `max`, `fallback` when absent. */
export function integerQuery(min: number, max: number, fallback: number) {
  const message = `expected an integer from ${min} to ${max}`;
  return z.coerce.number({ message }).int(message).min(min, message).max(max, message).default(fallback);
}

export const limitQuery = integerQuery(1, 500, 100);

/**
 * Opaque cursors: base64url JSON of the last row's sort key. Clients pass them back untouched; the
 * shape may change between versions without breaking them as long as old ones still decode.
 */
function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function cursorQuery<T extends z.ZodType>(position: T) {
  return z.string().transform((value, context): z.output<T> => {
    try {
      const decoded: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
      const parsed = position.safeParse(decoded);
      if (parsed.success) return parsed.data;
    } catch {
      // falls through to the issue below
    }
    context.addIssue({ code: 'custom', message: 'not a cursor returned by this endpoint' });
    return z.NEVER;
  });
}

export const idCursor = z.object({ id: z.string().min(1) }).strict();

/** The query parameters of a list paged by id. */
export const idPageQuery = { limit: limitQuery, cursor: cursorQuery(idCursor).optional() };

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/**
 * A page from `limit + 1` rows read in page order: the first `limit`, and when the extra row shows
 * there are more, the cursor of the last of them (`position` gives its sort key).
 */
export function pageOf<R>(
  rows: readonly R[],
  limit: number,
  position: (row: R) => Record<string, string>,
): { items: R[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(position(last)) : null,
  };
}

/** The position of a row in a list paged by id (idCursor). */
export const byId = (row: { id: string }) => ({ id: row.id });

export const isoDate = z.iso.datetime();
export const nullableIsoDate = isoDate.nullable();

export function iso(date: Date): string;
export function iso(date: Date | null): string | null;
export function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/** Counts per status, every status present. */
export const statusCounts = z.object({
  PASS: z.number().int(),
  FAIL: z.number().int(),
  ERROR: z.number().int(),
  NOT_APPLICABLE: z.number().int(),
});
export type StatusCounts = z.infer<typeof statusCounts>;

export function emptyStatusCounts(): StatusCounts {
  return { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0 };
}

export const severityCounts = z.object({
  critical: z.number().int(),
  high: z.number().int(),
  medium: z.number().int(),
  low: z.number().int(),
  informational: z.number().int(),
});
export type SeverityCounts = z.infer<typeof severityCounts>;

export function emptySeverityCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, informational: 0 };
}

/** PASS / (PASS + FAIL), four decimals; null when nothing passed or failed. */
export function passRate(counts: { PASS: number; FAIL: number }): number | null {
  const evaluated = counts.PASS + counts.FAIL;
  return evaluated === 0 ? null : Math.round((counts.PASS / evaluated) * 10_000) / 10_000;
}
