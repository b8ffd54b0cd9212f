import { beforeEach, describe, expect, it, vi } from 'vitest';
import { countingStore, token, user } from '../../test/fixtures/counting-store';
import { tokenKey } from '../auth/digest';
import type { InvalidationListener, Store, UserRecord } from '../store/store';
import { withTokenCache } from './caching-store';

/** The store with one method held after it has read: `read` settles then, and `release()` lets it answer. */
function holdingRead(store: Store, method: 'findTokenByDigest' | 'listCacheableTokens') {
  let release: () => void = () => {};
  let signal: () => void = () => {};
  const read = new Promise<void>((resolve) => (signal = resolve));
  const original = store[method] as (...args: unknown[]) => Promise<unknown>;
  const held = async (...args: unknown[]) => {
    const answer = await original(...args);
    signal();
    await new Promise<void>((resolve) => (release = resolve));
    return answer;
  };
  return { store: { ...store, [method]: held } as Store, read, release: () => release() };
}

describe('verified-token cache', () => {
  let base: ReturnType<typeof countingStore>;
  let cached: ReturnType<typeof withTokenCache>;
  let alice: UserRecord;

  beforeEach(async () => {
    base = countingStore();
    cached = withTokenCache(base.store);
    alice = await cached.createUser(user('alice'));
  });

  it('answers a repeated lookup from memory, synchronously', async () => {
    await cached.createToken(token(alice.id, 't', 'd1'));
    expect(cached.tokenCache.peek(tokenKey('d1'))).toBeUndefined();
    expect((await cached.tokenCache.lookup(tokenKey('d1')))?.name).toBe('t');
    expect(cached.tokenCache.peek(tokenKey('d1'))?.name).toBe('t');
    expect(cached.tokenCache.peek(tokenKey('d1'))?.holder.user.name).toBe('alice');
    expect(base.lookups()).toBe(1);
    expect(cached.cacheSize()).toBe(1);
  });

  it('remembers an unknown digest for a while, in its own bounded list, until a token takes it', async () => {
    let now = 0;
    const short = withTokenCache(base.store, { unknownForMs: 1000, now: () => now });
    expect(await short.tokenCache.lookup(tokenKey('retried'))).toBeUndefined();
    expect(short.tokenCache.peek(tokenKey('retried'))).toBeNull();
    expect(base.lookups()).toBe(1);
    expect(short.cacheSize()).toBe(0);
    now = 1000;
    expect(short.tokenCache.peek(tokenKey('retried'))).toBeUndefined();
    // A token created with that digest (a restored backup, say) is found at once.
    expect(await short.tokenCache.lookup(tokenKey('retried'))).toBeUndefined();
    expect(short.tokenCache.peek(tokenKey('retried'))).toBeNull();
    await short.createToken(token(alice.id, 'restored', 'retried'));
    expect(short.tokenCache.peek(tokenKey('retried'))).toBeUndefined();
    expect((await short.tokenCache.lookup(tokenKey('retried')))?.name).toBe('restored');
  });

  it('keeps at most maxUnknown unknown digests', async () => {
    const small = withTokenCache(base.store, { maxUnknown: 2 });
    for (const digest of ['u1', 'u2', 'u3']) await small.tokenCache.lookup(tokenKey(digest));
    expect(small.unknownSize()).toBe(2);
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
  ])('drops the entry at once on %s, filled or looked up', async (_what, change) => {
    const created = await cached.createToken(token(alice.id, 't', 'd1'));
    const other = await cached.createUser(user('bob'));
    await cached.createToken(token(other.id, 'b', 'd2'));
    await cached.tokenCache.fill();
    expect(cached.tokenCache.peek(tokenKey('d1'))?.name).toBe('t');
    await change(cached, created.id, alice.id);
    expect(cached.tokenCache.peek(tokenKey('d1'))).toBeUndefined();
    // Nobody else's token is touched.
    expect(cached.tokenCache.peek(tokenKey('d2'))?.name).toBe('b');
    const after = await cached.tokenCache.lookup(tokenKey('d1'));
    expect(base.lookups()).toBe(1);
    expect(
      after === undefined ||
        !after.enabled ||
        !after.holder.user.enabled ||
        after.holder.user.roles.length === 0,
    ).toBe(true);
  });

  it("drops a user's sessions when their sessions are ended", async () => {
    await cached.createToken({ ...token(alice.id, 's', 'd2'), type: 'SESSION', source: 'web' });
    await cached.tokenCache.fill();
    expect(cached.tokenCache.peek(tokenKey('d2'))?.type).toBe('SESSION');
    expect(cached.tokenCache.peek(tokenKey('d2'))?.source).toBe('web');
    await cached.deleteSessionTokensOf(alice.id);
    expect(cached.tokenCache.peek(tokenKey('d2'))).toBeUndefined();
    expect(await cached.tokenCache.lookup(tokenKey('d2'))).toBeUndefined();
  });

  it("frees a changed user's entries, not only refuses them", async () => {
    for (const name of ['a', 'b', 'c']) await cached.createToken(token(alice.id, name, `d-${name}`));
    await cached.tokenCache.fill();
    expect(cached.cacheSize()).toBe(3);
    await cached.updateUser(alice.id, { enabled: false });
    await new Promise((resolve) => setImmediate(resolve));
    expect(cached.cacheSize()).toBe(0);
  });

  it('does not cache a lookup that an invalidation overtook', async () => {
    const created = await cached.createToken(token(alice.id, 't', 'd1'));
    const slow = holdingRead(base.store, 'findTokenByDigest');
    const racing = withTokenCache(slow.store);
    const lookup = racing.tokenCache.lookup(tokenKey('d1'));
    // The lookup has read the token, and has not yet answered, when the update overtakes it.
    await slow.read;
    await racing.updateToken(created.id, { enabled: false });
    slow.release();
    expect((await lookup)?.enabled).toBe(true);
    expect(racing.tokenCache.peek(tokenKey('d1'))).toBeUndefined();
  });

  it('does not keep a row of a page that an invalidation overtook, and keeps the rest', async () => {
    const first = await cached.createToken(token(alice.id, 'first', 'd1'));
    await cached.createToken(token(alice.id, 'second', 'd2'));
    const slow = holdingRead(base.store, 'listCacheableTokens');
    const racing = withTokenCache(slow.store);
    const filled = racing.tokenCache.fill();
    await slow.read;
    await racing.updateToken(first.id, { enabled: false });
    slow.release();
    await filled;
    expect(racing.tokenCache.peek(tokenKey('d1'))).toBeUndefined();
    expect(racing.tokenCache.peek(tokenKey('d2'))?.name).toBe('second');
  });

  it('does not keep the rows of an owner changed while their page was read', async () => {
    await cached.createToken(token(alice.id, 't', 'd1'));
    const slow = holdingRead(base.store, 'listCacheableTokens');
    const racing = withTokenCache(slow.store);
    const filled = racing.tokenCache.fill();
    await slow.read;
    await racing.updateUser(alice.id, { enabled: false });
    slow.release();
    await filled;
    expect(racing.tokenCache.peek(tokenKey('d1'))).toBeUndefined();
    expect((await racing.tokenCache.lookup(tokenKey('d1')))?.holder.user.enabled).toBe(false);
  });

  it('fills with every unexpired token, page by page, sharing owners and permission lists', async () => {
    const bob = await cached.createUser(user('bob'));
    const restricted = { restricted: true, permissions: ['repositories:access'] };
    for (let i = 0; i < 7; i++) {
      await cached.createToken({ ...token(i % 2 ? alice.id : bob.id, `t${i}`, `d${i}`), ...restricted });
    }
    await cached.createToken({ ...token(alice.id, 'old', 'expired'), expiresAt: 1000 });
    const paged = withTokenCache(base.store, { pageSize: 3 });
    await paged.tokenCache.fill();
    expect(base.pages()).toBe(3);
    expect(paged.cacheSize()).toBe(7);
    expect(paged.tokenCache.peek(tokenKey('expired'))).toBeUndefined();
    const [one, three, zero] = ['d1', 'd3', 'd0'].map((d) => paged.tokenCache.peek(tokenKey(d)));
    expect(one?.holder).toBe(three?.holder);
    expect(one?.holder.user.name).toBe('alice');
    expect(zero?.holder.user.name).toBe('bob');
    expect(one?.permissions).toBe(zero?.permissions);
    expect(one?.permissions).toEqual(['repositories:access']);
    expect(one?.restricted).toBe(true);
    // Logged or serialized, an entry shows its own fields, not its owner's account (and password hash).
    expect(JSON.parse(JSON.stringify(one))).toEqual({
      id: one?.id,
      userId: alice.id,
      owner: 'alice',
      name: 't1',
      type: 'USER',
      source: 'api',
      enabled: true,
      restricted: true,
      permissions: ['repositories:access'],
      createdAt: 1,
      expiresAt: 4_000_000_000,
      lastUsedAt: null,
    });
    expect(base.lookups()).toBe(0);
  });

  it('fills itself on its first miss, in the background', async () => {
    await cached.createToken(token(alice.id, 'a', 'da'));
    await cached.createToken(token(alice.id, 'b', 'db'));
    expect(await cached.tokenCache.lookup(tokenKey('da'))).toBeDefined();
    // The miss started a fill, which the next call joins.
    await cached.tokenCache.fill();
    expect(base.pages()).toBe(1);
    expect(cached.tokenCache.peek(tokenKey('db'))?.name).toBe('b');
  });

  it('trusts nothing past maxAge unless a refresh confirmed it, and drops what a refresh no longer finds', async () => {
    let now = 0;
    const aging = withTokenCache(base.store, { maxAgeMs: 1000, now: () => now });
    const kept = await aging.createToken(token(alice.id, 'kept', 'd-kept'));
    const gone = await aging.createToken(token(alice.id, 'gone', 'd-gone'));
    await aging.tokenCache.fill();
    now = 999;
    expect(aging.tokenCache.peek(tokenKey('d-kept'))?.id).toBe(kept.id);
    now = 1000;
    expect(aging.tokenCache.peek(tokenKey('d-kept'))).toBeUndefined();
    // Removed behind the cache's back, as the cleanup task removes expired sessions: no message about it.
    await base.raw.deleteToken(gone.id);
    await aging.tokenCache.fill();
    expect(aging.tokenCache.peek(tokenKey('d-kept'))?.id).toBe(kept.id);
    expect(aging.tokenCache.peek(tokenKey('d-gone'))).toBeUndefined();
    expect(aging.cacheSize()).toBe(1);
  });

  it('ages entries by a monotonic clock: a wall clock stepped back ten minutes keeps nothing longer', async () => {
    // The wall clock and the monotonic one move only when the test says; the cache reads its default clock.
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    try {
      const aging = withTokenCache(base.store, { maxAgeMs: 1000 });
      await aging.createToken(token(alice.id, 't', 'd1'));
      await aging.tokenCache.lookup(tokenKey('d1'));
      expect(await aging.tokenCache.lookup(tokenKey('unknown'))).toBeUndefined();
      expect(aging.tokenCache.peek(tokenKey('d1'))?.name).toBe('t');
      expect(aging.tokenCache.peek(tokenKey('unknown'))).toBeNull();
      vi.setSystemTime(Date.now() - 10 * 60_000);
      vi.advanceTimersByTime(999);
      expect(aging.tokenCache.peek(tokenKey('d1'))?.name).toBe('t');
      vi.advanceTimersByTime(1);
      expect(aging.tokenCache.peek(tokenKey('d1'))).toBeUndefined();
      expect(aging.tokenCache.peek(tokenKey('unknown'))).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers from memory only within the lease its invalidation channel gives, and asks the store past it', async () => {
    let now = 0;
    let channel: InvalidationListener | undefined;
    const leased = withTokenCache(
      {
        ...base.store,
        invalidations: {
          subscribe: (listener) => {
            channel = listener;
            listener.live(true);
            return () => {};
          },
        },
      },
      { now: () => now },
    );
    await leased.createToken(token(alice.id, 't', 'd1'));
    await leased.tokenCache.lookup(tokenKey('d1'));
    // Live, but no heartbeat heard back yet: nothing is vouched for.
    expect(leased.tokenCache.peek(tokenKey('d1'))).toBeUndefined();
    channel?.trustUntil(500);
    expect(leased.tokenCache.peek(tokenKey('d1'))?.name).toBe('t');
    now = 499;
    expect(leased.tokenCache.peek(tokenKey('d1'))?.name).toBe('t');
    now = 500;
    expect(leased.tokenCache.peek(tokenKey('d1'))).toBeUndefined();
    // Kept meanwhile: nothing was missed, only late; the next heartbeat heard back comes after any message.
    expect(leased.cacheSize()).toBe(1);
    channel?.trustUntil(1500);
    expect(leased.tokenCache.peek(tokenKey('d1'))?.name).toBe('t');
    channel?.live(false);
    expect(leased.tokenCache.peek(tokenKey('d1'))).toBeUndefined();
    expect(leased.cacheSize()).toBe(0);
  });

  it("takes an owner changed behind the cache's back from the next refresh", async () => {
    await cached.createToken(token(alice.id, 't', 'd1'));
    await cached.createToken(token(alice.id, 'u', 'd2'));
    await cached.tokenCache.fill();
    const before = cached.tokenCache.peek(tokenKey('d1'))?.holder;
    // Changed past the cache: no message about it (what the maxAge backstop is for).
    await base.raw.updateUser(alice.id, { enabled: false });
    await cached.tokenCache.fill();
    expect(before?.stale).toBe(true);
    expect(cached.tokenCache.peek(tokenKey('d1'))?.holder.user.enabled).toBe(false);
    expect(cached.tokenCache.peek(tokenKey('d2'))?.holder).toBe(
      cached.tokenCache.peek(tokenKey('d1'))?.holder,
    );
  });

  it('reads everything again every refreshEveryMs', async () => {
    const refreshing = withTokenCache(base.store, { refreshEveryMs: 5 });
    await refreshing.tokenCache.fill();
    await refreshing.createToken(token(alice.id, 'behind', 'd-behind'));
    // Written past the cache (as the bench's seeding does), and asked for before: a refresh finds it.
    expect(await refreshing.tokenCache.lookup(tokenKey('d-raw'))).toBeUndefined();
    expect(refreshing.tokenCache.peek(tokenKey('d-raw'))).toBeNull();
    await base.raw.createToken(token(alice.id, 'raw', 'd-raw'));
    await expect
      .poll(() => refreshing.tokenCache.peek(tokenKey('d-raw'))?.name, { timeout: 5000 })
      .toBe('raw');
    await refreshing.close();
  });

  it('keeps at most maxEntries, and verifies the rest against the store', async () => {
    const small = withTokenCache(base.store, { maxEntries: 2 });
    for (const d of ['a', 'b', 'c']) await small.createToken(token(alice.id, d, d));
    await small.tokenCache.fill();
    expect(small.cacheSize()).toBe(2);
    const outside = ['a', 'b', 'c'].find((d) => small.tokenCache.peek(tokenKey(d)) === undefined) ?? '';
    expect((await small.tokenCache.lookup(tokenKey(outside)))?.name).toBe(outside);
    expect(small.cacheSize()).toBe(2);
    expect(small.tokenCache.peek(tokenKey(outside))).toBeUndefined();
  });

  it("keeps a new token invalidatable when it reuses a deleted token's id", async () => {
    // SQLite gives a new row the id of a deleted highest row; dropping the old cached entry must not unindex it.
    const first = await cached.createToken(token(alice.id, 'old', 'd-old'));
    await cached.tokenCache.lookup(tokenKey('d-old'));
    await base.raw.deleteToken(first.id); // deleted behind the cache's back, as the cleanup task does
    const second = await cached.createToken(token(alice.id, 'new', 'd-new'));
    expect(second.id).toBe(first.id);
    await cached.tokenCache.lookup(tokenKey('d-new'));
    expect(cached.tokenCache.peek(tokenKey('d-old'))).toBeUndefined();
    // Disabling the new token must still reach the cache at once.
    await cached.updateToken(second.id, { enabled: false });
    expect(cached.tokenCache.peek(tokenKey('d-new'))).toBeUndefined();
    expect((await cached.tokenCache.lookup(tokenKey('d-new')))?.enabled).toBe(false);
  });

  it('is not used while its invalidation channel is down', async () => {
    let setLive: (live: boolean) => void = () => {};
    const flaky = withTokenCache({
      ...base.store,
      invalidations: {
        subscribe: (listener) => {
          setLive = (live) => {
            listener.live(live);
            if (live) listener.trustUntil(Number.POSITIVE_INFINITY);
          };
          setLive(true);
          return () => {};
        },
      },
    });
    await flaky.createToken(token(alice.id, 't', 'd1'));
    await flaky.tokenCache.fill();
    expect(flaky.tokenCache.peek(tokenKey('d1'))?.name).toBe('t');
    setLive(false);
    expect(flaky.tokenCache.peek(tokenKey('d1'))).toBeUndefined();
    await flaky.tokenCache.lookup(tokenKey('d1'));
    expect(flaky.cacheSize()).toBe(0);
    setLive(true);
    expect(flaky.tokenCache.peek(tokenKey('d1'))).toBeUndefined();
    await flaky.tokenCache.fill();
    expect(flaky.tokenCache.peek(tokenKey('d1'))?.name).toBe('t');
  });
});
