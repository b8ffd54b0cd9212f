// First start: an empty store gets the `admin` user, with ADMIN_PASSWORD or a generated password.
import { randomBytes } from 'node:crypto';
import type { PasswordHasher } from './auth/password';
import type { Store } from './store/store';
import { type Clock, epochSeconds } from './time';

export interface BootstrapResult {
  /** Set only when this start created the admin with a generated password: show it once. */
  generatedAdminPassword?: string;
}

export async function ensureAdminUser(
  deps: { store: Store; passwords: PasswordHasher; clock: Clock },
  adminPassword: string | undefined,
): Promise<BootstrapResult> {
  if ((await deps.store.countUsers()) > 0) return {};
  const password = adminPassword ?? randomBytes(18).toString('base64url');
  await deps.store.createUser({
    name: 'admin',
    passwordHash: await deps.passwords.hash(password),
    roles: ['fmeadmin'],
    enabled: true,
    createdAt: epochSeconds(deps.clock),
  });
  return adminPassword === undefined ? { generatedAdminPassword: password } : {};
}
