// Opens the store the configuration names (the SQLite file by default, PostgreSQL for several instances),
// with the verified-token cache in front of it (see server/token-cache/caching-store.ts) and, for SQLite, the file's lock.
import { resolve } from 'node:path';
import type { Config } from '../config';
import { type CachingStore, withTokenCache } from '../token-cache/caching-store';
import type { TokenCache } from '../token-cache/token-cache';
import { openPostgresStore } from './postgres-store';
import { lockSqliteFile } from './sqlite-lock';
import { openSqliteStore } from './sqlite-store';
import type { Store } from './store';

export async function openStore(
  database: Config['database'],
): Promise<{ store: Store; tokenCache: TokenCache; description: string }> {
  if (database.kind === 'sqlite') {
    // Held for as long as the store is open: a second process on the file stops here, before touching it.
    const lock = lockSqliteFile(database.path);
    let store: CachingStore;
    try {
      store = withTokenCache(openSqliteStore(database.path));
    } catch (error) {
      lock.release();
      throw error;
    }
    return {
      store: {
        ...store,
        close: async () => {
          try {
            await store.close();
          } finally {
            lock.release();
          }
        },
      },
      tokenCache: store.tokenCache,
      description: `SQLite ${resolve(database.path)}`,
    };
  }
  // The URL may carry a password: show only where the database is.
  const url = new URL(database.url);
  const store = withTokenCache(
    await openPostgresStore(database.url, { timeouts: database.timeouts, cacheLease: database.cacheLease }),
  );
  return {
    store,
    tokenCache: store.tokenCache,
    description: `PostgreSQL ${url.hostname}:${url.port || '5432'}${url.pathname}`,
  };
}
