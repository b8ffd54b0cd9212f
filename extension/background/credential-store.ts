// The credential the background holds for each server, read and written through one session-storage item.
import * as v from 'valibot';
import { type StoredCredential, StoredCredentialSchema, type ValueItem } from '../utils/storage-items';

export function createCredentialStore(item: ValueItem<Record<string, StoredCredential>>) {
  return {
    /** The credential for `server`, parsed again: storage is a boundary too. */
    async get(server: string): Promise<StoredCredential | undefined> {
      const parsed = v.safeParse(StoredCredentialSchema, (await item.getValue())[server]);
      return parsed.success ? parsed.output : undefined;
    },
    async set(server: string, credential: StoredCredential): Promise<void> {
      await item.setValue({ ...(await item.getValue()), [server]: credential });
    },
    async forget(server: string): Promise<void> {
      const { [server]: _gone, ...rest } = await item.getValue();
      await item.setValue(rest);
    },
  };
}

export type CredentialStore = ReturnType<typeof createCredentialStore>;
