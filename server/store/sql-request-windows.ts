// Request windows in the SQL store: one upsert per request, so instances sharing the store count together.
import { sql } from 'kysely';
import { countOf, rowsAffected, type SqlDialect } from './sql-dialect';
import type { RequestWindowStore } from './store';

export function createRequestWindowStore({ write }: SqlDialect): RequestWindowStore {
  return {
    countRequest: (key, nowMs, windowMs) =>
      write(async (trx) => {
        // The row is locked by the upsert itself: a request counted meanwhile elsewhere is counted after it.
        const row = await trx
          .insertInto('request_windows')
          .values({ key, count: 1, ends_at: nowMs + windowMs })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({
              count: sql<number>`CASE WHEN request_windows.ends_at <= ${nowMs} THEN 1
                ELSE request_windows.count + 1 END`,
              ends_at: sql<number>`CASE WHEN request_windows.ends_at <= ${nowMs} THEN excluded.ends_at
                ELSE request_windows.ends_at END`,
            }),
          )
          .returning(['count', 'ends_at'])
          .executeTakeFirst();
        // BIGINT comes back from PostgreSQL as a string.
        return { count: countOf({ n: row?.count }), endsAtMs: countOf({ n: row?.ends_at }) };
      }),
    pruneRequestWindows: (beforeMs) =>
      write(async (trx) =>
        rowsAffected(
          await trx.deleteFrom('request_windows').where('ends_at', '<', beforeMs).executeTakeFirst(),
        ),
      ),
  };
}
