// Applies migrations.ts with one procedure for both dialects: a schema_migrations row per applied version.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import * as v from 'valibot';
import { MIGRATIONS } from './migrations';

const VersionRowSchema = v.object({ version: v.nullable(v.number()) });

/**
 * The statements that bring a database up to date, for each driver to run in one transaction: each is run as
 * it comes, and a query's rows are sent back. Refuses a database written by a newer server.
 */
function* migration(dialect: 'sqlite' | 'postgres'): Generator<string, void, unknown[]> {
  const [row] = yield 'SELECT max(version) AS version FROM schema_migrations';
  const applied = v.parse(VersionRowSchema, row).version ?? 0;
  if (applied > MIGRATIONS.length)
    throw new Error(`its schema version ${applied} is newer than this server knows (${MIGRATIONS.length})`);
  for (const [index, { name, ...sql }] of MIGRATIONS.entries()) {
    if (index < applied) continue;
    yield sql[dialect];
    yield `INSERT INTO schema_migrations (version, name) VALUES (${index + 1}, '${name.replaceAll("'", "''")}')`;
  }
}

/**
 * SQLite files written before the table kept their version in `PRAGMA user_version`: on first open it is
 * carried into the table, once, and not written again.
 */
export function migrateSqlite(db: Database.Database): void {
  db.transaction(() => {
    if (
      !db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").get()
    ) {
      db.exec(`CREATE TABLE schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL DEFAULT (unixepoch())
      ) STRICT`);
      const before = v.parse(v.number(), db.pragma('user_version', { simple: true }));
      const insert = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
      for (let version = 1; version <= before; version++)
        insert.run(version, MIGRATIONS[version - 1]?.name ?? 'from a newer server');
    }
    const steps = migration('sqlite');
    const run = (statement: string): unknown[] => {
      if (statement.startsWith('SELECT')) return db.prepare(statement).all();
      db.exec(statement);
      return [];
    };
    for (let step = steps.next(); !step.done; step = steps.next(run(step.value)));
  })();
}

/** Applies missing migrations under an advisory lock, so instances starting together migrate once. */
export async function migratePostgres(client: pg.ClientBase): Promise<void> {
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey('tokenward:migrate')]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const steps = migration('postgres');
    for (let step = steps.next(); !step.done; step = steps.next((await client.query(step.value)).rows ?? []));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** A stable 64-bit PostgreSQL advisory-lock key for a name. */
export function advisoryLockKey(name: string): string {
  return BigInt.asIntN(
    64,
    BigInt(`0x${createHash('sha256').update(name).digest('hex').slice(0, 16)}`),
  ).toString();
}
