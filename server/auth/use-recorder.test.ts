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
  const counted: Store = {
    ...store,
    markTokensUsed: async (uses) => {
      for (const { id, at } of uses) writes.push([id, at]);
      batches.push(uses.length);
    },
  };
  return { store: counted, writes, batches };
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
});
