// First start: an empty store gets the `admin` user (ADMIN_PASSWORD or a generated password) and `Samples`.
import { randomBytes } from 'node:crypto';
import type { PasswordHasher } from './auth/password';
import { NameTakenError, type RepositoryRecord, type Store } from './store/store';
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
  try {
    await deps.store.createUser({
      name: 'admin',
      passwordHash: await deps.passwords.hash(password),
      roles: ['fmeadmin'],
      enabled: true,
      createdAt: epochSeconds(deps.clock),
    });
  } catch (error) {
    // Another instance sharing the store started at the same moment and created it first.
    if (error instanceof NameTakenError) return {};
    throw error;
  }
  await createSamplesRepository(deps.store, epochSeconds(deps.clock));
  return adminPassword === undefined ? { generatedAdminPassword: password } : {};
}

// A tiny FME workspace, so the sample API has something to list, read, run and download from the start.
const SAMPLE_WORKSPACE = `#! <?xml version="1.0" encoding="UTF-8" ?>
#! <WORKSPACE FME_BUILD_NUM="23776" TITLE="austinApartments" DESCRIPTION="tokenward sample workspace" />
`;

async function createSamplesRepository(store: Store, now: number): Promise<void> {
  if (await store.findRepository('Samples')) return;
  let repository: RepositoryRecord;
  try {
    repository = await store.createRepository({
      name: 'Samples',
      description: 'Sample workspaces',
      ownerId: null,
      createdAt: now,
    });
  } catch (error) {
    if (error instanceof NameTakenError) return;
    throw error;
  }
  await store.createItem({
    repositoryId: repository.id,
    name: 'austinApartments.fmw',
    type: 'WORKSPACE',
    contentType: 'application/octet-stream',
    content: new TextEncoder().encode(SAMPLE_WORKSPACE),
    createdAt: now,
  });
}
