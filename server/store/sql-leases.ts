// Leases in the SQL store, one query per method for both dialects; the cap they keep is in sql-rules.ts.
import { sql } from 'kysely';
import * as v from 'valibot';
import { countOf, rowsAffected, type SqlDialect } from './sql-dialect';
import type { Rules } from './sql-rules';
import { type LeaseStore, staleAfter } from './store';

/** Uses per statement: two parameters each, far below either dialect's limit. */
const USES_PER_STATEMENT = 500;

export function createLeaseStore(dialect: SqlDialect, rules: Rules): LeaseStore {
  const { db, rows, write } = dialect;
  const parse = (row: unknown) => v.parse(rows.LeaseRowSchema, row);
  return {
    createLease: (lease, mint) =>
      write(
        async (trx) => {
          const ended = await rules.makeRoomForLease(trx, lease.parentId, mint, lease.createdAt);
          const row = await trx
            .insertInto('leases')
            .values({
              parent_id: lease.parentId,
              user_id: lease.userId,
              digest: lease.digest,
              created_at: lease.createdAt,
              expires_at: lease.expiresAt,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          return { lease: parse(row), ended };
        },
        // Cached leases are checked against their parent's cached entry: making it stale ends the ones that went.
        ({ ended }) => (ended > 0 ? [staleAfter.token(lease.parentId)] : []),
      ),
    findLeaseByDigest: async (digest) => {
      const row = await db
        .selectFrom('leases as l')
        .innerJoin('tokens as t', 't.id', 'l.parent_id')
        .selectAll('l')
        .select('t.digest as parent_digest')
        .where('l.digest', '=', digest)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const { parent_digest: parentDigest, ...lease } = row;
      return { lease: parse(lease), parentDigest };
    },
    leaseSummary: async (parentId, now) => {
      const row = await db
        .selectFrom('leases')
        .select((eb) => [
          eb.fn.countAll().filterWhere('expires_at', '>', now).as('n'),
          eb.fn.max('last_used_at').as('last'),
        ])
        .where('parent_id', '=', parentId)
        .executeTakeFirst();
      const last = row?.last;
      return { live: countOf(row), lastUsedAt: last === null || last === undefined ? null : Number(last) };
    },
    endLeases: (parentId) =>
      write(
        async (trx) =>
          rowsAffected(await trx.deleteFrom('leases').where('parent_id', '=', parentId).executeTakeFirst()),
        staleAfter.token(parentId),
      ),
    markLeasesUsed: async (uses) => {
      const latest = new Map<number, number>();
      for (const { id, at } of uses) latest.set(id, Math.max(at, latest.get(id) ?? at));
      const all = [...latest].map(([id, at]) => ({ id, at }));
      if (all.length === 0) return;
      await write(async (trx) => {
        for (let start = 0; start < all.length; start += USES_PER_STATEMENT) {
          const values = sql.join(
            all
              .slice(start, start + USES_PER_STATEMENT)
              .map(({ id, at }) => sql`(CAST(${id} AS BIGINT), CAST(${at} AS BIGINT))`),
          );
          await sql`WITH uses (id, at) AS (VALUES ${values})
            UPDATE leases SET last_used_at = uses.at FROM uses
            WHERE leases.id = uses.id AND leases.id IN (SELECT id FROM uses)
              AND (leases.last_used_at IS NULL OR leases.last_used_at < uses.at)`.execute(trx);
        }
      });
    },
  };
}
