/**
 * Keyset paging, the one way every list is read: rows in the list's order after a position (the
 * sort key of the last row a client saw), `limit + 1` of them, so the extra row tells whether a
 * next page exists without a count. The API turns positions into opaque cursors and back.
 */

/** Where a page starts (after this position; absent: the first page) and how long it is. */
export interface PageRequest<P> {
  after?: P | undefined;
  limit: number;
}

/** Up to `limit` rows, and the position to ask the next page after; null on the last page. */
export interface Page<T, P> {
  items: T[];
  next: P | null;
}

/** The position of a list ordered by id. */
export interface IdPosition {
  id: string;
}

/** A page from the `limit + 1` rows read in page order (`positionOf` gives a row's sort key). */
export function pageOf<T, P>(rows: readonly T[], limit: number, positionOf: (row: T) => P): Page<T, P> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? positionOf(last) : null };
}

/** A page of a list ordered by id. */
export function idPageOf<T extends IdPosition>(rows: readonly T[], limit: number): Page<T, IdPosition> {
  return pageOf(rows, limit, (row) => ({ id: row.id }));
}
