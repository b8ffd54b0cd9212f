// The refresher against a cache of its own making: pages read in order, a pass abandoned when the cache empties.
import { describe, expect, it } from 'vitest';
import { createCacheRefresher, type ReadPage, type RefreshTarget } from './cache-refresher';

/** A target over token ids 1..count; each page's read waits for `release` when `hold` is set. */
function fakeTarget(count: number) {
  const kept: number[][] = [];
  const reads: number[] = [];
  const dropped: number[] = [];
  const sweepSlices: number[] = [];
  let active = true;
  let held: Array<() => void> | undefined;
  const target: RefreshTarget = {
    async readPage(afterId, limit): Promise<ReadPage> {
      reads.push(afterId);
      if (held) await new Promise<void>((resolve) => held?.push(resolve));
      const ids = Array.from(
        { length: Math.max(0, Math.min(limit, count - afterId)) },
        (_, i) => afterId + i + 1,
      );
      return { lastId: ids.at(-1), count: ids.length, keep: () => void kept.push(ids) };
    },
    sweepUnconfirmedSince: (since) => {
      dropped.push(since);
      // Pretends to hold `count` entries, checked a slice at a time.
      let checked = 0;
      return (slice) => {
        sweepSlices.push(slice);
        checked += slice;
        return checked >= count;
      };
    },
    active: () => active,
    now: () => 0,
    size: () => kept.flat().length,
  };
  return {
    target,
    kept,
    reads,
    dropped,
    sweepSlices,
    hold: () => {
      held = [];
    },
    release: () => {
      for (const resume of held?.splice(0) ?? []) resume();
    },
    deactivate: () => {
      active = false;
    },
  };
}

describe('cache refresher', () => {
  it('reads page after page until a short one, then drops what the pass did not confirm', async () => {
    const fake = fakeTarget(7);
    const refresher = createCacheRefresher(fake.target, { pageSize: 3, refreshEveryMs: 60_000 });
    expect(refresher.filledOnce()).toBe(false);
    await refresher.fill();
    refresher.stop();
    expect(refresher.filledOnce()).toBe(true);
    expect(fake.reads).toEqual([0, 3, 6]);
    expect(fake.kept).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(fake.dropped).toHaveLength(1);
  });

  it('ends a pass over many entries with their sweep in slices, other work running between them', async () => {
    const fake = fakeTarget(12_000);
    const refresher = createCacheRefresher(fake.target, { pageSize: 5000, refreshEveryMs: 60_000 });
    // How many slices were done at each turn of the event loop taken meanwhile.
    const between: number[] = [];
    const counting = () => {
      between.push(fake.sweepSlices.length);
      if (fake.sweepSlices.length < 3) setImmediate(counting);
    };
    const filled = refresher.fill();
    setImmediate(counting);
    await filled;
    refresher.stop();
    expect(fake.sweepSlices.length).toBe(3);
    expect(fake.sweepSlices.every((slice) => slice <= 5000)).toBe(true);
    // Something else ran while the sweep was part done.
    expect(between.some((done) => done === 1 || done === 2)).toBe(true);
  });

  it('runs one pass at a time: a second fill joins the one under way', async () => {
    const fake = fakeTarget(2);
    const refresher = createCacheRefresher(fake.target, { pageSize: 5, refreshEveryMs: 60_000 });
    fake.hold();
    const first = refresher.fill();
    const second = refresher.fill();
    fake.release();
    await Promise.all([first, second]);
    refresher.stop();
    expect(fake.reads).toEqual([0]);
  });

  it('abandons a pass when the cache is emptied meanwhile, keeping nothing it read and dropping nothing', async () => {
    const fake = fakeTarget(2);
    const refresher = createCacheRefresher(fake.target, { pageSize: 5, refreshEveryMs: 60_000 });
    fake.hold();
    const filled = refresher.fill();
    refresher.reset();
    expect(refresher.filledOnce()).toBe(false);
    fake.release();
    await filled;
    expect(fake.kept).toEqual([]);
    expect(fake.dropped).toEqual([]);
  });

  it('reads everything again half of refreshEveryMs after a pass, while the cache is active', async () => {
    const fake = fakeTarget(1);
    const refresher = createCacheRefresher(fake.target, { pageSize: 5, refreshEveryMs: 10 });
    await refresher.fill();
    await expect.poll(() => fake.reads.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    fake.deactivate();
    refresher.stop();
  });
});
