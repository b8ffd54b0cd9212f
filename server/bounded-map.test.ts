import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map';

describe('BoundedMap', () => {
  it('keeps at most max entries, forgetting the oldest first', () => {
    const map = new BoundedMap<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) map.set(key, i);
    expect(map.size).toBe(3);
    expect(map.has('a')).toBe(false);
    expect([...map.values()]).toEqual([1, 2, 3]);
  });

  it('skips keys deleted before their turn, and a re-set key keeps its first place', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.delete('a');
    map.set('c', 3);
    expect([...map.values()]).toEqual([2, 3]);
    map.set('b', 20);
    map.set('d', 4);
    expect(map.has('b')).toBe(false);
    expect(map.get('c')).toBe(3);
    expect(map.get('d')).toBe(4);
  });

  it('stays bounded in memory when the same keys come and go forever', () => {
    const map = new BoundedMap<number, number>(100);
    for (let round = 0; round < 10_000; round++) {
      map.set(round % 50, round);
      map.delete(round % 50);
    }
    expect(map.size).toBe(0);
    map.set(1, 1);
    expect(map.get(1)).toBe(1);
  });
});
