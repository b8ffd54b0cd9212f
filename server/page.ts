// One page of a list, as FME pages them: limit and offset, each echoed as -1 when not given.

export interface Page<T> {
  items: T[];
  totalCount: number;
  limit: number;
  offset: number;
}

/** One page of a list; a missing limit or offset is echoed as -1 (FME's "not given"), and -1 means all. */
export function page<T>(all: readonly T[], query: { limit?: number; offset?: number }): Page<T> {
  const limit = query.limit ?? -1;
  const offset = query.offset ?? -1;
  const start = Math.max(offset, 0);
  const items = limit < 0 ? all.slice(start) : all.slice(start, start + limit);
  return { items, totalCount: all.length, limit, offset };
}

/** What the API document says of `limit` and `offset`. */
export const PAGE_PARAMETERS = {
  limit: 'How many to return; -1 (or none) for all.',
  offset: 'How many to skip; -1 (or none) for none.',
} as const;
