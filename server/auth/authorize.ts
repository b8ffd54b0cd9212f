// The one way to authorize: what a caller holds, "this needs permission P" and "this needs a full credential".
import { createMiddleware } from 'hono/factory';
import { holdsPermission, MANAGE_USERS, permissionsOfOwner } from '../../shared/permissions';
import { apiError } from '../errors';
import type { Store, UserRecord } from '../store/store';
import type { AuthEnv, Authenticated } from './authenticate';

/** The permissions the server's own rules name; repository levels are built per repository. */
export const Permission = {
  viewUsers: 'usermanagement:access',
  /** Accounts, and other users' tokens and audit trails: the All Tokens view. */
  manageUsers: MANAGE_USERS,
  accessRepositories: 'repositories:access',
  createRepositories: 'repositories:create',
} as const;

export interface Authorizer {
  /** What the caller's account holds now: its roles, plus every level on the repositories it created. */
  ofOwner(caller: Authenticated): Promise<string[]>;
  /** What this request may do: the token's set (or the owner's, for All Permissions) within the owner's. */
  ofCaller(caller: Authenticated): Promise<string[]>;
  holds(caller: Authenticated, permission: string): Promise<boolean>;
  /**
   * 403 naming the first of `needed` the caller lacks (`details.required`); `onRefused` sees it first, for
   * answers that also name it elsewhere (forward auth's X-Auth-Required).
   */
  demand(
    caller: Authenticated,
    needed: string | readonly string[],
    onRefused?: (permission: string) => void,
  ): Promise<void>;
  /** Middleware after authenticate: `demand` for a permission fixed by the route. */
  requirePermission(permission: string): ReturnType<typeof createMiddleware<AuthEnv>>;
}

export function createAuthorizer(store: Store): Authorizer {
  // Per request: each Authenticated object has its owner's repositories read at most once.
  const owners = new WeakMap<Authenticated, Promise<string[]>>();
  const callers = new WeakMap<Authenticated, Promise<string[]>>();

  async function resolveOwner(user: UserRecord): Promise<string[]> {
    return permissionsOfOwner(user.roles, await store.listOwnedRepositoryNames(user.id));
  }

  function ofOwner(caller: Authenticated): Promise<string[]> {
    let permissions = owners.get(caller);
    if (!permissions) {
      permissions = resolveOwner(caller.user);
      owners.set(caller, permissions);
    }
    return permissions;
  }

  async function resolveCaller(caller: Authenticated): Promise<string[]> {
    const owner = await ofOwner(caller);
    if (!caller.token?.restricted) return owner;
    return caller.token.permissions.filter((permission) => holdsPermission(owner, permission));
  }

  function ofCaller(caller: Authenticated): Promise<string[]> {
    let permissions = callers.get(caller);
    if (!permissions) {
      permissions = resolveCaller(caller);
      callers.set(caller, permissions);
    }
    return permissions;
  }

  async function demand(
    caller: Authenticated,
    needed: string | readonly string[],
    onRefused?: (permission: string) => void,
  ): Promise<void> {
    const held = await ofCaller(caller);
    const missing = (typeof needed === 'string' ? [needed] : needed).find((p) => !holdsPermission(held, p));
    if (missing === undefined) return;
    onRefused?.(missing);
    throw forbidden(missing);
  }

  return {
    ofOwner,
    ofCaller,
    async holds(caller, permission) {
      return holdsPermission(await ofCaller(caller), permission);
    },
    demand,
    requirePermission(permission) {
      return createMiddleware<AuthEnv>(async function checkPermission(c, next) {
        await demand(c.var.auth, permission);
        await next();
      });
    },
  };
}

function forbidden(permission: string) {
  return apiError(403, 'FORBIDDEN', `This needs the ${permission} permission.`, { required: [permission] });
}

/**
 * A restricted token is for calling APIs, not for managing tokens or accounts: otherwise a stolen narrow token
 * could extend its own life, revive tokens its owner disabled, remove the owner's others, or mint an
 * administrator. Such changes need the owner's password, a session, or an unrestricted token.
 */
export function requireFullCredential(caller: Authenticated): void {
  if (caller.token?.lease !== undefined) {
    throw apiError(
      403,
      'FORBIDDEN',
      'Tokens and accounts are managed with a password, a session, or an unrestricted token; a lease cannot.',
    );
  }
  if (caller.token?.restricted) {
    throw apiError(
      403,
      'FORBIDDEN',
      'Tokens and accounts are managed with a password, a session, or an unrestricted token; this token is restricted.',
    );
  }
}

/**
 * requireFullCredential before a route reads its body: a restricted token or a lease learns that it may not
 * (403), not what its body got wrong (422). The services check it again themselves.
 */
export const fullCredentialFirst = createMiddleware<AuthEnv>(async (c, next) => {
  requireFullCredential(c.var.auth);
  await next();
});
