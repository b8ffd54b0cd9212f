// The credential the background holds for each server, read and written through one session-storage item, and
// why it was last dropped (a second item every open page watches, so each goes to its sign-in form at once).
import * as v from 'valibot';
import type { TokenRef } from '../../shared/schemas/injection-rules';
import {
  type SignOut,
  type StoredCredential,
  StoredCredentialSchema,
  type ValueItem,
} from '../core/storage-items';

export interface CredentialStoreDeps {
  credentials: ValueItem<Record<string, StoredCredential>>;
  signOuts: ValueItem<Record<string, SignOut>>;
  now(): number;
}

export function createCredentialStore(deps: CredentialStoreDeps) {
  async function get(server: string): Promise<StoredCredential | undefined> {
    // Parsed again: storage is a boundary too.
    const parsed = v.safeParse(StoredCredentialSchema, (await deps.credentials.getValue())[server]);
    return parsed.success ? parsed.output : undefined;
  }

  /** Drops the credential, then says why: a page that hears the reason finds the credential gone. */
  async function forget(
    server: string,
    cause: SignOut['cause'],
    held?: Pick<StoredCredential, 'kind' | 'name'>,
  ): Promise<void> {
    const { [server]: _gone, ...rest } = await deps.credentials.getValue();
    await deps.credentials.setValue(rest);
    const signOut: SignOut = {
      cause,
      ...(held?.name !== undefined && { name: held.name }),
      ...(held && { credential: held.kind }),
      at: deps.now(),
    };
    await deps.signOuts.setValue({ ...(await deps.signOuts.getValue()), [server]: signOut });
  }

  return {
    get,
    /** Why the sign-in to `server` was last dropped, if it was. */
    async lastSignOut(server: string): Promise<SignOut | undefined> {
      return (await deps.signOuts.getValue())[server];
    },
    async set(server: string, credential: StoredCredential): Promise<void> {
      await deps.credentials.setValue({ ...(await deps.credentials.getValue()), [server]: credential });
    },
    forget,
    /**
     * The user disabled or removed `ref` on its server: when that is the session (or token) this browser is
     * signed in with, the credential is dead, so it is dropped now rather than at the next request's 401.
     */
    async endedIfOwn(ref: TokenRef, cause: 'disabled' | 'removed'): Promise<void> {
      const held = await get(ref.server);
      if (held?.name === undefined || held.user !== ref.user || held.name !== ref.name) return;
      await forget(ref.server, cause, held);
    },
  };
}

export type CredentialStore = ReturnType<typeof createCredentialStore>;
