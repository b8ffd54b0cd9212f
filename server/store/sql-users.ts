// Users in the SQL store, one query per method for both dialects.
import * as v from 'valibot';
import { affected, countOf, deleteById, type SqlDialect } from './sql-dialect';
import { staleAfter, type UserStore } from './store';

export function createUserStore(dialect: SqlDialect): UserStore {
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
    deleteUser: (id) => deleteById(dialect, 'users', id, staleAfter.user(id)),
    updateUser: (id, patch) =>
      write(async (trx) => {
        // `id = id` too: with nothing else to set, the update still tells whether the user exists.
        const set = {
          id,
          ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
          ...(patch.roles !== undefined && { roles: encode.strings(patch.roles) }),
          ...(patch.enabled !== undefined && { enabled: encode.flag(patch.enabled) }),
        };
        return affected(await trx.updateTable('users').set(set).where('id', '=', id).executeTakeFirst());
      }, staleAfter.user(id)),
  };
}
