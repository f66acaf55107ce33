/** A page of a list ordered newest first; `nextCursor` is the id to pass as `cursor` for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Prisma arguments for one page: one row more than asked, to know whether another page follows. */
export function pageQuery(limit: number, cursor?: string) {
  return {
    orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  };
}

export function toPage<R, T extends { id: string }>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit).map(map);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
}

/** The page size a caller asked for, kept within 1..100. */
export function pageLimit(limit = 20): number {
  return Math.min(Math.max(limit, 1), 100);
}
