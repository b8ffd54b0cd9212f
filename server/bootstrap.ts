// First start: an empty store gets the `admin` user (ADMIN_PASSWORD or a generated password) and `Samples`.
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
  await createSamplesRepository(deps.store, epochSeconds(deps.clock));
  return adminPassword === undefined ? { generatedAdminPassword: password } : {};
}

// A tiny FME workspace, so the sample API has something to list, read, run and download from the start.
const SAMPLE_WORKSPACE = `#! <?xml version="1.0" encoding="UTF-8" ?>
#! <WORKSPACE FME_BUILD_NUM="23776" TITLE="austinApartments" DESCRIPTION="tokenward sample workspace" />
`;

async function createSamplesRepository(store: Store, now: number): Promise<void> {
  if (await store.findRepository('Samples')) return;
  const repository = await store.createRepository({
    name: 'Samples',
    description: 'Sample workspaces',
    ownerId: null,
    createdAt: now,
  });
  await store.createItem({
    repositoryId: repository.id,
    name: 'austinApartments.fmw',
    type: 'WORKSPACE',
    contentType: 'application/octet-stream',
    content: new TextEncoder().encode(SAMPLE_WORKSPACE),
    createdAt: now,
  });
}
