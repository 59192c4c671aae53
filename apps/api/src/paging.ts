/**
 * The one paging helper of every list route: `limit` and `cursor` query parameters, and the
 * `{ items, nextCursor }` body of a page the store read (@rootaudit/store's keyset paging).
 *
 * Cursors are opaque: base64url JSON of the list's name (`list`) and the position of the last row
 * (its sort key). Clients pass them back untouched. The list name binds a cursor to the list that
 * issued it: another list's cursor could otherwise decode (every id list's position is `{ id }`)
 * and silently page from a meaningless position.
 */
import type { Page, PageRequest } from '@rootaudit/store';
import { z } from 'zod';
import { integerQuery, NUL } from './schemas.ts';

export const limitQuery = integerQuery(1, 500, 100);

export interface CursorList<T extends z.ZodObject> {
  /** The `cursor` query parameter of this list: the position it names. */
  query: z.ZodType<z.output<T>, string>;
  encode(position: z.input<T>): string;
}

export function cursorList<T extends z.ZodObject>(list: string, position: T): CursorList<T> {
  const tagged = position.extend({ list: z.literal(list) }).strict();
  return {
    query: z.string().transform((value, context): z.output<T> => {
      try {
        const text = Buffer.from(value, 'base64url').toString('utf8');
        const parsed = tagged.safeParse(JSON.parse(text));
        if (parsed.success && !text.includes(NUL)) {
          const { list: _list, ...rest } = parsed.data as Record<string, unknown>;
          return rest as z.output<T>;
        }
      } catch {
        // falls through to the issue below
      }
      context.addIssue({ code: 'custom', message: 'not a cursor returned by this endpoint' });
      return z.NEVER;
    }),
    encode: (key) => Buffer.from(JSON.stringify({ list, ...key }), 'utf8').toString('base64url'),
  };
}

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** A paged list: its query parameters, the store's page request, and the page as a response body. */
export function pagedList<T extends z.ZodObject>(list: string, position: T) {
  const cursor = cursorList(list, position);
  return {
    cursor,
    /** The `limit` and `cursor` query parameters. */
    pageQuery: { limit: limitQuery, cursor: cursor.query.optional() },
    /** What the store reads for these query parameters. */
    request: (query: { limit: number; cursor?: z.output<T> | undefined }): PageRequest<z.output<T>> => ({
      limit: query.limit,
      after: query.cursor,
    }),
    /** `{ items, nextCursor }`: the page's rows as items, its next position as a cursor. */
    body: <R, I>(rows: Page<R, z.input<T>>, toItem: (row: R) => I) => ({
      items: rows.items.map(toItem),
      nextCursor: rows.next === null ? null : cursor.encode(rows.next),
    }),
  };
}

/** A list paged by id; `id` is what the list's ids look like. */
export function idPagedList(list: string, id: z.ZodType<string, string>) {
  return pagedList(list, z.object({ id }));
}
