import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { token, user } from '../../test/fixtures/counting-store';
import { MIGRATIONS } from './migrations';
import { openSqliteStore } from './sqlite-store';
import { StoreOpenError } from './store';
import { describeStoreContract } from './store-contract';

describeStoreContract('SQLite (in memory)', async () => openSqliteStore(':memory:'));

describe('SQLite store on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the folder and file on first open, in WAL mode, fully migrated', async () => {
    const path = join(dir, 'nested', 'tokenward.sqlite');
    const store = openSqliteStore(path);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    db.close();
  });

  it('opens a database written before the migrations table, carrying its user_version over once', async () => {
    const path = join(dir, 'tokenward.sqlite');
    // As the server kept it before: every migration applied, the version in PRAGMA user_version.
    const old = new Database(path);
    old.transaction(() => {
      for (const migration of MIGRATIONS) old.exec(migration.sqlite);
      old.pragma(`user_version = ${MIGRATIONS.length}`);
    })();
    old.exec(`INSERT INTO users (name, password_hash, created_at) VALUES ('old', 'h', 1)`);
    old.close();
    for (let open = 0; open < 2; open++) {
      const store = openSqliteStore(path);
      expect(await store.findUserByName('old')).toMatchObject({ name: 'old', roles: [], enabled: true });
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual(
      MIGRATIONS.map((migration, index) => ({ version: index + 1, name: migration.name })),
    );
    db.close();
  });

  it('keeps what was written across a reopen, without migrating twice', async () => {
    const path = join(dir, 'tokenward.sqlite');
    const first = openSqliteStore(path);
    await first.createUser({ name: 'alice', passwordHash: 'h', roles: [], enabled: true, createdAt: 1 });
    await first.close();
    const second = openSqliteStore(path);
    expect(await second.findUserByName('alice')).toMatchObject({ name: 'alice' });
    await second.close();
  });

  it('refuses a file that is not a database and leaves it untouched', () => {
    const path = join(dir, 'tokenward.sqlite');
    const garbage = Buffer.from('this is not an SQLite database, but somebody may need it back '.repeat(100));
    writeFileSync(path, garbage);
    expect(() => openSqliteStore(path)).toThrow(StoreOpenError);
    expect(() => openSqliteStore(path)).toThrow(/cannot be opened.*leaves the file as it is/s);
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  it('gives existing audit events to the account of that name that existed when they happened', async () => {
    const path = join(dir, 'tokenward.sqlite');
    const db = new Database(path);
    const before = MIGRATIONS.findIndex((migration) => migration.name === 'audit owned by account id');
    db.transaction(() => {
      for (const migration of MIGRATIONS.slice(0, before)) db.exec(migration.sqlite);
      db.pragma(`user_version = ${before}`);
    })();
    // uma was deleted after event 1 and made again at 500; event 2 is the new uma's.
    db.exec(`INSERT INTO users (name, password_hash, created_at) VALUES ('uma', 'h', 500);
      INSERT INTO audit_events (at, event, owner, token_name, token_type) VALUES
        (100, 'created', 'uma', 'old', 'USER'), (600, 'created', 'uma', 'new', 'USER');`);
    db.close();
    const store = openSqliteStore(path);
    const uma = await store.findUserByName('uma');
    const events = await store.listAuditEvents({ limit: -1, offset: 0 });
    expect(events.items.map((e) => [e.tokenName, e.ownerId])).toEqual([
      ['new', uma?.id],
      ['old', null],
    ]);
    await store.close();
  });

  it('creates a capped token at any moment of another write: after its commit, never inside it', async () => {
    const store = openSqliteStore(join(dir, 'tokenward.sqlite'));
    const owner = await store.createUser(user('alice'));
    const event = (name: string) => ({
      at: 1,
      event: 'created' as const,
      ownerId: owner.id,
      owner: 'alice',
      tokenName: name,
      tokenType: 'USER' as const,
      actor: 'alice',
      client: null,
      reason: null,
    });
    const first = await store.createToken(token(owner.id, 'first', 'd0'));
    // The other write awaits between its statements; the create starts after a growing number of those awaits,
    // so that some creates start while that write's transaction is open.
    for (let delay = 0; delay < 40; delay++) {
      const other = store.updateToken(first.id, { description: `pass ${delay}`, savedAt: 2 }, [
        event('first'),
      ]);
      let turns = Promise.resolve();
      for (let i = 0; i < delay; i++) turns = turns.then(() => {});
      const name = `during ${delay}`;
      const created = turns.then(() =>
        store.createToken(token(owner.id, name, `digest ${delay}`), {
          maxApiTokens: 100,
          audit: [event(name)],
        }),
      );
      await Promise.all([other, created]);
    }
    const tokens = await store.listTokens({ userId: owner.id, now: 0, limit: -1, offset: 0 });
    expect(tokens.total).toBe(41);
    expect(tokens.items).toHaveLength(41);
    const events = await store.listAuditEvents({ limit: -1, offset: 0 });
    expect(events.items.filter((e) => e.tokenName.startsWith('during'))).toHaveLength(40);
    expect(events.items.filter((e) => e.tokenName === 'first')).toHaveLength(40);
    await expect(
      store.createToken(token(owner.id, 'past the cap', 'digest past'), { maxApiTokens: 41 }),
    ).rejects.toMatchObject({ name: 'TokenLimitError', limit: 41, held: 41 });
    await store.close();
  });

  it('commits creates that arrive together as a group, undoing alone the one that fails', async () => {
    const path = join(dir, 'tokenward.sqlite');
    const store = openSqliteStore(path);
    const owner = await store.createUser(user('alice'));
    await store.createToken(token(owner.id, 'taken', 'digest taken'));
    const event = (name: string) => ({
      at: 1,
      event: 'created' as const,
      ownerId: owner.id,
      owner: 'alice',
      tokenName: name,
      tokenType: 'USER' as const,
      actor: 'alice',
      client: null,
      reason: null,
    });
    // Four fit under the cap of five; the fifth new name is one too many, and one name is taken.
    const names = ['one', 'two', 'taken', 'three', 'four', 'five'];
    const outcomes = await Promise.allSettled(
      names.map((name, i) =>
        store.createToken(token(owner.id, name, `digest ${i}`), { maxApiTokens: 5, audit: [event(name)] }),
      ),
    );
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.name : o.reason.name))).toEqual([
      'one',
      'two',
      'NameTakenError',
      'three',
      'four',
      'TokenLimitError',
    ]);
    await store.close();
    // What was acknowledged is in the file, and nothing else: the tokens, their events, the kept count.
    const reopened = openSqliteStore(path);
    const page = await reopened.listTokens({ userId: owner.id, now: 0, limit: -1, offset: 0 });
    expect(page.items.map((t) => t.name).sort()).toEqual(['four', 'one', 'taken', 'three', 'two']);
    expect(page.total).toBe(5);
    const events = await reopened.listAuditEvents({ limit: -1, offset: 0 });
    expect(events.items.map((e) => e.tokenName).sort()).toEqual(['four', 'one', 'three', 'two']);
    await reopened.close();
  });

  it('writes at once the first uses from a new address of more tokens than a statement takes parameters', async () => {
    const path = join(dir, 'tokenward.sqlite');
    const store = openSqliteStore(path);
    const owner = await store.createUser({
      name: 'alice',
      passwordHash: 'h',
      roles: [],
      enabled: true,
      createdAt: 1,
    });
    // More than SQLite's 32,766 parameters, had any list of token ids gone into one statement.
    const count = 33_000;
    const db = new Database(path);
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO tokens (user_id, name, description, type, source, digest, enabled, restricted, permissions,
         created_at, saved_at, expires_at)
       SELECT ?, 't' || i, '', 'USER', 'api', 'digest ' || i, 1, 0, '[]', 1, 1, 4000000000 FROM n`,
    ).run(count, owner.id);
    const ids = db.prepare('SELECT id FROM tokens').pluck().all() as number[];
    await store.markTokensUsed(ids.map((id) => ({ id, at: 100, address: '192.0.2.7', userAgent: 'curl/8' })));
    await store.close();
    const counts = db
      .prepare(
        `SELECT (SELECT count(*) FROM tokens WHERE last_used_at = 100) AS used,
           (SELECT count(*) FROM token_addresses) AS addresses,
           (SELECT count(*) FROM audit_events WHERE event = 'used_from_new_address') AS announced`,
      )
      .get();
    db.close();
    expect(counts).toEqual({ used: count, addresses: count, announced: count });
  });

  it('refuses a database written by a newer schema', () => {
    const path = join(dir, 'tokenward.sqlite');
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteStore(path)).toThrow(/newer than this server knows/);
  });
});
