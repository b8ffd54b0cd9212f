// Typed storage items of the extension; every read and write goes through these. Secrets only in `session:`.
import * as v from 'valibot';
import { storage } from 'wxt/utils/storage';
import { DEFAULT_SERVER_URL } from './server-url';

/** The part of a storage item that modules taking it as a dependency use (tests may pass a fake). */
export interface ValueItem<T> {
  getValue(): Promise<T>;
  setValue(value: T): Promise<void>;
}

/** Base URL of the tokenward server the popup talks to now (the active one of the saved servers). */
export const serverUrlItem = storage.defineItem<string>('local:serverUrl', {
  fallback: DEFAULT_SERVER_URL,
  version: 1,
});

/** Every server the user saved, in the order they were added; switching picks one of these. */
export const savedServersItem = storage.defineItem<string[]>('local:savedServers', {
  fallback: [],
  version: 1,
});

export const UiPrefsSchema = v.object({
  tab: v.picklist(['USER', 'SESSION']),
  status: v.picklist(['active', 'expired']),
});
export type UiPrefs = v.InferOutput<typeof UiPrefsSchema>;

/** Which tab the popup opens on: the one the user left it on. */
export const uiPrefsItem = storage.defineItem<UiPrefs>('local:uiPrefs', {
  fallback: { tab: 'USER', status: 'active' },
  version: 1,
});

export const StoredCredentialSchema = v.object({
  /** `session`: a web session from signing in (signed out on the server when the user signs out). */
  kind: v.picklist(['session', 'token']),
  value: v.string(),
  user: v.string(),
});
export type StoredCredential = v.InferOutput<typeof StoredCredentialSchema>;

/** The credential for each server URL: session or pasted API token values. Never a password. */
export const credentialsItem = storage.defineItem<Record<string, StoredCredential>>('session:credentials', {
  fallback: {},
  version: 1,
});

export const KeptTokenSchema = v.object({
  server: v.string(),
  user: v.string(),
  name: v.string(),
  value: v.string(),
});
export type KeptToken = v.InferOutput<typeof KeptTokenSchema>;

/** Values the user chose to keep for injection rules (a later issue binds them), by server + owner + name. */
export const keptTokensItem = storage.defineItem<KeptToken[]>('session:keptTokens', {
  fallback: [],
  version: 1,
});
