// Users in the SQL store, one query per method for both dialects; the rules they keep are in sql-rules.ts.
import * as v from 'valibot';
import { insertAuditEvents } from './sql-audit';
import { affected, countOf, type SqlDialect } from './sql-dialect';
import type { Rules } from './sql-rules';
import { staleAfter, type UserStore } from './store';

export function createUserStore(dialect: SqlDialect, rules: Rules): UserStore {
  const { db, encode, rows, write } = dialect;
  const parse = (row: unknown) => v.parse(rows.UserRowSchema, row);
  return {
    countUsers: async () =>
      countOf(
        await db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      ),
    createUser: (user) =>
      write(async (trx) =>
        parse(
          await trx
            .insertInto('users')
            .values({
              name: user.name,
              password_hash: user.passwordHash,
              roles: encode.strings(user.roles),
              enabled: encode.flag(user.enabled),
              created_at: user.createdAt,
            })
            .returningAll()
            .executeTakeFirst(),
        ),
      ),
    findUserByName: async (name) => {
      const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      return row === undefined ? undefined : parse(row);
    },
    listUsers: async () => (await db.selectFrom('users').selectAll().orderBy('name').execute()).map(parse),
    deleteUser: (id) =>
      write(async (trx) => {
        if ((await rules.keepLastManager(trx, id, () => undefined)) === undefined) return false;
        return affected(await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst());
      }, staleAfter.user(id)),
    updateUser: (id, patch, options = {}) =>
      write(async (trx) => {
        // Only roles or a disable can take the ability to manage users away.
        const user =
          patch.roles !== undefined || patch.enabled === false
            ? await rules.keepLastManager(trx, id, (current) => ({ ...current, ...patch }))
            : await rules.lockUser(trx, id);
        if (user === undefined) return false;
        const set = {
          ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
          ...(patch.roles !== undefined && { roles: encode.strings(patch.roles) }),
          ...(patch.enabled !== undefined && { enabled: encode.flag(patch.enabled) }),
        };
        if (Object.keys(set).length > 0)
          await trx.updateTable('users').set(set).where('id', '=', id).execute();
        // Whoever signed in with the old password, or to the account now disabled, is signed out with the change:
        // a sign-in still in flight finds the account changed (sql-rules.ts) and makes no session.
        if (patch.passwordHash !== undefined || patch.enabled === false) {
          await trx
            .deleteFrom('tokens')
            .where('user_id', '=', id)
            .where('type', '=', 'SESSION')
            .$if(options.keepSessionId !== undefined, (qb) =>
              qb.where('id', '!=', options.keepSessionId ?? 0),
            )
            .execute();
        }
        // Every change to the account ends its leases: they rest on the account as it was when they were minted.
        if (Object.keys(set).length > 0) await trx.deleteFrom('leases').where('user_id', '=', id).execute();
        await insertAuditEvents(trx, options.audit ?? []);
        return true;
      }, staleAfter.user(id)),
  };
}
