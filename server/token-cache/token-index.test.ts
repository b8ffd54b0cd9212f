// The token cache's index: a key or an id always finds what a plain Map would, whatever was added and dropped.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CachedOwner, CachedToken } from './cached-token';
import { TokenIndex } from './token-index';

const grant = new CachedOwner({
  id: 1,
  name: 'alice',
  passwordHash: 'h',
  roles: [],
  enabled: true,
  createdAt: 1,
}).grantOf(1, []);

const entry = (id: number, key: string) => new CachedToken(id, key, `t${id}`, grant, 1, 2, null, 0);
const randomKey = () => randomBytes(32).toString('latin1');
/** Keys that all hash alike (the same first four bytes), so that they share one probe run. */
const collidingKey = (i: number) => `\xff\xff\xff\xff${randomBytes(28).toString('latin1')}${i}`.slice(0, 32);

describe('token index', () => {
  it('finds by key and by id what a Map and an array would, through additions, replacements and drops', () => {
    const index = new TokenIndex();
    const byKey = new Map<string, CachedToken>();
    const byId = new Map<number, CachedToken>();
    const keys: string[] = [];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (let step = 0; step < 20_000; step++) {
      const op = next(10);
      if (op < 6) {
        // A new key, or one used before (a replacement), under a new id or a taken one.
        const key =
          keys.length > 0 && next(4) === 0
            ? (keys[next(keys.length)] as string)
            : next(3) === 0
              ? collidingKey(step)
              : randomKey();
        keys.push(key);
        const added = entry(next(3000), key);
        const sameKey = byKey.get(key);
        if (sameKey) byId.delete(sameKey.id);
        const sameId = byId.get(added.id);
        if (sameId) byKey.delete(sameId.key);
        index.set(added);
        byKey.set(key, added);
        byId.set(added.id, added);
      } else if (op < 9 && byId.size > 0) {
        const ids = [...byId.keys()];
        const dropped = byId.get(ids[next(ids.length)] as number) as CachedToken;
        // An entry no longer held for its id is left alone.
        index.delete(entry(dropped.id, dropped.key));
        expect(index.ofId(dropped.id)).toBe(dropped);
        index.delete(dropped);
        byId.delete(dropped.id);
        byKey.delete(dropped.key);
      } else {
        const key = keys.length > 0 ? (keys[next(keys.length)] as string) : randomKey();
        expect(index.get(key)).toBe(byKey.get(key));
      }
      expect(index.size).toBe(byKey.size);
    }
    for (const key of keys) expect(index.get(key)).toBe(byKey.get(key));
    for (let id = 0; id < 3000; id++) expect(index.ofId(id)).toBe(byId.get(id));
    expect(new Set(index.values())).toEqual(new Set(byKey.values()));
    expect(index.get(randomKey())).toBeUndefined();
  });

  it('walks every entry it held throughout, while entries are dropped, added, and the table rebuilt meanwhile', () => {
    const index = new TokenIndex();
    const held: CachedToken[] = [];
    for (let id = 0; id < 1000; id++) {
      const added = entry(id, id % 3 === 0 ? collidingKey(id) : randomKey());
      index.set(added);
      held.push(added);
    }
    const seen = new Set<CachedToken>();
    let id = 1000;
    let dropped = 0;
    for (const found of index.values()) {
      seen.add(found);
      // Every other first-held one dropped as it is reached (a sweep), and new ones added: enough for rebuilds.
      if (found.id < 1000 && found.id % 2 === 0 && index.ofId(found.id) === found) {
        index.delete(found);
        dropped++;
      }
      if (id < 4000) for (let i = 0; i < 3; i++) index.set(entry(id++, randomKey()));
    }
    for (const kept of held) expect(seen.has(kept)).toBe(true);
    expect(dropped).toBe(500);
    expect(index.size).toBe(1000 - dropped + (id - 1000));
  });

  it('forgets everything when cleared', () => {
    const index = new TokenIndex();
    const kept = entry(3, randomKey());
    index.set(kept);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.get(kept.key)).toBeUndefined();
    expect(index.ofId(3)).toBeUndefined();
    expect([...index.values()]).toEqual([]);
  });
});
