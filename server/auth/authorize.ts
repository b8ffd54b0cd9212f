// Effective permissions (SPEC §1) and the middleware that demands one: 403 naming the missing permission.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { holdsPermission, permissionsOfRoles, REPOSITORY_LEVELS } from '../../shared/permissions';
import { apiError } from '../errors';
import type { Store, TokenRecord, UserRecord } from '../store/store';
import type { AuthEnv, Authenticated } from './authenticate';

export interface PermissionResolver {
  /** What the user holds now: their roles, plus every level on the repositories they created. */
  ofOwner(user: UserRecord): Promise<string[]>;
  /** What this request may do: the token's set (or the owner's, for All Permissions) within the owner's. */
  ofCaller(caller: Authenticated): Promise<string[]>;
}

export function createPermissionResolver(store: Store): PermissionResolver {
  // Per request: the same Authenticated object is asked at most once.
  const cache = new WeakMap<Authenticated, Promise<string[]>>();

  async function ofOwner(user: UserRecord): Promise<string[]> {
    const owned = await store.listOwnedRepositoryNames(user.id);
    const fromRepositories = owned.flatMap((name) =>
      REPOSITORY_LEVELS.map((level) => `repository/${name}:${level}`),
    );
    return [...new Set([...permissionsOfRoles(user.roles), ...fromRepositories])].sort();
  }

  async function resolve(user: UserRecord, token: TokenRecord | undefined): Promise<string[]> {
    const owner = await ofOwner(user);
    if (!token?.restricted) return owner;
    return token.permissions.filter((permission) => holdsPermission(owner, permission));
  }

  return {
    ofOwner,
    ofCaller(caller) {
      let permissions = cache.get(caller);
      if (!permissions) {
        permissions = resolve(caller.user, caller.token);
        cache.set(caller, permissions);
      }
      return permissions;
    },
  };
}

export function forbidden(permission: string) {
  return apiError(403, 'FORBIDDEN', `This needs the ${permission} permission.`, { required: [permission] });
}

/** Middleware after authenticate: 403 unless the caller holds the permission (fixed or from the request). */
export function createRequirePermission(resolver: PermissionResolver) {
  return function requirePermission(permission: string | ((c: Context<AuthEnv>) => string)) {
    return createMiddleware<AuthEnv>(async function checkPermission(c, next) {
      const needed = typeof permission === 'string' ? permission : permission(c);
      if (!holdsPermission(await resolver.ofCaller(c.var.auth), needed)) throw forbidden(needed);
      await next();
    });
  };
}

export type RequirePermission = ReturnType<typeof createRequirePermission>;
