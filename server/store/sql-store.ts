// The one SQL store: every aggregate's queries over a dialect, with driver errors turned into the store's own.
import { sql } from 'kysely';
import { createAuditStore } from './sql-audit';
import type { SqlDialect } from './sql-dialect';
import { createExposureStore } from './sql-exposed';
import { createLeaseStore } from './sql-leases';
import { createRepositoryStore } from './sql-repositories';
import { createRequestWindowStore } from './sql-request-windows';
import { createRules } from './sql-rules';
import { createSignInStore } from './sql-sign-ins';
import { createTokenStore } from './sql-tokens';
import { createUserStore } from './sql-users';
import { NameTakenError, type Store } from './store';
import { asStoreUnavailable } from './store-faults';

export function createSqlStore(dialect: SqlDialect): Store {
  const rules = createRules(dialect);
  const queries = guarded({
    ping: async () => void (await sql`SELECT 1`.execute(dialect.db)),
    ...createUserStore(dialect, rules),
    ...createTokenStore(dialect, rules),
    ...createLeaseStore(dialect, rules),
    ...createExposureStore(dialect, rules),
    ...createRepositoryStore(dialect),
    ...createSignInStore(dialect),
    ...createRequestWindowStore(dialect),
    ...createAuditStore(dialect),
  });
  return {
    ...queries,
    invalidations: dialect.invalidations,
    close: () => dialect.db.destroy(),
    runExclusive: (task, work) => dialect.runExclusive(task, work),
  };
}

/** The same methods, each turning unique violations and temporary faults (busy, full, unreachable) into the store's errors. */
function guarded<T extends Record<string, (...args: never[]) => Promise<unknown>>>(methods: T): T {
  return Object.fromEntries(
    Object.entries(methods).map(([name, method]) => [
      name,
      (...args: never[]) =>
        method(...args).catch((error: unknown) => {
          throw asStoreError(error);
        }),
    ]),
  ) as T;
}

function asStoreError(error: unknown): unknown {
  const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505')
    return new NameTakenError('That name is taken.');
  return asStoreUnavailable(error) ?? error;
}
