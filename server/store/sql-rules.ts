// The rules the store holds, and how they stay true under concurrency and across instances sharing the store.
//
// A rule that reads before it writes (the last account that manages users, the API tokens and the active sessions a
// user may hold, the password a sign-in was checked against) is checked inside the transaction of the write it
// guards, after locking the rows it reads; the write's audit events commit in that same transaction. One
// mechanism, row locks (on `users`; for the token cap, on the owner's kept count), and no retries:
//
// - PostgreSQL (read committed): `SELECT … FOR UPDATE` on the users rows a rule is about. A second write about the
//   same user waits until the first has committed or rolled back, and each statement after the lock is granted
//   sees everything committed before it. A per-user rule locks that user's row; the API token cap instead locks the
//   owner's kept count of API tokens, in the one statement that makes the token (createCapped in sql-tokens.ts),
//   after a key-share lock on the owner's row that waits for no other create. The last-manager rule locks the
//   row of every enabled manager in id order, before the row it changes, so two such writes always queue in the
//   same order, never in a cycle. A wait is bounded by the statement timeout (503 with Retry-After).
// - SQLite: one process owns the file and every write is `BEGIN IMMEDIATE` on its one connection, so a write
//   transaction already excludes every other writer; the same queries run without the lock clause. Token creates
//   that arrive together share one such transaction, one after another, each in a savepoint (sqlite-store.ts).
//
// A lease (a short-lived child of an API token) is minted under the same lock: the owner's row, then the parent's
// (a write that disables, narrows or removes the parent locks that row too, and ends its leases), so at most
// `maxLive` live leases per parent, and none minted from a parent or an account that changed under the request.
//
// The cost: one indexed read of the user's row before a token or session is created, and one user's (or the
// managers') writes committed one after another.
import * as v from 'valibot';
import { MANAGE_USERS, rolesGranting } from '../../shared/permissions';
import { countOf, type Db, type SqlDialect } from './sql-dialect';
import {
  AccountChangedError,
  LastManagerError,
  type LeaseMint,
  LeaseParentError,
  TokenLimitError,
  TokenNotFoundError,
  type TokenRecord,
  type UserRecord,
} from './store';

/** The roles that let an account manage users. */
const MANAGER_ROLES = rolesGranting(MANAGE_USERS);

const manages = (user: Pick<UserRecord, 'roles' | 'enabled'>) =>
  user.enabled && user.roles.some((role) => MANAGER_ROLES.includes(role));

export type Rules = ReturnType<typeof createRules>;

export function createRules({ encode, rows, locksRows, hasAnyRole, prepared }: SqlDialect) {
  const parseUser = (row: unknown) => v.parse(rows.UserRowSchema, row);
  const lockedUsers = (trx: Db) =>
    trx
      .selectFrom('users')
      .selectAll()
      .$if(locksRows, (qb) => qb.forUpdate());

  /** The user's row, locked until the transaction ends; undefined when there is no such user. */
  async function lockUser(trx: Db, id: number): Promise<UserRecord | undefined> {
    const row = await lockedUsers(trx).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : parseUser(row);
  }

  return {
    lockUser,

    /**
     * PostgreSQL: key-share locks the owners of the tokens (found by id or digest), in id order, before a write
     * touches the tokens' rows. Such a write records an audit event that references its owner, and the foreign key
     * check of that insert key-share locks the owner's row: taken after the token's row, it waited in a cycle with
     * a write that locks the owner and then the token (a lease minted, a user changed or removed), and PostgreSQL
     * ended one of them (503). Locked first, every writer takes the owner before the token.
     */
    async lockOwnersOfTokens(trx: Db, tokens: { ids?: readonly number[]; digests?: readonly string[] }) {
      const ids = tokens.ids ?? [];
      const digests = tokens.digests ?? [];
      if (!locksRows || ids.length + digests.length === 0) return;
      const owners = trx
        .selectFrom('tokens')
        .select('user_id')
        .where((eb) =>
          eb.or([
            ...(ids.length > 0 ? [eb('id', 'in', [...ids])] : []),
            ...(digests.length > 0 ? [eb('digest', 'in', [...digests])] : []),
          ]),
        );
      await trx
        .selectFrom('users')
        .select('id')
        .where('id', 'in', owners)
        .orderBy('id')
        .forKeyShare()
        .execute();
    },

    /**
     * Locks every enabled manager (then the user), and throws LastManagerError when turning `user` into `after`
     * (undefined: deleting it) would leave none. Resolves with the user as it is, or undefined when there is none.
     */
    async keepLastManager(
      trx: Db,
      id: number,
      after: (user: UserRecord) => Pick<UserRecord, 'roles' | 'enabled'> | undefined,
    ): Promise<UserRecord | undefined> {
      const managers = (
        await lockedUsers(trx)
          .where('enabled', '=', encode.flag(true))
          .where(hasAnyRole(MANAGER_ROLES))
          .orderBy('id')
          .execute()
      )
        .map(parseUser)
        .filter(manages);
      const user = managers.find((manager) => manager.id === id) ?? (await lockUser(trx, id));
      if (user === undefined || !manages(user)) return user;
      const changed = after(user);
      if ((changed === undefined || !manages(changed)) && managers.length === 1) {
        throw new LastManagerError(
          `"${user.name}" is the last enabled account that can manage users; give another account the fmeadmin role first.`,
        );
      }
      return user;
    },

    /**
     * Locks the owner, and throws TokenLimitError when they already hold `max` API tokens; resolves with their
     * name. (Each dialect creates a capped token its own quicker way under the same rule: createCapped, one
     * statement, on PostgreSQL and createCappedNow, statements prepared once, on SQLite, in sql-tokens.ts.)
     */
    async holdTokenLimit(trx: Db, userId: number, max: number): Promise<string> {
      const owner = await lockUser(trx, userId);
      if (owner === undefined) throw new AccountChangedError('The account is gone.');
      const [held] = await prepared(
        trx,
        trx.selectFrom('token_counts').select('n').where('user_id', '=', userId).where('type', '=', 'USER'),
      );
      const count = held === undefined ? 0 : countOf(held);
      if (count >= max) throw new TokenLimitError(max, count);
      return owner.name;
    },

    /**
     * Locks the owner (as the request saw them: AccountChangedError otherwise) and the parent (TokenNotFoundError
     * when gone, LeaseParentError when disabled or expired), then ends the parent's expired leases and its oldest
     * live ones beyond `maxLive - 1`, so that one more fits; resolves with how many live ones ended.
     */
    async makeRoomForLease(trx: Db, parentId: number, mint: LeaseMint, now: number): Promise<number> {
      const owner = await lockUser(trx, mint.owner.id);
      if (owner === undefined || !owner.enabled || !sameAccount(owner, mint.owner)) {
        throw new AccountChangedError('The account changed while minting a lease.');
      }
      const parent = await trx
        .selectFrom('tokens')
        .select(['id', 'type', 'enabled', 'expires_at'])
        .where('id', '=', parentId)
        .where('user_id', '=', owner.id)
        .$if(locksRows, (qb) => qb.forUpdate())
        .executeTakeFirst();
      if (parent === undefined || parent.type !== 'USER') throw new TokenNotFoundError('No such API token.');
      if (!isSet(parent.enabled) || parent.expires_at <= now) {
        throw new LeaseParentError('A disabled or expired token cannot be leased.');
      }
      await trx
        .deleteFrom('leases')
        .where('parent_id', '=', parentId)
        .where('expires_at', '<=', now)
        .execute();
      const live = countOf(
        await trx
          .selectFrom('leases')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('parent_id', '=', parentId)
          .executeTakeFirst(),
      );
      const over = live - (mint.maxLive - 1);
      if (over <= 0) return 0;
      const oldest = trx
        .selectFrom('leases')
        .select('id')
        .where('parent_id', '=', parentId)
        .orderBy('created_at')
        .orderBy('id')
        .limit(over);
      await trx.deleteFrom('leases').where('id', 'in', oldest).execute();
      return over;
    },

    /**
     * Locks the user, and throws AccountChangedError unless they are enabled with the password hash the sign-in
     * checked: a sign-in racing a new password, a disable or a delete makes no session. Resolves with the user.
     */
    async checkSignIn(trx: Db, userId: number, passwordHash: string): Promise<UserRecord> {
      const user = await lockUser(trx, userId);
      if (user === undefined || !user.enabled || user.passwordHash !== passwordHash) {
        throw new AccountChangedError('The account changed while signing in; sign in again.');
      }
      return user;
    },

    /**
     * The user's oldest active sessions beyond `max - 1` (so that one more fits), with their owner, to end; the
     * user's row must be locked already.
     */
    async sessionsToEnd(trx: Db, userId: number, max: number, now: number): Promise<TokenRecord[]> {
      const active = trx
        .selectFrom('tokens')
        .where('tokens.user_id', '=', userId)
        .where('tokens.type', '=', 'SESSION')
        .where('tokens.expires_at', '>', now);
      const count = countOf(await active.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst());
      const over = count - (max - 1);
      if (over <= 0) return [];
      const oldest = await active
        .innerJoin('users', 'users.id', 'tokens.user_id')
        .selectAll('tokens')
        .select('users.name as owner')
        .orderBy('tokens.created_at')
        .orderBy('tokens.id')
        .limit(over)
        .execute();
      return oldest.map((row) => v.parse(rows.TokenRowSchema, row));
    },
  };
}

/** The account as a request authenticated it: same password, roles and state (its sessions and leases rest on them). */
function sameAccount(a: UserRecord, b: UserRecord): boolean {
  return (
    a.passwordHash === b.passwordHash &&
    a.enabled === b.enabled &&
    a.roles.length === b.roles.length &&
    a.roles.every((role, i) => role === b.roles[i])
  );
}

/** A flag column as either dialect returns it. */
const isSet = (flag: number | boolean) => flag === true || flag === 1;
