// The caching store: last uses written in batches, before closing too, and shown to every read meanwhile.
import { beforeEach, describe, expect, it } from 'vitest';
import { countingStore, token, user } from '../../test/fixtures/counting-store';
import { tokenKey } from '../auth/digest';
import { openSqliteStore } from '../store/sqlite-store';
import type { UserRecord } from '../store/store';
import { withTokenCache } from './caching-store';

describe('last uses through the caching store', () => {
  let base: ReturnType<typeof countingStore>;
  let cached: ReturnType<typeof withTokenCache>;
  let alice: UserRecord;

  beforeEach(async () => {
    base = countingStore();
    cached = withTokenCache(base.store);
    alice = await cached.createUser(user('alice'));
  });

  it('writes last uses together, keeps the cached last use current, and shows them to any read', async () => {
    const created = await cached.createToken(token(alice.id, 't', 'd1'));
    const other = await cached.createToken(token(alice.id, 'u', 'd2'));
    await cached.tokenCache.lookup(tokenKey('d1'));
    const first = cached.markTokensUsed([{ id: created.id, at: 500 }]);
    const second = cached.markTokensUsed([
      { id: other.id, at: 520 },
      { id: created.id, at: 510 },
    ]);
    expect(base.writes).toEqual([]);
    // A read that shows last uses writes the pending ones first.
    expect((await cached.findToken(alice.id, 't'))?.lastUsedAt).toBe(510);
    await Promise.all([first, second]);
    expect(base.writes).toEqual([
      [
        { id: created.id, at: 510 },
        { id: other.id, at: 520 },
      ],
    ]);
    expect(cached.tokenCache.peek(tokenKey('d1'))?.lastUsedAt).toBe(510);
    expect(base.lookups()).toBe(1);
  });

  it('writes pending last uses within flushUsesEveryMs', async () => {
    const created = await cached.createToken(token(alice.id, 't', 'd1'));
    const soon = withTokenCache(base.store, { flushUsesEveryMs: 5 });
    await soon.markTokensUsed([{ id: created.id, at: 600 }]);
    expect(base.writes).toHaveLength(1);
  });

  it('writes at once past maxPendingUses, without waiting for the interval', async () => {
    const created = await cached.createToken(token(alice.id, 't', 'd1'));
    // An hour's interval: only the bound can start this write within the test's time.
    const bounded = withTokenCache(base.store, { flushUsesEveryMs: 3_600_000, maxPendingUses: 2 });
    void bounded.markTokensUsed([{ id: created.id, at: 600 }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(base.writes).toHaveLength(0);
    // Two tokens pending reach the bound.
    await bounded.markTokensUsed([{ id: created.id + 1, at: 700 }]);
    expect(base.writes).toHaveLength(1);
  });

  it('writes where a use came from with its time, shown to reads before the write and kept on close', async () => {
    const raw = openSqliteStore(':memory:');
    let whenClosed: unknown;
    const store = withTokenCache(
      {
        ...raw,
        close: async () => {
          whenClosed = await raw.findToken(owner.id, 't');
          await raw.close();
        },
      },
      { flushUsesEveryMs: 60_000 },
    );
    const owner = await store.createUser(user('dave'));
    const created = await store.createToken(token(owner.id, 't', 'd1'));
    void store.markTokensUsed([
      { id: created.id, at: 900, address: '2001:db8:5:6:7::1', userAgent: 'PostmanRuntime/7.39.0' },
    ]);
    const where = { lastUsedAt: 900, lastUsedAddress: '2001:db8:5:6::/64', lastUsedClient: 'Postman' };
    expect(await raw.findToken(owner.id, 't')).toMatchObject({ lastUsedAt: null, lastUsedAddress: null });
    expect(await store.findToken(owner.id, 't')).toMatchObject(where);
    await store.close();
    expect(whenClosed).toMatchObject(where);
  });

  it('writes pending last uses before the store closes', async () => {
    const raw = openSqliteStore(':memory:');
    let lastUseWhenClosed: number | null | undefined;
    const store = withTokenCache(
      {
        ...raw,
        close: async () => {
          lastUseWhenClosed = (await raw.findToken(owner.id, 't'))?.lastUsedAt;
          await raw.close();
        },
      },
      { flushUsesEveryMs: 60_000 },
    );
    const owner = await store.createUser(user('carol'));
    const created = await store.createToken(token(owner.id, 't', 'd1'));
    void store.markTokensUsed([{ id: created.id, at: 900 }]);
    await store.close();
    expect(lastUseWhenClosed).toBe(900);
  });
});
