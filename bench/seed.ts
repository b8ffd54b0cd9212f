// Bench-only: many stored tokens at once, written straight into the database in bulk (through the store
// interface, 100,000 PostgreSQL inserts alone would take longer than the whole benchmark may).
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createTokenValue } from '../shared/token-format';

export interface SeedTarget {
  kind: 'sqlite' | 'postgres';
  /** File path (SQLite) or connection URL (PostgreSQL). */
  location: string;
}

interface Row {
  name: string;
  digest: string;
}

function rows(count: number, prefix: string): { values: string[]; rows: Row[] } {
  const values: string[] = [];
  const out: Row[] = [];
  for (let i = 0; i < count; i++) {
    const value = createTokenValue();
    values.push(value);
    out.push({ name: `${prefix} ${i}`, digest: createHash('sha256').update(value).digest('hex') });
  }
  return { values, rows: out };
}

/** Adds `count` API tokens for `user` (who must exist), valid for a day; resolves with their values. */
export async function seedTokens(
  target: SeedTarget,
  user: string,
  count: number,
  prefix = 'seeded',
): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const { values, rows: seeded } = rows(count, prefix);
  if (target.kind === 'sqlite') {
    const db = new Database(target.location);
    const userRow: unknown = db.prepare('SELECT id FROM users WHERE name = ?').get(user);
    const userId =
      typeof userRow === 'object' && userRow !== null && 'id' in userRow ? Number(userRow.id) : Number.NaN;
    const insert = db.prepare(
      `INSERT INTO tokens (user_id, name, description, type, source, digest, enabled, restricted, permissions,
         created_at, saved_at, expires_at) VALUES (?, ?, '', 'USER', 'api', ?, 1, 0, '[]', ?, ?, ?)`,
    );
    db.transaction(() => {
      for (const [i, row] of seeded.entries())
        insert.run(userId, row.name, row.digest, now - count + i, now, now + 86400);
    })();
    db.close();
    return values;
  }
  const client = new pg.Client({ connectionString: target.location });
  await client.connect();
  try {
    const found = await client.query('SELECT id FROM users WHERE name = $1', [user]);
    const userId = Number(found.rows[0]?.id);
    for (let start = 0; start < seeded.length; start += 10_000) {
      const batch = seeded.slice(start, start + 10_000);
      await client.query(
        `INSERT INTO tokens (user_id, name, description, type, source, digest, enabled, restricted, permissions,
           created_at, saved_at, expires_at)
         SELECT $1, name, '', 'USER', 'api', digest, TRUE, FALSE, '{}', created_at, $2, $3
         FROM unnest($4::text[], $5::text[], $6::bigint[]) AS t(name, digest, created_at)`,
        [
          userId,
          now,
          now + 86400,
          batch.map((row) => row.name),
          batch.map((row) => row.digest),
          batch.map((_, i) => now - count + start + i),
        ],
      );
    }
  } finally {
    await client.end();
  }
  return values;
}
