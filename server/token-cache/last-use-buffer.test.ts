import { describe, expect, it } from 'vitest';
import { createLastUseBuffer, type TokenUse } from './last-use-buffer';

describe('last-use buffer', () => {
  it('writes each token once per batch, with its latest use, and tells of what was written', async () => {
    const writes: TokenUse[][] = [];
    const written: Array<[number, number]> = [];
    const buffer = createLastUseBuffer(async (uses) => void writes.push(uses), {
      flushEveryMs: 60_000,
      maxPending: 100,
      onWritten: (id, at) => written.push([id, at]),
    });
    const first = buffer.add([
      { id: 1, at: 10 },
      { id: 2, at: 10 },
    ]);
    const second = buffer.add([
      { id: 1, at: 30 },
      { id: 1, at: 20 },
    ]);
    expect(first).toBe(second);
    await buffer.settle();
    expect(writes).toEqual([
      [
        { id: 1, at: 30 },
        { id: 2, at: 10 },
      ],
    ]);
    expect(written).toEqual([
      [1, 30],
      [2, 10],
    ]);
  });

  it('reports a failed write to those whose uses it held, and goes on with the next batch', async () => {
    let fail = true;
    const writes: TokenUse[][] = [];
    const buffer = createLastUseBuffer(
      async (uses) => {
        if (fail) throw new Error('disk full');
        writes.push(uses);
      },
      { flushEveryMs: 60_000, maxPending: 100 },
    );
    const lost = buffer.add([{ id: 1, at: 10 }]);
    await buffer.settle();
    await expect(lost).rejects.toThrow('disk full');
    fail = false;
    const kept = buffer.add([{ id: 2, at: 20 }]);
    await buffer.settle();
    await kept;
    expect(writes).toEqual([[{ id: 2, at: 20 }]]);
  });

  it("keeps each token's latest use with the raw strings of its request, as they were passed", async () => {
    const writes: TokenUse[][] = [];
    const buffer = createLastUseBuffer(async (uses) => void writes.push(uses), {
      flushEveryMs: 60_000,
      maxPending: 100,
    });
    const latest = { id: 1, at: 30, address: '2001:db8::1', userAgent: 'curl/8.5.0' };
    void buffer.add([{ id: 1, at: 10, address: '203.0.113.1', userAgent: 'Wget/1.21' }]);
    void buffer.add([latest]);
    // An older use that arrives late moves neither the time nor the place.
    void buffer.add([{ id: 1, at: 20, address: '203.0.113.2', userAgent: 'node' }]);
    expect(buffer.unwritten(1)).toBe(latest);
    await buffer.settle();
    expect(writes).toHaveLength(1);
    expect(writes[0]?.[0]).toBe(latest);
  });

  it('keeps an earlier use from another address too, once per token and address, for its first use', async () => {
    const writes: TokenUse[][] = [];
    const buffer = createLastUseBuffer(async (uses) => void writes.push(uses), {
      flushEveryMs: 60_000,
      maxPending: 100,
    });
    const from = (at: number, address: string) => ({ id: 1, at, address, userAgent: 'curl/8.5.0' });
    void buffer.add([
      from(10, 'A'),
      from(11, 'A'),
      from(12, 'B'),
      from(13, 'A'),
      from(14, 'B'),
      from(15, 'C'),
    ]);
    void buffer.add([{ id: 2, at: 10, address: 'A' }, from(9, 'D')]);
    await buffer.settle();
    expect(writes).toEqual([
      [from(15, 'C'), { id: 2, at: 10, address: 'A' }, from(11, 'A'), from(12, 'B'), from(9, 'D')],
    ]);
  });

  it('keeps every place a copied token was used from, told apart by the place each was described with', async () => {
    const writes: TokenUse[][] = [];
    const buffer = createLastUseBuffer(async (uses) => void writes.push(uses), {
      flushEveryMs: 60_000,
      maxPending: 100,
    });
    const copied = (at: number, address: string) => ({ id: 1, at, copied: { address, client: null } });
    void buffer.add([copied(10, 'A'), copied(11, 'B'), copied(12, 'C')]);
    await buffer.settle();
    expect(writes).toEqual([[copied(12, 'C'), copied(10, 'A'), copied(11, 'B')]]);
  });

  it('settles at once when nothing is pending', async () => {
    const buffer = createLastUseBuffer(async () => {}, { flushEveryMs: 60_000, maxPending: 100 });
    await expect(buffer.settle()).resolves.toBeUndefined();
  });
});
