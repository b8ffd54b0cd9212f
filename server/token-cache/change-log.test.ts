// The store's change log and the cache's refresh that reads it, on SQLite and PostgreSQL: writes made past the
// server (plain SQL, as a restored table or a hand edit would be) reach the cache without every token being read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { token, user } from '../../test/fixtures/counting-store';
import { type PostgresCluster, startPostgres } from '../../test/fixtures/postgres';
import { digestTokenValue, tokenKey } from '../auth/digest';
import { openPostgresStore } from '../store/postgres-store';
import { openSqliteStore } from '../store/sqlite-store';
import type { Store } from '../store/store';
import { withTokenCache } from './caching-store';

interface Dialect {
  open(): Promise<{
    store: Store;
    sql(text: string, params?: unknown[]): Promise<void>;
    close(): Promise<void>;
  }>;
}

let cluster: PostgresCluster | undefined;
let databases = 0;
const dir = mkdtempSync(join(tmpdir(), 'change-log-'));

const DIALECTS: Record<string, Dialect> = {
  sqlite: {
    async open() {
      const path = join(dir, `store-${databases++}.sqlite`);
      const store = openSqliteStore(path);
      // A second connection to the same file: writes the server's store never hears of.
      const raw = new Database(path);
      return {
        store,
        sql: async (text, params = []) => void raw.prepare(text).run(...(params as never[])),
        close: async () => {
          raw.close();
          await store.close();
        },
      };
    },
  },
  postgres: {
    async open() {
      const url = await (cluster as PostgresCluster).createDatabase(`change_log_${databases++}`);
      const store = await openPostgresStore(url);
      const raw = new pg.Client({ connectionString: url });
      await raw.connect();
      return {
        store,
        sql: async (text, params = []) => {
          // The same statements as SQLite's, with PostgreSQL's placeholders and booleans.
          let n = 0;
          await raw.query(
            text.replace(/\?/g, () => `$${++n}`).replace(/enabled = 0/g, 'enabled = FALSE'),
            params,
          );
        },
        close: async () => {
          await raw.end();
          await store.close();
        },
      };
    },
  },
};

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(() => {
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The store with its full-pass pages counted: a pass that reads only the log reads none. */
function countingPages(store: Store) {
  let pages = 0;
  return {
    store: {
      ...store,
      listCacheableTokens: (query: Parameters<Store['listCacheableTokens']>[0]) => {
        pages++;
        return store.listCacheableTokens(query);
      },
    } as Store,
    pages: () => pages,
  };
}

describe.each(Object.keys(DIALECTS))('token change log (%s)', (name) => {
  const dialect = DIALECTS[name] as Dialect;

  it("logs a write to what a verification reads, a token's or a user's, and not a last use", async () => {
    const { store, sql, close } = await dialect.open();
    try {
      const alice = await store.createUser(user('alice'));
      const start = (await store.listTokenChanges(0, 1)).last;
      expect(start).toBe(0);
      const a = await store.createToken(token(alice.id, 'a', 'da'));
      const b = await store.createToken(token(alice.id, 'b', 'db'));
      await store.markTokensUsed([{ id: a.id, at: 5 }]);
      await store.updateToken(a.id, { enabled: false });
      await sql('DELETE FROM tokens WHERE id = ?', [b.id]);
      await store.updateUser(alice.id, { enabled: false });
      const log = await store.listTokenChanges(start, 100);
      expect(log.changes.map(({ tokenId, userId }) => ({ tokenId, userId }))).toEqual([
        { tokenId: a.id, userId: alice.id },
        { tokenId: b.id, userId: alice.id },
        { tokenId: a.id, userId: alice.id },
        { tokenId: b.id, userId: alice.id },
        { tokenId: null, userId: alice.id },
      ]);
      expect(log.last).toBe(log.changes.at(-1)?.seq);
      // Trimmed by age, never its newest entry (which tells a reader where the log stands).
      await sql('UPDATE token_changes SET at = 0');
      expect(await store.trimTokenChanges(1, 2)).toBe(2);
      expect(await store.trimTokenChanges(1, 100)).toBe(2);
      const left = await store.listTokenChanges(0, 100);
      expect(left.changes.map((change) => change.seq)).toEqual([log.last]);
      expect(left.first).toBe(log.last);
    } finally {
      await close();
    }
  });

  it('refreshes from the log: writes past the server are seen, the rest confirmed, no token read again', async () => {
    const { store, sql, close } = await dialect.open();
    let now = 0;
    const counted = countingPages(store);
    const cached = withTokenCache(counted.store, { maxAgeMs: 1000, now: () => now });
    try {
      const alice = await store.createUser(user('alice'));
      const kept = await store.createToken(token(alice.id, 'kept', 'd-kept'));
      const gone = await store.createToken(token(alice.id, 'gone', 'd-gone'));
      const narrowed = await store.createToken(token(alice.id, 'narrowed', 'd-narrowed'));
      await expect
        .poll(async () => {
          await cached.tokenCache.fill();
          return cached.cacheSize();
        })
        .toBe(3);
      const pages = counted.pages();
      expect(await cached.tokenCache.lookup(tokenKey('d-new'))).toBeUndefined();
      expect(cached.tokenCache.peek(tokenKey('d-new'))).toBeNull();

      await sql('DELETE FROM tokens WHERE id = ?', [gone.id]);
      await sql(`UPDATE tokens SET restricted = ?, permissions = ? WHERE id = ?`, [
        name === 'sqlite' ? 1 : true,
        name === 'sqlite' ? '["repositories:access"]' : ['repositories:access'],
        narrowed.id,
      ]);
      await sql(
        `INSERT INTO tokens (user_id, name, description, type, source, digest, enabled, restricted, permissions,
           created_at, saved_at, expires_at) VALUES (?, 'new', '', 'USER', 'api', ?, ?, ?, ?, 1, 1, 4000000000)`,
        [
          alice.id,
          digestTokenValue('d-new'),
          name === 'sqlite' ? 1 : true,
          name === 'sqlite' ? 0 : false,
          name === 'sqlite' ? '[]' : [],
        ],
      );
      now = 999;
      await cached.tokenCache.fill();
      expect(counted.pages()).toBe(pages);
      now = 1500;
      // Confirmed by that pass (as of when it began), though nothing read the row again.
      expect(cached.tokenCache.peek(tokenKey('d-kept'))?.id).toBe(kept.id);
      expect(cached.tokenCache.peek(tokenKey('d-gone'))).toBeUndefined();
      expect(cached.tokenCache.peek(tokenKey('d-narrowed'))?.permissions).toEqual(['repositories:access']);
      expect(cached.tokenCache.peek(tokenKey('d-new'))?.name).toBe('new');
      expect(cached.cacheSize()).toBe(3);

      // A user changed past the server: their tokens are read again, by a full pass.
      await sql('UPDATE users SET enabled = 0 WHERE id = ?', [alice.id]);
      await cached.tokenCache.fill();
      expect(counted.pages()).toBeGreaterThan(pages);
      expect(cached.tokenCache.peek(tokenKey('d-kept'))?.holder.user.enabled).toBe(false);
    } finally {
      await cached.close();
      await close();
    }
  });

  it('reads every token again when its place in the log is gone: trimmed away, or a log that went back', async () => {
    const { store, sql, close } = await dialect.open();
    const counted = countingPages(store);
    const cached = withTokenCache(counted.store);
    try {
      const alice = await store.createUser(user('alice'));
      await store.createToken(token(alice.id, 'a', 'da'));
      await expect
        .poll(async () => {
          await cached.tokenCache.fill();
          return cached.cacheSize();
        })
        .toBe(1);
      // Two passes, so that the next reads from past the log's end as the first pass found it.
      await store.createToken(token(alice.id, 'b', 'db'));
      await cached.tokenCache.fill();
      await store.createToken(token(alice.id, 'c', 'dc'));
      await cached.tokenCache.fill();
      let pages = counted.pages();
      // Every entry up to the newest trimmed: the log no longer reaches back to where the cache read to.
      await store.createToken(token(alice.id, 'd', 'dd'));
      await sql('UPDATE token_changes SET at = 0');
      await store.trimTokenChanges(1, 100);
      await cached.tokenCache.fill();
      expect(counted.pages()).toBeGreaterThan(pages);
      expect(cached.cacheSize()).toBe(4);

      // The log emptied and begun again below where the cache stands (a restored or another database).
      pages = counted.pages();
      await sql('DELETE FROM token_changes');
      await sql(
        name === 'sqlite'
          ? "UPDATE sqlite_sequence SET seq = 0 WHERE name = 'token_changes'"
          : "SELECT setval('token_changes_seq_seq', 1, false)",
      );
      await sql('DELETE FROM tokens WHERE digest = ?', [digestTokenValue('da')]);
      // The cache's clock counts whole milliseconds: a full pass begun in the millisecond the last one confirmed
      // 'da' in could not tell that confirmation from its own. Passes are seconds apart outside a test.
      const confirmedBy = Date.now();
      await expect.poll(() => Date.now()).toBeGreaterThan(confirmedBy + 1);
      await cached.tokenCache.fill();
      expect(counted.pages()).toBeGreaterThan(pages);
      expect(cached.tokenCache.peek(tokenKey('da'))).toBeUndefined();
      expect(cached.cacheSize()).toBe(3);
    } finally {
      await cached.close();
      await close();
    }
  });
});
