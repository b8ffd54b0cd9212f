// Leaked values reported by anyone: the tokens among them disabled and marked exposed, the leases ended, in one write.
import * as v from 'valibot';
import { insertAuditEvents } from './sql-audit';
import type { SqlDialect } from './sql-dialect';
import type { Rules } from './sql-rules';
import { type ExposureStore, staleAfter } from './store';

export function createExposureStore(dialect: SqlDialect, rules: Rules): ExposureStore {
  const { encode, rows, write } = dialect;
  return {
    reportExposed: (digests, at, audit) =>
      write(
        async (trx) => {
          // The owners first, of the tokens and of the leases' parents, in one ordered pass (sql-rules.ts's order).
          const reportedLeases = await trx
            .selectFrom('leases')
            .select('parent_id')
            .where('digest', 'in', [...digests])
            .execute();
          await rules.lockOwnersOfTokens(trx, {
            digests,
            ids: reportedLeases.map((row) => Number(row.parent_id)),
          });
          const found = await trx
            .selectFrom('tokens as t')
            .innerJoin('users as u', 'u.id', 't.user_id')
            .selectAll('t')
            .select('u.name as owner')
            .where('t.digest', 'in', [...digests])
            .orderBy('t.id')
            // The tokens' rows only: their owners are locked above, and more weakly.
            .$if(dialect.locksRows, (qb) => qb.forUpdate('t'))
            .execute();
          const tokens = found.map((row) => v.parse(rows.TokenRowSchema, row));
          const ids = tokens.map((token) => token.id);
          if (ids.length > 0) {
            await trx
              .updateTable('tokens')
              .set({ enabled: encode.flag(false), exposed_at: at })
              .where('id', 'in', ids)
              .execute();
            await trx.deleteFrom('leases').where('parent_id', 'in', ids).execute();
          }
          const ended = await trx
            .deleteFrom('leases')
            .where('digest', 'in', [...digests])
            .returning('parent_id')
            .execute();
          const leaseParents = [...new Set(ended.map((row) => row.parent_id))];
          const parents =
            leaseParents.length === 0
              ? []
              : (
                  await trx
                    .selectFrom('tokens as t')
                    .innerJoin('users as u', 'u.id', 't.user_id')
                    .selectAll('t')
                    .select('u.name as owner')
                    .where('t.id', 'in', leaseParents)
                    .execute()
                ).map((row) => v.parse(rows.TokenRowSchema, row));
          await insertAuditEvents(trx, [
            ...tokens.map((token) => audit(token, false)),
            ...parents.map((token) => audit(token, true)),
          ]);
          return {
            tokens: tokens.map((token) => ({ ...token, enabled: false, exposedAt: at })),
            leaseParents,
          };
        },
        ({ tokens, leaseParents }) => [
          ...tokens.map((token) => staleAfter.token(token.id)),
          ...leaseParents.map((id) => staleAfter.token(id)),
        ],
      ),
  };
}
