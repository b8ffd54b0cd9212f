// Effective permissions: the token's set (or, with All Permissions, the owner's) within the owner's current set.
import { holdsPermission, permissionsOfRoles } from '../../shared/permissions';
import type { TokenRecord, UserRecord } from '../store/store';

export function effectivePermissions(user: UserRecord, token: TokenRecord | undefined): string[] {
  const owner = permissionsOfRoles(user.roles);
  if (!token?.restricted) return owner;
  return token.permissions.filter((permission) => holdsPermission(owner, permission));
}
