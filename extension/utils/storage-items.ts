// Typed storage items of the extension; every read and write goes through these.
import { storage } from 'wxt/utils/storage';
import { DEFAULT_SERVER_URL } from './server-url';

/** Base URL of the tokenward server the popup talks to. */
export const serverUrlItem = storage.defineItem<string>('local:serverUrl', {
  fallback: DEFAULT_SERVER_URL,
  version: 1,
});
