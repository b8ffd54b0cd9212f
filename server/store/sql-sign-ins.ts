// Sign-in failure streaks, blocks and known clients in the SQL store, one query per method for both dialects.
import { sql } from 'kysely';
import * as v from 'valibot';
import { rowsAffected, type SqlDialect, writeOnly } from './sql-dialect';
import type { SignInStore } from './store';

export function createSignInStore(dialect: SqlDialect): SignInStore {
  const { db, write } = dialect;
  return {
    bumpSignInStreak: (key, nowMs, forgetAfterMs) =>
      write(async (trx) => {
        const row = await trx
          .insertInto('sign_in_streaks')
          .values({ key, failures: 1, last_failure: nowMs, blocked_until: 0 })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({
              failures: sql<number>`CASE WHEN ${nowMs} - sign_in_streaks.last_failure > ${forgetAfterMs}
                THEN 1 ELSE sign_in_streaks.failures + 1 END`,
              last_failure: nowMs,
            }),
          )
          .returning('failures')
          .executeTakeFirst();
        return v.parse(v.number(), row?.failures);
      }),
    blockSignIn: (key, untilMs) =>
      writeOnly(dialect, (trx) =>
        trx.updateTable('sign_in_streaks').set({ blocked_until: untilMs }).where('key', '=', key),
      ),
    signInBlockedUntil: async (keys) => {
      if (keys.length === 0) return 0;
      const row = await db
        .selectFrom('sign_in_streaks')
        .select((eb) => eb.fn.max('blocked_until').as('until'))
        .where('key', 'in', keys)
        .executeTakeFirst();
      return v.parse(v.nullable(v.number()), row?.until ?? null) ?? 0;
    },
    // Read first: even a DELETE that matches nothing takes the write lock, and most sign-ins have no streak.
    clearSignInStreak: async (key) => {
      const streak = await db
        .selectFrom('sign_in_streaks')
        .select('key')
        .where('key', '=', key)
        .executeTakeFirst();
      if (streak) await writeOnly(dialect, (trx) => trx.deleteFrom('sign_in_streaks').where('key', '=', key));
    },
    addAccountFailure: (account, atMs) =>
      writeOnly(dialect, (trx) => trx.insertInto('account_failures').values({ account, at: atMs })),
    accountFailuresSince: async (account, sinceMs, limit) =>
      (
        await db
          .selectFrom('account_failures')
          .select('at')
          .where('account', '=', account)
          .where('at', '>', sinceMs)
          .orderBy('at', 'desc')
          .limit(limit)
          .execute()
      ).map((row) => row.at),
    pruneSignInFailures: (beforeMs) =>
      write(
        async (trx) =>
          rowsAffected(
            await trx
              .deleteFrom('sign_in_streaks')
              .where('last_failure', '<', beforeMs)
              .where('blocked_until', '<', beforeMs)
              .executeTakeFirst(),
          ) +
          rowsAffected(
            await trx.deleteFrom('account_failures').where('at', '<', beforeMs).executeTakeFirst(),
          ),
      ),

    rememberSignInClient: (key, atMs) =>
      writeOnly(dialect, (trx) =>
        trx
          .insertInto('sign_in_clients')
          .values({ key, last_success: atMs })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({
              last_success: sql<number>`CASE WHEN excluded.last_success > sign_in_clients.last_success
                THEN excluded.last_success ELSE sign_in_clients.last_success END`,
            }),
          ),
      ),
    signInClientLastSuccess: async (key) =>
      (
        await db
          .selectFrom('sign_in_clients')
          .select('last_success')
          .where('key', '=', key)
          .executeTakeFirst()
      )?.last_success,
    forgetSignInClients: (beforeMs) =>
      write(async (trx) =>
        rowsAffected(
          await trx.deleteFrom('sign_in_clients').where('last_success', '<', beforeMs).executeTakeFirst(),
        ),
      ),
  };
}
