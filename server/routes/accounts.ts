// User administration (SPEC §3.3) and the permission catalogue: /fmerest/v3/security/...
import { Hono } from 'hono';
import { describeCatalogue, holdsPermission, permissionsOfRoles } from '../../shared/permissions';
import {
  type Account,
  type AccountList,
  CreateAccountBodySchema,
  UpdateAccountBodySchema,
} from '../../shared/schemas/account';
import { type AuditList, AuditQuerySchema } from '../../shared/schemas/audit';
import {
  type AuthDeps,
  type AuthEnv,
  type Authenticate,
  type Authenticated,
  checkPasswordAttempt,
} from '../auth/authenticate';
import { type Authorizer, Permission, requireFullCredential } from '../auth/authorize';
import { createKeyedLock } from '../auth/keyed-lock';
import { apiError, validationFailed } from '../errors';
import { NameTakenError, type UserPatch, type UserRecord } from '../store/store';
import { epochSeconds, toApiDate } from '../time';
import { jsonBody, query } from '../validation';

export interface AccountRoutesDeps
  extends Pick<AuthDeps, 'store' | 'passwords' | 'clock' | 'signIns' | 'clientAddress'> {
  authenticate: Authenticate;
  authorizer: Authorizer;
}

/** Whether an account in this state can manage users: enabled, with a role that grants it. */
function manages(user: Pick<UserRecord, 'roles' | 'enabled'>): boolean {
  return user.enabled && holdsPermission(permissionsOfRoles(user.roles), Permission.manageUsers);
}

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
  // Account changes take turns in this process, so two administrators demoting each other at the same moment
  // cannot both pass the last-manager check.
  const accountChanges = createKeyedLock(64, 'Too many account changes at once; try again in a second.');

  /**
   * Changing accounts needs what changing tokens needs (SPEC §3.3): a password, a session or an unrestricted
   * token, so that a restricted token holding usermanagement:manage cannot mint an administrator. Then the
   * permission itself.
   */
  async function demandAccountChange(caller: Authenticated): Promise<void> {
    requireFullCredential(caller);
    await authorizer.demand(caller, Permission.manageUsers);
  }

  /** 409 when `user`, changed to `after` (or deleted), would leave no enabled account able to manage users. */
  async function keepLastManager(user: UserRecord, after: UserRecord | undefined): Promise<void> {
    if (!manages(user) || (after !== undefined && manages(after))) return;
    const others = (await store.listUsers()).filter((other) => other.id !== user.id && manages(other));
    if (others.length === 0) {
      throw apiError(
        409,
        'CONFLICT',
        `"${user.name}" is the last enabled account that can manage users; give another account the fmeadmin role first.`,
      );
    }
  }

  async function findUser(name: string): Promise<UserRecord> {
    const user = await store.findUserByName(name.normalize('NFC'));
    if (!user) throw apiError(404, 'NOT_FOUND', `No user named "${name}".`);
    return user;
  }

  routes.get('/permissions', (c) => c.json(describeCatalogue()));

  // Your own tokens' events by default; another user's, or everyone's (`*`), for administrators.
  routes.get('/audit', query(AuditQuerySchema), async (c) => {
    const caller = c.var.auth;
    const { user, token, limit = 100, offset = 0 } = c.req.valid('query');
    if (user !== undefined && user !== caller.user.name)
      await authorizer.demand(caller, Permission.manageUsers);
    // The trail belongs to the account, not its name: an account deleted and made again starts afresh.
    let ownerId: number | undefined = caller.user.id;
    if (user === '*') ownerId = undefined;
    else if (user !== undefined && user !== caller.user.name) {
      const owner = await store.findUserByName(user.normalize('NFC'));
      if (!owner) return c.json({ items: [], totalCount: 0, limit, offset } satisfies AuditList);
      ownerId = owner.id;
    }
    const { items, total } = await store.listAuditEvents({
      ownerId,
      tokenName: token?.normalize('NFC'),
      limit,
      offset: Math.max(offset, 0),
    });
    const list: AuditList = {
      items: items.map((record) => ({
        time: toApiDate(record.at),
        event: record.event,
        user: record.owner,
        token: record.tokenName,
        tokenType: record.tokenType,
        actor: record.actor,
        client: record.client,
        reason: record.reason,
      })),
      totalCount: total,
      limit,
      offset,
    };
    return c.json(list);
  });

  routes.get('/accounts', async (c) => {
    await authorizer.demand(c.var.auth, Permission.viewUsers);
    const users = await store.listUsers();
    return c.json({ items: users.map(toAccount), totalCount: users.length } satisfies AccountList);
  });

  routes.post('/accounts', ...jsonBody(CreateAccountBodySchema), async (c) => {
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
  });

  routes.get('/accounts/:name', async (c) => {
    const name = c.req.param('name');
    if (name !== c.var.auth.user.name) await authorizer.demand(c.var.auth, Permission.viewUsers);
    return c.json(toAccount(await findUser(name)));
  });

  routes.put('/accounts/:name', ...jsonBody(UpdateAccountBodySchema), async (c) => {
    const caller = c.var.auth;
    const body = c.req.valid('json');
    requireFullCredential(caller);
    const user = await findUser(c.req.param('name'));
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
        const checked = await checkPasswordAttempt(
          deps,
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
    await accountChanges('accounts', async () => {
      // Read again inside the turn: another change may have landed since this request looked.
      const current = await findUser(user.name);
      await keepLastManager(current, { ...current, ...patch });
      if (!(await store.updateUser(user.id, patch)))
        throw apiError(404, 'NOT_FOUND', `No user named "${user.name}".`);
    });
    // A new password ends every other session: whoever knew the old one is signed out.
    if (patch.passwordHash !== undefined) {
      await store.deleteSessionTokensOf(user.id, self ? caller.token?.id : undefined);
    }
    return c.body(null, 204);
  });

  routes.delete('/accounts/:name', async (c) => {
    await demandAccountChange(c.var.auth);
    const name = c.req.param('name');
    await accountChanges('accounts', async () => {
      const user = await findUser(name);
      if (user.id === c.var.auth.user.id) {
        throw apiError(409, 'CONFLICT', 'You cannot delete your own account; ask another administrator.');
      }
      await keepLastManager(user, undefined);
      await store.deleteUser(user.id);
    });
    return c.body(null, 204);
  });

  return routes;
}
