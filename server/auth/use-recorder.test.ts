import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger';
import { openSqliteStore } from '../store/sqlite-store';
import type { Store, TokenRecord } from '../store/store';
import { createUseRecorder } from './use-recorder';

const settled = () => new Promise((resolve) => setImmediate(resolve));

function countingStore() {
  const store = openSqliteStore(':memory:');
  const writes: Array<[number, number]> = [];
  const batches: number[] = [];
  const origins: Array<[string | undefined, string | undefined]> = [];
  const counted: Store = {
    ...store,
    markTokensUsed: async (uses) => {
      for (const { id, at, address, userAgent } of uses) {
        writes.push([id, at]);
        origins.push([address, userAgent]);
      }
      batches.push(uses.length);
    },
  };
  return { store: counted, writes, batches, origins };
}

const token = (id: number, lastUsedAt: number | null): TokenRecord => ({
  id,
  userId: 1,
  owner: 'alice',
  name: `t${id}`,
  description: '',
  type: 'USER',
  source: 'api',
  digest: `d${id}`,
  enabled: true,
  restricted: false,
  permissions: [],
  createdAt: 0,
  savedAt: 0,
  expiresAt: 10_000,
  lastUsedAt,
  lastUsedAddress: null,
  lastUsedClient: null,
  exposedAt: null,
});

describe('recording token use', () => {
  it('asks for one write for a burst of requests that all still see the old last use', async () => {
    const { store, writes } = countingStore();
    const recordUse = createUseRecorder(store, silentLogger);
    for (let i = 0; i < 100; i++) recordUse(token(7, null), 1000);
    await settled();
    expect(writes).toEqual([[7, 1000]]);
  });

  it('asks again a minute later, and separately for each token', async () => {
    const { store, writes, batches } = countingStore();
    const recordUse = createUseRecorder(store, silentLogger);
    recordUse(token(1, null), 1000);
    recordUse(token(2, null), 1000);
    recordUse(token(1, null), 1059);
    recordUse(token(1, null), 1060);
    await settled();
    expect(writes).toEqual([
      [1, 1000],
      [2, 1000],
      [1, 1060],
    ]);
    // The uses of one turn go to the store together.
    expect(batches).toEqual([3]);
  });

  it('trusts a stored last use from this minute (another instance wrote it)', async () => {
    const { store, writes } = countingStore();
    const recordUse = createUseRecorder(store, silentLogger);
    recordUse(token(3, 990), 1000);
    await settled();
    expect(writes).toEqual([]);
  });

  it('forgets a write once it has landed: what shows the use from then on is the token itself', async () => {
    const { store, writes } = countingStore();
    const recordUse = createUseRecorder(store, silentLogger);
    recordUse(token(4, null), 1000);
    await settled();
    await settled();
    // A copy read before the write landed is not vouched for by this process any more.
    recordUse(token(4, null), 1010);
    await settled();
    await settled();
    // Read again, the token shows its use: nothing to write.
    recordUse(token(4, 1010), 1020);
    await settled();
    expect(writes).toEqual([
      [4, 1000],
      [4, 1010],
    ]);
  });

  it('writes a use from another address at once, and reads the User-Agent only for a use it writes', async () => {
    const { store, writes, origins } = countingStore();
    const recordUse = createUseRecorder(store, silentLogger);
    let headerReads = 0;
    const request = (userAgent: string) => ({
      header: (name: string) => {
        headerReads++;
        return name === 'User-Agent' ? userAgent : undefined;
      },
    });
    recordUse(token(4, null), 1000, '203.0.113.1', request('curl/8.5.0'));
    for (let i = 0; i < 50; i++) recordUse(token(4, null), 1010, '203.0.113.1', request('curl/8.5.0'));
    recordUse(token(4, null), 1020, '2001:db8::9', request('Wget/1.21'));
    recordUse(token(4, null), 1030, '2001:db8::9', request('Wget/1.21'));
    await settled();
    expect(writes).toEqual([
      [4, 1000],
      [4, 1020],
    ]);
    expect(origins).toEqual([
      ['203.0.113.1', 'curl/8.5.0'],
      ['2001:db8::9', 'Wget/1.21'],
    ]);
    expect(headerReads).toBe(2);
  });

  it("writes a lease's use as its parent's, with where it came from", async () => {
    const { store, writes, origins } = countingStore();
    const leases: Array<[number, number]> = [];
    const recordUse = createUseRecorder(
      {
        ...store,
        markLeasesUsed: async (uses) =>
          void leases.push(...uses.map((u) => [u.id, u.at] as [number, number])),
      },
      silentLogger,
    );
    recordUse({ ...token(5, null), lease: { id: 77, lastUsedAt: null } }, 1000, '203.0.113.8', {
      header: () => 'python-requests/2.32.3',
    });
    await settled();
    expect(writes).toEqual([[5, 1000]]);
    expect(origins).toEqual([['203.0.113.8', 'python-requests/2.32.3']]);
    expect(leases).toEqual([[77, 1000]]);
  });
  it('writes a token shared by machines taking turns once per new block a minute, not once a request', async () => {
    const { store, writes, origins } = countingStore();
    const recordUse = createUseRecorder(store, silentLogger);
    const curl = { header: () => 'curl/8.5.0' };
    recordUse(token(6, null), 1000, '203.0.113.1', curl);
    await settled();
    await settled();
    for (let i = 0; i < 20; i++) {
      recordUse(token(6, 1000), 1001 + i, i % 2 === 0 ? '203.0.113.2' : '203.0.113.1', curl);
      // Two privacy addresses of one IPv6 /64 are one place.
      recordUse(token(6, 1000), 1001 + i, i % 2 === 0 ? '2001:db8:1:2::a' : '2001:db8:1:2::b', curl);
      await settled();
    }
    // 40 uses from four addresses in three blocks: three writes (the first address's block is asked again once,
    // its write having landed and been forgotten), then nothing until the minute is out.
    expect(writes.map(([, at]) => at)).toEqual([1000, 1001, 1002]);
    expect(origins.map(([address]) => address)).toEqual(['203.0.113.1', '2001:db8:1:2::a', '203.0.113.1']);
  });
});
