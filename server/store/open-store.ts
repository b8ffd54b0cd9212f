// Opens the store the configuration names (the SQLite file by default, PostgreSQL for several instances),
// with the verified-token cache in front of it (see caching-store.ts).
import { resolve } from 'node:path';
import type { Config } from '../config';
import { withTokenCache } from './caching-store';
import { openPostgresStore } from './postgres-store';
import { openSqliteStore } from './sqlite-store';
import type { Store } from './store';

export async function openStore(
  database: Config['database'],
): Promise<{ store: Store; description: string }> {
  if (database.kind === 'sqlite') {
    return {
      store: withTokenCache(openSqliteStore(database.path)),
      description: `SQLite ${resolve(database.path)}`,
    };
  }
  // The URL may carry a password: show only where the database is.
  const url = new URL(database.url);
  return {
    store: withTokenCache(await openPostgresStore(database.url)),
    description: `PostgreSQL ${url.hostname}:${url.port || '5432'}${url.pathname}`,
  };
}
