/**
 * Cursor pagination as the Pagination reference describes it: `page[size]` (max 100) turns it
 * on, `page[after]` / `page[before]` take opaque cursors, and the reply carries
 * `meta: {has_more, after_cursor, before_cursor}` and `links: {next, prev}`.
 */
export interface CursorPage<T> {
  items: T[];
  meta: { has_more: boolean; after_cursor: string | null; before_cursor: string | null };
  links: { next: string | null; prev: string | null };
}

export type CursorPageResult<T> =
  { ok: true; page: CursorPage<T> } | { ok: false; description: string };

function encodeCursor(index: number): string {
  return Buffer.from(`i:${index}`).toString('base64url');
}

function decodeCursor(cursor: string): number | null {
  const match = /^i:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : null;
}

export function readPageSize(raw: unknown): number | null {
  if (raw === undefined) return null;
  const size = Number(raw);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 100) : null;
}

/** Pages over an already ordered list. `pageUrl` builds links for a given cursor query. */
export function paginateByCursor<T>(
  items: T[],
  query: { size: number; after?: unknown; before?: unknown },
  pageUrl: (cursorParam: string) => string,
): CursorPageResult<T> {
  let start = 0;
  let end = Math.min(items.length, query.size);
  if (typeof query.after === 'string') {
    const index = decodeCursor(query.after);
    if (index === null) return { ok: false, description: 'Invalid page[after] cursor' };
    start = index + 1;
    end = Math.min(items.length, start + query.size);
  } else if (typeof query.before === 'string') {
    const index = decodeCursor(query.before);
    if (index === null) return { ok: false, description: 'Invalid page[before] cursor' };
    end = index;
    start = Math.max(0, end - query.size);
  }
  const pageItems = items.slice(start, end);
  const hasMore = end < items.length;
  const afterCursor = pageItems.length > 0 ? encodeCursor(end - 1) : null;
  const beforeCursor = pageItems.length > 0 ? encodeCursor(start) : null;
  return {
    ok: true,
    page: {
      items: pageItems,
      meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
      links: {
        next: hasMore && afterCursor ? pageUrl(`page[after]=${afterCursor}`) : null,
        prev: start > 0 && beforeCursor ? pageUrl(`page[before]=${beforeCursor}`) : null,
      },
    },
  };
}
