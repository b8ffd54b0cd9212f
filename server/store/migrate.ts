// Applies migrations.ts with one bookkeeping for both dialects: a schema_migrations row per applied version.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import * as v from 'valibot';
import { MIGRATIONS, type Migration } from './migrations';

const VersionRowSchema = v.object({ version: v.nullable(v.number()) });

/** The migrations after `applied`; refuses a database written by a newer server. */
function pending(applied: number): { version: number; migration: Migration }[] {
  if (applied > MIGRATIONS.length) {
    throw new Error(`its schema version ${applied} is newer than this server knows (${MIGRATIONS.length})`);
  }
  return MIGRATIONS.map((migration, index) => ({ version: index + 1, migration })).slice(applied);
}

/**
 * SQLite files written before the table kept their version in `PRAGMA user_version`: on first open it is
 * carried into the table, once, and not written again.
 */
export function migrateSqlite(db: Database.Database): void {
  db.transaction(() => {
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    if (hasTable === undefined) {
      db.exec(`CREATE TABLE schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL DEFAULT (unixepoch())
      ) STRICT`);
      const before = v.parse(v.number(), db.pragma('user_version', { simple: true }));
      const insert = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
      for (let version = 1; version <= before; version++)
        insert.run(version, MIGRATIONS[version - 1]?.name ?? 'from a newer server');
    }
  })();
  const applied = v.parse(
    VersionRowSchema,
    db.prepare('SELECT max(version) AS version FROM schema_migrations').get(),
  );
  for (const { version, migration } of pending(applied.version ?? 0)) {
    db.transaction(() => {
      db.exec(migration.sqlite);
      db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(version, migration.name);
    })();
  }
}

/** Applies missing migrations under an advisory lock, so instances starting together migrate once. */
export async function migratePostgres(client: pg.PoolClient): Promise<void> {
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey('tokenward:migrate')]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const applied = v.parse(
      VersionRowSchema,
      (await client.query('SELECT max(version) AS version FROM schema_migrations')).rows[0],
    );
    for (const { version, migration } of pending(applied.version ?? 0)) {
      await client.query(migration.postgres);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        version,
        migration.name,
      ]);
    }
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
