import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type PostgresCluster, startPostgres } from '../../test/fixtures/postgres';
import { withTokenCache } from './caching-store';
import { openPostgresStore } from './postgres-store';
import { openSqliteStore } from './sqlite-store';
import type { NewToken, Store, UserRecord } from './store';

/** The SQLite store with its digest lookups counted: a lookup the cache answers never reaches it. */
function countingStore() {
  const store = openSqliteStore(':memory:');
  let lookups = 0;
  const counted: Store = {
    ...store,
    findTokenByDigest: (digest) => {
      lookups++;
      return store.findTokenByDigest(digest);
    },
  };
  return { store: counted, lookups: () => lookups };
}

const token = (userId: number, name: string, digest: string): NewToken => ({
  userId,
  name,
  description: '',
  type: 'USER',
  source: 'api',
  digest,
  enabled: true,
  restricted: false,
  permissions: [],
  createdAt: 1,
  savedAt: 1,
  expiresAt: 4_000_000_000,
});

describe('verified-token cache', () => {
  let base: ReturnType<typeof countingStore>;
  let cached: ReturnType<typeof withTokenCache>;
  let alice: UserRecord;

  beforeEach(async () => {
    base = countingStore();
    cached = withTokenCache(base.store);
    alice = await cached.createUser({
      name: 'alice',
      passwordHash: 'h',
      roles: ['fmeuser'],
      enabled: true,
      createdAt: 1,
    });
  });

  it('answers a repeated lookup without the store', async () => {
    await cached.createToken(token(alice.id, 't', 'd1'));
    expect((await cached.findTokenByDigest('d1'))?.token.name).toBe('t');
    expect((await cached.findTokenByDigest('d1'))?.token.name).toBe('t');
    expect(base.lookups()).toBe(1);
    expect(cached.cacheSize()).toBe(1);
  });

  it('remembers an unknown digest for a while, in its own bounded list, until a token takes it', async () => {
    let now = 0;
    const short = withTokenCache(base.store, { unknownForMs: 1000, now: () => now });
    expect(await short.findTokenByDigest('retried')).toBeUndefined();
    expect(await short.findTokenByDigest('retried')).toBeUndefined();
    expect(base.lookups()).toBe(1);
    expect(short.cacheSize()).toBe(0);
    now = 1000;
    expect(await short.findTokenByDigest('retried')).toBeUndefined();
    expect(base.lookups()).toBe(2);
    // A token created with that digest (a restored backup, say) is found at once.
    await short.createToken(token(alice.id, 'restored', 'retried'));
    expect((await short.findTokenByDigest('retried'))?.token.name).toBe('restored');
  });

  it.each([
    [
      'disabling the token',
      async (c: Store, id: number) => void (await c.updateToken(id, { enabled: false })),
    ],
    ['removing the token', async (c: Store, id: number) => void (await c.deleteToken(id))],
    [
      "changing the owner's roles",
      async (c: Store, _id: number, userId: number) => void (await c.updateUser(userId, { roles: [] })),
    ],
    [
      'disabling the owner',
      async (c: Store, _id: number, userId: number) => void (await c.updateUser(userId, { enabled: false })),
    ],
    [
      'deleting the owner',
      async (c: Store, _id: number, userId: number) => void (await c.deleteUser(userId)),
    ],
  ])('drops the entry at once on %s', async (_what, change) => {
    const created = await cached.createToken(token(alice.id, 't', 'd1'));
    await cached.findTokenByDigest('d1');
    await change(cached, created.id, alice.id);
    const after = await cached.findTokenByDigest('d1');
    expect(base.lookups()).toBe(2);
    expect(
      after === undefined || !after.token.enabled || !after.owner.enabled || after.owner.roles.length === 0,
    ).toBe(true);
  });

  it("drops a user's sessions when their sessions are ended", async () => {
    await cached.createToken({ ...token(alice.id, 's', 'd2'), type: 'SESSION', source: 'web' });
    await cached.findTokenByDigest('d2');
    await cached.deleteSessionTokensOf(alice.id);
    expect(await cached.findTokenByDigest('d2')).toBeUndefined();
  });

  it('does not cache a lookup that an invalidation overtook', async () => {
    const created = await cached.createToken(token(alice.id, 't', 'd1'));
    let release: () => void = () => {};
    let looked: () => void = () => {};
    const lookedUp = new Promise<void>((resolve) => (looked = resolve));
    const slow: Store = {
      ...base.store,
      findTokenByDigest: async (digest) => {
        const found = await base.store.findTokenByDigest(digest);
        looked();
        await new Promise<void>((resolve) => (release = resolve));
        return found;
      },
    };
    const racing = withTokenCache(slow);
    const lookup = racing.findTokenByDigest('d1');
    // The lookup has read the token, and has not yet answered, when the update overtakes it.
    await lookedUp;
    await racing.updateToken(created.id, { enabled: false });
    release();
    expect((await lookup)?.token.enabled).toBe(true);
    expect(racing.cacheSize()).toBe(0);
  });

  it('keeps at most maxEntries, dropping the oldest, and trusts nothing past maxAge', async () => {
    let now = 0;
    const small = withTokenCache(base.store, { maxEntries: 2, maxAgeMs: 1000, now: () => now });
    for (const d of ['a', 'b', 'c']) await small.createToken(token(alice.id, d, d));
    await small.findTokenByDigest('a');
    await small.findTokenByDigest('b');
    await small.findTokenByDigest('c');
    expect(small.cacheSize()).toBe(2);
    const before = base.lookups();
    await small.findTokenByDigest('b');
    await small.findTokenByDigest('c');
    expect(base.lookups()).toBe(before);
    await small.findTokenByDigest('a');
    expect(base.lookups()).toBe(before + 1);
    now = 1000;
    await small.findTokenByDigest('a');
    expect(base.lookups()).toBe(before + 2);
  });

  it("keeps a new token invalidatable when it reuses a deleted token's id", async () => {
    // SQLite gives a new row the id of a deleted highest row; dropping the old cached entry must not unindex it.
    const small = withTokenCache(base.store, { maxEntries: 2 });
    const first = await small.createToken(token(alice.id, 'old', 'd-old'));
    await small.findTokenByDigest('d-old');
    await base.store.deleteToken(first.id); // deleted behind the cache's back, as the cleanup task does
    const second = await small.createToken(token(alice.id, 'new', 'd-new'));
    expect(second.id).toBe(first.id);
    await small.findTokenByDigest('d-new');
    // A third entry pushes the old one out of the cache.
    await small.createToken(token(alice.id, 'third', 'd-third'));
    await small.findTokenByDigest('d-third');
    // Disabling the new token must still reach the cache at once.
    await small.updateToken(second.id, { enabled: false });
    expect((await small.findTokenByDigest('d-new'))?.token.enabled).toBe(false);
  });

  it('drops evicted entries from its indexes', async () => {
    const small = withTokenCache(base.store, { maxEntries: 1 });
    const a = await small.createToken(token(alice.id, 'a', 'da'));
    await small.createToken(token(alice.id, 'b', 'db'));
    await small.findTokenByDigest('da');
    await small.findTokenByDigest('db');
    expect(small.cacheSize()).toBe(1);
    // Invalidating the evicted token must not touch the cached one.
    await small.updateToken(a.id, { enabled: false });
    expect(small.cacheSize()).toBe(1);
  });

  it('keeps the cached last use current', async () => {
    const created = await cached.createToken(token(alice.id, 't', 'd1'));
    await cached.findTokenByDigest('d1');
    await cached.markTokensUsed([{ id: created.id, at: 500 }]);
    expect((await cached.findTokenByDigest('d1'))?.token.lastUsedAt).toBe(500);
    expect(base.lookups()).toBe(1);
  });
});

describe('verified-token cache across instances (PostgreSQL LISTEN/NOTIFY)', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('drops an entry in one instance within 100 ms of a change in another', async () => {
    const url = await cluster.createDatabase('cache_agreement');
    // A's store tells the test when its listener is live and when it has handed a subject to the cache.
    const baseA = await openPostgresStore(url);
    let isLive: () => void = () => {};
    const live = new Promise<void>((resolve) => (isLive = resolve));
    let handed: (subject: string) => void = () => {};
    const nextSubject = () => new Promise<string>((resolve) => (handed = resolve));
    const a = withTokenCache({
      ...baseA,
      invalidations: {
        subscribe: (onSubject, onLive) =>
          baseA.invalidations.subscribe(
            (subject) => {
              onSubject(subject);
              handed(subject);
            },
            (nowLive) => {
              onLive(nowLive);
              if (nowLive) isLive();
            },
          ),
      },
    });
    const b = withTokenCache(await openPostgresStore(url));
    try {
      await live;
      const user = await a.createUser({
        name: 'u',
        passwordHash: 'h',
        roles: [],
        enabled: true,
        createdAt: 1,
      });
      // A's own create comes back to it too; a lookup racing that message would not be cached.
      let heard = nextSubject();
      const created = await a.createToken(token(user.id, 't', 'shared'));
      expect(await heard).toBe('digest:shared');
      await a.findTokenByDigest('shared');
      expect(a.cacheSize()).toBe(1);
      heard = nextSubject();
      const start = performance.now();
      await b.updateToken(created.id, { enabled: false });
      expect(await heard).toBe(`token:${created.id}`);
      expect(performance.now() - start).toBeLessThan(100);
      expect(a.cacheSize()).toBe(0);
      expect((await a.findTokenByDigest('shared'))?.token.enabled).toBe(false);

      // A digest A remembers as unknown becomes known at once when B creates a token with it.
      expect(await a.findTokenByDigest('later')).toBeUndefined();
      expect(a.unknownSize()).toBe(1);
      heard = nextSubject();
      const since = performance.now();
      await b.createToken(token(user.id, 'later', 'later'));
      expect(await heard).toBe('digest:later');
      expect(performance.now() - since).toBeLessThan(100);
      expect(a.unknownSize()).toBe(0);
      expect((await a.findTokenByDigest('later'))?.token.name).toBe('later');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
