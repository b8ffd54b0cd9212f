// User administration (SPEC §3.3): /fmerest/v3/security/accounts.
import { Hono } from 'hono';
import {
  type Account,
  type AccountList,
  AccountListSchema,
  AccountSchema,
  CreateAccountBodySchema,
  UpdateAccountBodySchema,
} from '../../shared/schemas/account';
import type { AuthEnv, Authenticate, Authenticated } from '../auth/authenticate';
import { type Authorizer, Permission, requireFullCredential } from '../auth/authorize';
import type { PasswordHasher } from '../auth/password';
import type { PasswordSignIn } from '../auth/password-sign-in';
import { apiError, validationFailed } from '../errors';
import type { ClientAddress } from '../http/client-address';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import {
  LastManagerError,
  NameTakenError,
  type Store,
  type UserPatch,
  type UserRecord,
} from '../store/store';
import { type Clock, epochSeconds, toApiDate } from '../time';
import { jsonBody } from '../validation';

export interface AccountRoutesDeps {
  store: Store;
  clock: Clock;
  passwords: PasswordHasher;
  signIn: PasswordSignIn;
  clientAddress: ClientAddress;
  authenticate: Authenticate;
  authorizer: Authorizer;
}

const ACCOUNT_PARAMETERS = { name: 'The user name, URL-encoded.' } as const;

function toAccount(user: UserRecord): Account {
  return {
    name: user.name,
    roles: user.roles,
    enabled: user.enabled,
    createdDate: toApiDate(user.createdAt),
  };
}

export function createAccountRoutes(deps: AccountRoutesDeps) {
  const { store, passwords, clock, authenticate, authorizer } = deps;
  const routes = new Hono<AuthEnv>();
  routes.use(authenticate);
  /**
   * Changing accounts needs what changing tokens needs (SPEC §3.3): a password, a session or an unrestricted
   * token, so that a restricted token holding usermanagement:manage cannot mint an administrator. Then the
   * permission itself.
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

  describe(
    {
      operationId: 'listAccounts',
      summary: 'List users',
      description: 'Needs `usermanagement:access`.',
      tag: TAGS.security,
      security: 'fmetoken-or-basic',
      responses: { 200: json('Every user.', AccountListSchema), ...errorResponses(401, 403) },
    },
    routes.get('/', async (c) => {
      await authorizer.demand(c.var.auth, Permission.viewUsers);
      const users = await store.listUsers();
      return c.json({ items: users.map(toAccount), totalCount: users.length } satisfies AccountList);
    }),
  );

  describe(
    {
      operationId: 'createAccount',
      summary: 'Create a user',
      description: 'Needs `usermanagement:manage`. Roles default to `fmeuser`.',
      tag: TAGS.security,
      security: 'fmetoken-or-basic',
      body: { mediaType: 'application/json', schema: CreateAccountBodySchema, required: true },
      responses: {
        201: json('The new user.', AccountSchema),
        ...errorResponses(400, 401, 403, 409, 415, 422),
      },
    },
    routes.post('/', ...jsonBody(CreateAccountBodySchema), async (c) => {
      await demandAccountChange(c.var.auth);
      const body = c.req.valid('json');
      try {
        const user = await store.createUser({
          name: body.name,
          passwordHash: await passwords.hash(body.password),
          roles: body.roles ?? ['fmeuser'],
          enabled: body.enabled ?? true,
          createdAt: epochSeconds(clock),
        });
        return c.json(toAccount(user), 201);
      } catch (error) {
        if (error instanceof NameTakenError) {
          throw apiError(409, 'NAME_TAKEN', `A user named "${body.name}" exists.`, { field: 'name' });
        }
        throw error;
      }
    }),
  );

  describe(
    {
      operationId: 'getAccount',
      summary: 'Get a user',
      description: 'Your own account, or any with `usermanagement:access`.',
      tag: TAGS.security,
      security: 'fmetoken-or-basic',
      parameters: ACCOUNT_PARAMETERS,
      responses: { 200: json('The user.', AccountSchema), ...errorResponses(401, 403, 404) },
    },
    routes.get('/:name', async (c) => {
      const name = c.req.param('name');
      if (name !== c.var.auth.user.name) await authorizer.demand(c.var.auth, Permission.viewUsers);
      return c.json(toAccount(await findUser(name)));
    }),
  );

  describe(
    {
      operationId: 'updateAccount',
      summary: 'Update a user',
      description:
        "Roles, enabled and other users' passwords need `usermanagement:manage`. Your own password needs " +
        '`currentPassword`, and ends your other sessions.',
      tag: TAGS.security,
      security: 'fmetoken-or-basic',
      parameters: ACCOUNT_PARAMETERS,
      body: { mediaType: 'application/json', schema: UpdateAccountBodySchema, required: true },
      responses: { 204: { description: 'Updated.' }, ...errorResponses(400, 401, 403, 404, 409, 415, 422) },
    },
    routes.put('/:name', ...jsonBody(UpdateAccountBodySchema), async (c) => {
      const caller = c.var.auth;
      const body = c.req.valid('json');
      requireFullCredential(caller);
      const name = c.req.param('name');
      // Someone else's account: the permission first, so a caller without it cannot tell who exists (404 vs 403).
      if (name.normalize('NFC') !== caller.user.name) await authorizer.demand(caller, Permission.manageUsers);
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
          const checked = await deps.signIn.attempt(
            user.name,
            body.currentPassword,
            deps.clientAddress.of(c),
          );
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
      return c.body(null, 204);
    }),
  );

  describe(
    {
      operationId: 'deleteAccount',
      summary: 'Delete a user',
      description: 'Needs `usermanagement:manage`. Every token of the user stops working at once.',
      tag: TAGS.security,
      security: 'fmetoken-or-basic',
      parameters: ACCOUNT_PARAMETERS,
      responses: { 204: { description: 'Deleted.' }, ...errorResponses(401, 403, 404, 409) },
    },
    routes.delete('/:name', async (c) => {
      await demandAccountChange(c.var.auth);
      const name = c.req.param('name');
      const user = await findUser(name);
      if (user.id === c.var.auth.user.id) {
        throw apiError(409, 'CONFLICT', 'You cannot delete your own account; ask another administrator.');
      }
      if (!(await keepingLastManager(() => store.deleteUser(user.id))))
        throw apiError(404, 'NOT_FOUND', `No user named "${name}".`);
      return c.body(null, 204);
    }),
  );

  return routes;
}
