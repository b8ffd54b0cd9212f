import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msUntil } from '../../test/fixtures/agreement';
import { type PostgresCluster, startPostgres } from '../../test/fixtures/postgres';
import { digestTokenValue, tokenKey } from '../auth/digest';
import { withTokenCache } from '../token-cache/caching-store';
import { MIGRATIONS } from './migrations';
import { CHANNEL } from './notify-channel';
import { openPostgresStore } from './postgres-store';
import { type NewToken, StoreOpenError } from './store';
import { describeStoreContract } from './store-contract';

let cluster: PostgresCluster;
let databases = 0;

const newToken = (userId: number, name: string): NewToken => ({
  userId,
  name,
  description: '',
  type: 'USER',
  source: 'api',
  digest: digestTokenValue(name),
  enabled: true,
  restricted: false,
  permissions: [],
  createdAt: 1,
  savedAt: 1,
  expiresAt: 4_000_000_000,
});

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
// Removing the cluster's files (a database per contract test) takes seconds when the disk is busy.
afterAll(() => cluster?.stop(), 60_000);

/** A store of its own holding `count` API tokens of one owner, written straight in SQL, and a client to look. */
async function storeWithTokens(database: string, count: number) {
  const url = await cluster.createDatabase(database);
  const store = await openPostgresStore(url);
  const owner = await store.createUser({
    name: 'a',
    passwordHash: 'h',
    roles: [],
    enabled: true,
    createdAt: 1,
  });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const inserted = await client.query(
    `INSERT INTO tokens (user_id, name, type, source, digest, enabled, restricted, created_at, saved_at, expires_at)
     SELECT $1, 't' || i, 'USER', 'api', 'digest ' || i, TRUE, FALSE, 1, 1, 4000000000
     FROM generate_series(1, $2) AS i RETURNING id`,
    [owner.id, count],
  );
  return { store, client, url, ids: inserted.rows.map((row) => Number(row.id)) };
}

// Every test of the contract gets a database of its own.
describeStoreContract('PostgreSQL', async () =>
  openPostgresStore(await cluster.createDatabase(`contract_${++databases}`)),
);

describe('PostgreSQL store', () => {
  it('records the first use from a new address once when two instances write it at the same moment', async () => {
    const url = await cluster.createDatabase('new_addresses');
    const [one, two] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    if (one === undefined || two === undefined) throw new Error('no stores');
    const owner = await one.createUser({
      name: 'alice',
      passwordHash: 'h',
      roles: [],
      enabled: true,
      createdAt: 1,
    });
    const tokens = await Promise.all(
      ['a', 'b', 'c'].map((name) => one.createToken(newToken(owner.id, name))),
    );
    const ROUNDS = 20;
    for (let round = 0; round < ROUNDS; round++) {
      // Every token, from a new /64 (two addresses of it), written by both instances at once, in either order.
      const uses = (raw: string, ua: string) =>
        tokens.map((token, i) => ({ id: token.id, at: 1000 + round, address: `${raw}${i}`, userAgent: ua }));
      await Promise.all([
        one.markTokensUsed(uses(`2001:db8:${round.toString(16)}::1:`, 'curl/8.5.0')),
        two.markTokensUsed(uses(`2001:db8:${round.toString(16)}::2:`, 'Go-http-client/1.1').reverse()),
      ]);
    }
    const { items } = await one.listAuditEvents({ ownerId: owner.id, limit: -1, offset: 0 });
    const firstUses = items.filter((event) => event.event === 'used_from_new_address');
    expect(firstUses).toHaveLength(ROUNDS * tokens.length);
    expect(new Set(firstUses.map((event) => `${event.tokenName} ${event.client}`)).size).toBe(
      ROUNDS * tokens.length,
    );
    expect(firstUses.every((event) => event.reason === 'curl' || event.reason === 'Go')).toBe(true);
    await Promise.all([one.close(), two.close()]);
  });

  it('migrates once even when several instances open the same database at the same moment', async () => {
    const url = await cluster.createDatabase('many_instances');
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(url)));
    for (const store of stores) await store.ping();
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT count(*)::int AS n FROM schema_migrations');
    await client.end();
    expect(rows[0]?.n).toBe(MIGRATIONS.length);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('opens a database migrated by the previous server, applying only what it lacks', async () => {
    const url = await cluster.createDatabase('upgrade');
    // As an older server left it: its bookkeeping table, the migrations before the audit's owners applied.
    const before = MIGRATIONS.findIndex((migration) => migration.name === 'audit owned by account id');
    const old = new pg.Client({ connectionString: url });
    await old.connect();
    await old.query(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    for (const [index, migration] of MIGRATIONS.slice(0, before).entries()) {
      await old.query(migration.postgres);
      await old.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        index + 1,
        migration.name,
      ]);
    }
    // uma was deleted after event 1 and made again at 500; event 2 is the new uma's.
    await old.query(`INSERT INTO users (name, password_hash, created_at) VALUES ('uma', 'h', 500);
      INSERT INTO audit_events (at, event, owner, token_name, token_type) VALUES
        (100, 'created', 'uma', 'old', 'USER'), (600, 'created', 'uma', 'new', 'USER');
      INSERT INTO tokens (user_id, name, type, source, digest, enabled, restricted, created_at, saved_at, expires_at)
        SELECT id, 'kept', 'USER', 'api', 'd', TRUE, FALSE, 1, 1, 2 FROM users;`);
    const store = await openPostgresStore(url);
    const uma = await store.findUserByName('uma');
    const events = await store.listAuditEvents({ limit: -1, offset: 0 });
    expect(events.items.map((e) => [e.tokenName, e.ownerId])).toEqual([
      ['new', uma?.id],
      ['old', null],
    ]);
    // Tokens stored before counts were kept are counted once, when the counts begin.
    expect((await store.listTokens({ userId: uma?.id, now: 0, limit: 0, offset: 0 })).total).toBe(1);
    await store.close();
    const { rows } = await old.query('SELECT version, name FROM schema_migrations ORDER BY version');
    await old.end();
    expect(rows).toEqual(
      MIGRATIONS.map((migration, index) => ({ version: index + 1, name: migration.name })),
    );
  });

  it('keeps the counts of a bulk insert and a bulk delete written straight in SQL (as the bench seeds)', async () => {
    const url = await cluster.createDatabase('bulk_counts');
    const store = await openPostgresStore(url);
    const users = await Promise.all(
      ['a', 'b'].map((name) =>
        store.createUser({ name, passwordHash: 'h', roles: [], enabled: true, createdAt: 1 }),
      ),
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `INSERT INTO tokens (user_id, name, type, source, digest, enabled, restricted, created_at, saved_at, expires_at)
       SELECT u.id, 't' || i, CASE WHEN i % 3 = 0 THEN 'SESSION' ELSE 'USER' END, 'api', u.id || '/' || i, TRUE, FALSE,
         i, i, i FROM generate_series(1, 1000) AS i, users AS u`,
    );
    await client.query("DELETE FROM tokens WHERE name LIKE 't1%'");
    const real = await client.query(
      'SELECT user_id::int, type, count(*)::int AS n FROM tokens GROUP BY 1, 2',
    );
    await client.end();
    for (const user of users)
      for (const type of ['USER', 'SESSION'] as const) {
        const { total } = await store.listTokens({ userId: user.id, type, now: 0, limit: 0, offset: 0 });
        expect(total).toBe(real.rows.find((row) => row.user_id === user.id && row.type === type)?.n);
      }
    await store.close();
  });

  it('writes at once the first uses from a new address of more tokens than a statement takes parameters', async () => {
    // More than PostgreSQL's 65,535 parameters, had any list of token ids gone into one statement.
    const count = 66_000;
    const { store, client, ids } = await storeWithTokens('many_new_addresses', count);
    await store.markTokensUsed(ids.map((id) => ({ id, at: 100, address: '192.0.2.7', userAgent: 'curl/8' })));
    const counts = await client.query(
      `SELECT (SELECT count(*) FROM tokens WHERE last_used_at = 100)::int AS used,
         (SELECT count(*) FROM token_addresses)::int AS addresses,
         (SELECT count(*) FROM audit_events WHERE event = 'used_from_new_address')::int AS announced`,
    );
    await client.end();
    await store.close();
    expect(counts.rows[0]).toEqual({ used: count, addresses: count, announced: count });
  }, 60_000);

  it('writes last uses without touching the token indexes: the row stays on its page (heap-only updates)', async () => {
    const { store, client, ids } = await storeWithTokens('hot_last_uses', 3000);
    for (const at of [100, 200, 300])
      await store.markTokensUsed(ids.map((id) => ({ id, at, address: '192.0.2.7', userAgent: 'curl/8' })));
    // A backend's counts reach the statistics when it ends.
    await store.close();
    const counted = async () =>
      (
        await client.query(
          "SELECT n_tup_upd::int AS updated, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'tokens'",
        )
      ).rows[0];
    await expect
      .poll(async () => (await counted()).updated, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(9000);
    const { updated, hot } = await counted();
    await client.end();
    // Packed pages (PostgreSQL's default) make almost every one of these an update of all seven indexes.
    expect(hot / updated).toBeGreaterThan(0.5);
  }, 60_000);

  it('keeps answering when another instance adds a column to a table its prepared statements read', async () => {
    const url = await cluster.createDatabase(`prepared_${++databases}`);
    const store = await openPostgresStore(url);
    const user = await store.createUser({
      name: 'pat',
      passwordHash: 'h',
      roles: [],
      enabled: true,
      createdAt: 1,
    });
    const capped = { maxApiTokens: 100 };
    await store.createToken(newToken(user.id, 'before'), capped);
    const page = { userId: user.id, now: 0, limit: 10, offset: 0 };
    // On every connection of the pool, the hot statements are prepared.
    await Promise.all(Array.from({ length: 12 }, () => store.listTokens(page)));
    await Promise.all(Array.from({ length: 12 }, () => store.findTokenByDigest(digestTokenValue('before'))));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // As a newer server's migration would, while this one runs.
    await client.query('ALTER TABLE tokens ADD COLUMN added_later TEXT');
    await client.end();
    for (const listed of await Promise.all(Array.from({ length: 12 }, () => store.listTokens(page))))
      expect(listed.items.map((token) => token.name)).toEqual(['before']);
    for (const found of await Promise.all(
      Array.from({ length: 12 }, () => store.findTokenByDigest(digestTokenValue('before'))),
    ))
      expect(found?.token.name).toBe('before');
    expect((await store.createToken(newToken(user.id, 'after'), capped)).name).toBe('after');
    await store.close();
  });

  it('refuses a create at the cap without rewriting the count or telling the other instances', async () => {
    const { store, client, url } = await storeWithTokens(`capped_${++databases}`, 3);
    const owner = await store.findUserByName('a');
    if (!owner) throw new Error('no owner');
    const heard: string[] = [];
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    listener.on('notification', (message) => heard.push(message.payload ?? ''));
    await listener.query(`LISTEN ${CHANNEL}`);
    const countRow = () =>
      client.query(
        "SELECT xmin::text AS version, n::int AS n FROM token_counts WHERE user_id = $1 AND type = 'USER'",
        [owner.id],
      );
    const before = (await countRow()).rows[0];
    expect(before?.n).toBe(3);
    for (const max of [3, 2])
      await expect(
        store.createToken(newToken(owner.id, `over ${max}`), { maxApiTokens: max }),
      ).rejects.toMatchObject({
        name: 'TokenLimitError',
        limit: max,
        held: 3,
      });
    expect((await countRow()).rows[0]).toEqual(before);
    // Under the cap the create is announced, and the count moves: the listener hears it, so it heard none before.
    await store.createToken(newToken(owner.id, 'under'), { maxApiTokens: 4 });
    await expect.poll(() => heard.length).toBe(1);
    expect((await countRow()).rows[0]?.n).toBe(4);
    await listener.end();
    await client.end();
    await store.close();
  });

  it('runs an exclusive task in one instance at a time', async () => {
    const url = await cluster.createDatabase('exclusive');
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    if (!a || !b) throw new Error('stores did not open');
    let release: () => void = () => {};
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    const held = a.runExclusive('cleanup', () => {
      started();
      return new Promise<string>((resolve) => (release = () => resolve('a ran')));
    });
    // a holds the lock once its task runs.
    await running;
    expect(await b.runExclusive('cleanup', async () => 'b ran')).toBeUndefined();
    release();
    expect(await held).toBe('a ran');
    expect(await b.runExclusive('cleanup', async () => 'b ran')).toBe('b ran');
    await a.close();
    await b.close();
  });

  it('sends the invalidation inside the write: a write whose NOTIFY fails is not committed', async () => {
    // A database owned by a role that may not call pg_notify: the write's message cannot be sent.
    const admin = new pg.Client({ connectionString: cluster.url('postgres') });
    await admin.connect();
    await admin.query(`CREATE ROLE mute LOGIN`);
    await admin.query(`CREATE DATABASE mute OWNER mute`);
    await admin.end();
    const superuser = new pg.Client({ connectionString: cluster.url('mute') });
    await superuser.connect();
    await superuser.query('REVOKE EXECUTE ON FUNCTION pg_notify(text, text) FROM PUBLIC');
    await superuser.end();
    // As the server uses it: behind the verified-token cache.
    const store = withTokenCache(await openPostgresStore(cluster.url('mute').replace('postgres@', 'mute@')));
    try {
      const user = await store.createUser({
        name: 'u',
        passwordHash: 'h',
        roles: [],
        enabled: true,
        createdAt: 1,
      });
      await expect(store.createToken(newToken(user.id, 'never announced'))).rejects.toThrow(
        /permission denied/,
      );
      expect(await store.findToken(user.id, 'never announced')).toBeUndefined();
      await expect(store.updateUser(user.id, { enabled: false })).rejects.toThrow(/permission denied/);
      await expect(store.deleteUser(user.id)).rejects.toThrow(/permission denied/);
      // Neither change happened: no other instance can be left holding a stale copy of this user.
      expect(await store.findUserByName('u')).toMatchObject({ enabled: true });
    } finally {
      await store.close();
    }
  });

  it('delivers the invalidation when the write commits, and the write is visible then', async () => {
    const url = await cluster.createDatabase('notify_in_write');
    const [writer, listener] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    if (!writer || !listener) throw new Error('stores did not open');
    const user = await writer.createUser({
      name: 'u',
      passwordHash: 'h',
      roles: [],
      enabled: true,
      createdAt: 1,
    });
    const created = await writer.createToken(newToken(user.id, 't'));
    let isLive: () => void = () => {};
    const live = new Promise<void>((resolve) => (isLive = resolve));
    let wasHeard: () => void = () => {};
    const heard = new Promise<void>((resolve) => (wasHeard = resolve));
    const seen: { subject: string; enabled: boolean | undefined }[] = [];
    const unsubscribe = listener.invalidations.subscribe({
      stale(subject) {
        // The create's own notice (the digest is no longer unknown) may still be on its way under load.
        if (subject.startsWith('digest:')) return;
        // What another instance reads the moment it hears of the write.
        void listener.findToken(user.id, 't').then((token) => {
          seen.push({ subject, enabled: token?.enabled });
          wasHeard();
        });
      },
      live: (nowLive) => nowLive && isLive(),
      trustUntil() {},
    });
    await live;
    await writer.updateToken(created.id, { enabled: false });
    await heard;
    expect(seen).toEqual([{ subject: `token:${created.id}`, enabled: false }]);
    unsubscribe();
    await writer.close();
    await listener.close();
  });

  it('acknowledges a write once every listening instance has acknowledged it, or its lease has lapsed', async () => {
    const url = await cluster.createDatabase('agreement');
    // An instance driven by hand: it listens and sends heartbeats as one would, and acknowledges when told to.
    const peer = new pg.Client({ connectionString: url, application_name: 'tokenward listener peer' });
    await peer.connect();
    await peer.query(`LISTEN ${CHANNEL}`);
    let acknowledging = false;
    peer.on('notification', ({ payload = '' }) => {
      const [kind, writer, seq] = payload.split(' ');
      if (kind === 'i' && acknowledging) void send(`a peer ${writer}:${seq}`);
    });
    const send = (payload: string) => peer.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
    const lease = { heartbeatMs: 250, leaseMs: 1000 };
    const store = await openPostgresStore(url, { cacheLease: lease });
    const timed = async (write: () => Promise<unknown>) => {
      const start = performance.now();
      await write();
      return performance.now() - start;
    };
    try {
      const user = await store.createUser({
        name: 'u',
        passwordHash: 'h',
        roles: [],
        enabled: true,
        createdAt: 1,
      });
      await send('h peer 1');
      // Heard, silent: the write waits out the peer's lease (it could still be answering from its cache).
      const silent = await timed(() => store.createToken(newToken(user.id, 'first')));
      expect(silent).toBeGreaterThanOrEqual(lease.leaseMs - 50);
      acknowledging = true;
      await send('h peer 2');
      const acknowledged = await timed(() => store.createToken(newToken(user.id, 'second')));
      expect(acknowledged).toBeLessThan(lease.leaseMs / 2);
      acknowledging = false;
      await send('h peer 3');
      // Gone (it said so): not waited for.
      await send('b peer');
      const left = await timed(() => store.createToken(newToken(user.id, 'third')));
      expect(left).toBeLessThan(lease.leaseMs / 2);
      console.log(
        `write with a silent peer: ${silent.toFixed(0)} ms; acknowledged: ${acknowledged.toFixed(1)} ms; ` +
          `after it left: ${left.toFixed(1)} ms`,
      );
    } finally {
      await store.close();
      await peer.end();
    }
  });

  it('stops trusting its cache when its listener freezes, and listens again on new connections after five leases', async () => {
    const url = await cluster.createDatabase('frozen_listener');
    const lease = { heartbeatMs: 50, leaseMs: 200 };
    const store = withTokenCache(await openPostgresStore(url, { cacheLease: lease }));
    const observer = new pg.Client({ connectionString: url });
    await observer.connect();
    const listeners = async () =>
      (
        await observer.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
      ).rows.map((row) => row.pid);
    const peeked = () => store.tokenCache.peek(tokenKey('t'));
    let frozen: number | undefined;
    try {
      const user = await store.createUser({
        name: 'u',
        passwordHash: 'h',
        roles: [],
        enabled: true,
        createdAt: 1,
      });
      await store.createToken(newToken(user.id, 't'));
      await store.tokenCache.lookup(tokenKey('t'));
      await msUntil(performance.now(), async () => peeked() !== undefined);
      [frozen] = await listeners();
      if (frozen === undefined) throw new Error('no listener');
      process.kill(frozen, 'SIGSTOP');
      const stopped = performance.now();
      const untrusted = await msUntil(stopped, async () => peeked() === undefined);
      expect(untrusted).toBeLessThan(lease.leaseMs + 500);
      // A new listener, and the cache (emptied: messages may have been missed) is vouched for again.
      await msUntil(
        stopped,
        async () => {
          await store.tokenCache.lookup(tokenKey('t'));
          return peeked() !== undefined;
        },
        { capMs: 10 * lease.leaseMs + 2000 },
      );
      expect((await listeners()).filter((pid) => pid !== frozen)).toHaveLength(1);
    } finally {
      if (frozen !== undefined) process.kill(frozen, 'SIGCONT');
      await observer.end();
      await store.close();
    }
  });

  it('refuses to start on a database it cannot reach, with a clear message', async () => {
    await expect(openPostgresStore('postgres://postgres@127.0.0.1:9/nowhere')).rejects.toBeInstanceOf(
      StoreOpenError,
    );
  });
});
