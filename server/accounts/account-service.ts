// The rules of user accounts: who may list, read, create, change and delete them, and what a change ends.
import type * as v from 'valibot';
import type {
  Account,
  AccountList,
  CreateAccountBodySchema,
  UpdateAccountBodySchema,
} from '../../shared/schemas/account';
import type { Authenticated } from '../auth/authenticate';
import { type Authorizer, Permission, requireFullCredential } from '../auth/authorize';
import type { PasswordHasher } from '../auth/password';
import type { PasswordSignIn } from '../auth/password-sign-in';
import { apiError, validationFailed } from '../errors';
import { page } from '../page';
import {
  LastManagerError,
  NameTakenError,
  type Store,
  type UserPatch,
  type UserRecord,
} from '../store/store';
import { type Clock, epochSeconds, toApiDate } from '../time';

type CreateAccountInput = v.InferOutput<typeof CreateAccountBodySchema>;
type UpdateAccountInput = v.InferOutput<typeof UpdateAccountBodySchema>;

export interface AccountServiceDeps {
  store: Store;
  clock: Clock;
  passwords: PasswordHasher;
  signIn: PasswordSignIn;
  authorizer: Authorizer;
}

function toAccount(user: UserRecord): Account {
  return {
    name: user.name,
    roles: user.roles,
    enabled: user.enabled,
    createdDate: toApiDate(user.createdAt),
  };
}

export function createAccountService({ store, clock, passwords, signIn, authorizer }: AccountServiceDeps) {
  /**
   * Changing accounts needs what changing tokens needs: a password, a session or an unrestricted token, so
   * that a restricted token holding usermanagement:manage cannot mint an administrator. Then the permission
   * itself.
   */
  async function demandAccountChange(caller: Authenticated): Promise<void> {
    requireFullCredential(caller);
    await authorizer.demand(caller, Permission.manageUsers);
  }

  /** The store refuses a change that would leave no enabled account able to manage users: 409. */
  async function keepingLastManager<T>(change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } catch (error) {
      if (error instanceof LastManagerError) throw apiError(409, 'CONFLICT', error.message);
      throw error;
    }
  }

  async function findUser(name: string): Promise<UserRecord> {
    const user = await store.findUserByName(name.normalize('NFC'));
    if (!user) throw apiError(404, 'NOT_FOUND', `No user named "${name}".`);
    return user;
  }

  /** Someone else's account needs the permission, asked first, so a caller without it cannot tell who exists. */
  async function demandUpdateOf(caller: Authenticated, name: string): Promise<void> {
    requireFullCredential(caller);
    if (name.normalize('NFC') !== caller.user.name) await authorizer.demand(caller, Permission.manageUsers);
  }

  return {
    /**
     * What a create or an update demands before its body is read: a caller without the permission learns that
     * (403), not what the body got wrong (422). The create and update check it again themselves.
     */
    mayCreate: demandAccountChange,
    mayUpdate: demandUpdateOf,

    async list(caller: Authenticated, query: { limit?: number; offset?: number }): Promise<AccountList> {
      await authorizer.demand(caller, Permission.viewUsers);
      return page((await store.listUsers()).map(toAccount), query);
    },

    async create(caller: Authenticated, body: CreateAccountInput): Promise<Account> {
      await demandAccountChange(caller);
      try {
        const user = await store.createUser({
          name: body.name,
          passwordHash: await passwords.hash(body.password),
          roles: body.roles ?? ['fmeuser'],
          enabled: body.enabled ?? true,
          createdAt: epochSeconds(clock),
        });
        return toAccount(user);
      } catch (error) {
        if (error instanceof NameTakenError) {
          throw apiError(409, 'NAME_TAKEN', `A user named "${body.name}" exists.`, { field: 'name' });
        }
        throw error;
      }
    },

    /** Your own account, or any with the permission to view users. */
    async get(caller: Authenticated, name: string): Promise<Account> {
      if (name !== caller.user.name) await authorizer.demand(caller, Permission.viewUsers);
      return toAccount(await findUser(name));
    },

    /**
     * Roles, enabled and other users' passwords need usermanagement:manage; your own password needs the current
     * one. `client` is asked only when the current password is checked (a sign-in attempt from that address).
     */
    async update(
      caller: Authenticated,
      name: string,
      body: UpdateAccountInput,
      client: () => string,
    ): Promise<void> {
      await demandUpdateOf(caller, name);
      const user = await findUser(name);
      const self = user.id === caller.user.id;
      const ownPasswordOnly = self && body.roles === undefined && body.enabled === undefined;
      if (!ownPasswordOnly) await authorizer.demand(caller, Permission.manageUsers);
      if (self && body.enabled === false) {
        throw apiError(409, 'CONFLICT', 'You cannot disable your own account; ask another administrator.');
      }
      const patch: UserPatch = {};
      if (body.password !== undefined) {
        if (self) {
          if (body.currentPassword === undefined) {
            throw validationFailed({ currentPassword: 'is needed to change your own password' });
          }
          // Counted as a sign-in attempt: a stolen token must not be a way to guess the password.
          const checked = await signIn.attempt(user.name, body.currentPassword, client());
          if (!checked) throw validationFailed({ currentPassword: 'is not your current password' });
        }
        patch.passwordHash = await passwords.hash(body.password);
      }
      if (body.roles !== undefined) patch.roles = body.roles;
      if (body.enabled !== undefined) patch.enabled = body.enabled;
      // A new password (or a disable) ends every other session in the same write: whoever knew the old one is
      // signed out, and a sign-in still checking it makes no session.
      const updated = await keepingLastManager(() =>
        store.updateUser(user.id, patch, { keepSessionId: self ? caller.token?.id : undefined }),
      );
      if (!updated) throw apiError(404, 'NOT_FOUND', `No user named "${user.name}".`);
    },

    async remove(caller: Authenticated, name: string): Promise<void> {
      await demandAccountChange(caller);
      const user = await findUser(name);
      if (user.id === caller.user.id) {
        throw apiError(409, 'CONFLICT', 'You cannot delete your own account; ask another administrator.');
      }
      if (!(await keepingLastManager(() => store.deleteUser(user.id))))
        throw apiError(404, 'NOT_FOUND', `No user named "${name}".`);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
