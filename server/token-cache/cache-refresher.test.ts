// The refresher against a cache of its own making: pages read in order, a pass abandoned when the cache empties.
import { describe, expect, it } from 'vitest';
import { createCacheRefresher, type ReadChanges, type ReadPage, type RefreshTarget } from './cache-refresher';

/**
 * A target over token ids 1..count; each page's read waits for `release` when `hold` is set. Its change log is
 * `log` (each entry a token id, or `user` for a user's), numbered from 1 unless `logFrom` says otherwise.
 */
function fakeTarget(initialCount: number) {
  let count = initialCount;
  const kept: number[][] = [];
  const reads: number[] = [];
  const dropped: number[] = [];
  const sweepSlices: number[] = [];
  const changeReads: number[] = [];
  const appliedChanges: Array<number | 'user'> = [];
  const confirmed: number[] = [];
  const log: Array<number | 'user'> = [];
  let logFrom = 1;
  let active = true;
  let held: Array<() => void> | undefined;
  const target: RefreshTarget = {
    async readChanges(afterSeq, limit): Promise<ReadChanges> {
      // The log's end alone (a full pass asks before its first page) is not a read of what changed.
      if (afterSeq !== Number.MAX_SAFE_INTEGER) changeReads.push(afterSeq);
      const last = log.length === 0 ? 0 : logFrom + log.length - 1;
      const page = log
        .map((entry, i) => ({ entry, seq: logFrom + i }))
        .filter(({ seq }) => seq > afterSeq)
        .slice(0, limit);
      return {
        lastSeq: page.at(-1)?.seq,
        count: page.length,
        users: page.some(({ entry }) => entry === 'user'),
        first: log.length === 0 ? 0 : logFrom,
        last,
        keep: () => void appliedChanges.push(...page.map(({ entry }) => entry)),
      };
    },
    confirmUnchangedSince: (since) => {
      confirmed.push(since);
      return () => true;
    },
    trimChanges: async () => {},
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
    changeReads,
    appliedChanges,
    confirmed,
    log,
    /** The log as a database restored from a backup (or another one) has it: numbered from `seq`. */
    restartLog: (seq: number) => {
      log.length = 0;
      logFrom = seq;
    },
    hold: () => {
      held = [];
    },
    release: () => {
      for (const resume of held?.splice(0) ?? []) resume();
    },
    deactivate: () => {
      active = false;
    },
    /** Tokens written past the store (a bulk load): the log cannot say what they are. */
    grow: (to: number) => {
      count = to;
      log.push('user');
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
    // The pass reads where the change log ends before its first page.
    await expect.poll(() => fake.reads.length).toBe(1);
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

  it('ends a paced pass within half of refreshEveryMs, however many more tokens the store holds than the cache', async () => {
    const fake = fakeTarget(1);
    fake.target.now = () => Math.floor(performance.now());
    const refresher = createCacheRefresher(fake.target, { pageSize: 10, refreshEveryMs: 400 });
    await refresher.fill();
    refresher.stop();
    // Paced for the one entry the cache holds, each page would wait 200 ms: 500 pages, 100 s.
    fake.grow(5000);
    const started = performance.now();
    await refresher.fill(true);
    refresher.stop();
    expect(fake.kept.flat()).toHaveLength(5001);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('after a full pass reads only the log, from the end the pass before found, and confirms the rest', async () => {
    const fake = fakeTarget(7);
    const refresher = createCacheRefresher(fake.target, { pageSize: 3, refreshEveryMs: 60_000 });
    fake.log.push(1, 2);
    await refresher.fill();
    expect(fake.reads).toEqual([0, 3, 6]);
    fake.log.push(3, 4);
    await refresher.fill();
    // No token page: the two entries after the log's end as the full pass found it, the rest confirmed.
    expect(fake.reads).toEqual([0, 3, 6]);
    expect(fake.changeReads).toEqual([2]);
    expect(fake.appliedChanges).toEqual([3, 4]);
    expect(fake.confirmed).toHaveLength(1);
    fake.log.push(5);
    await refresher.fill();
    // Each stretch of the log is read twice, a pass apart: a write committed late is still found. (A full
    // page of the log is followed by another read.)
    expect(fake.changeReads).toEqual([2, 2, 5]);
    expect(fake.appliedChanges).toEqual([3, 4, 3, 4, 5]);
    await refresher.fill();
    expect(fake.changeReads).toEqual([2, 2, 5, 4]);
    refresher.stop();
  });

  it('reads every token again every fullEvery passes, when a user changed, and when the log went back', async () => {
    const fake = fakeTarget(2);
    const refresher = createCacheRefresher(fake.target, {
      pageSize: 5,
      refreshEveryMs: 60_000,
      fullEvery: 3,
    });
    await refresher.fill();
    await refresher.fill();
    await refresher.fill();
    expect(fake.reads).toEqual([0]);
    await refresher.fill();
    expect(fake.reads).toEqual([0, 0]);
    fake.log.push('user');
    await refresher.fill();
    expect(fake.reads).toEqual([0, 0, 0]);
    await refresher.fill();
    expect(fake.reads).toEqual([0, 0, 0]);
    // A log that now ends before where this cache read to: it cannot say what changed since.
    fake.restartLog(1);
    await refresher.fill();
    expect(fake.reads).toEqual([0, 0, 0, 0]);
    refresher.stop();
  });
});
