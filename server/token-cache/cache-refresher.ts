// The token cache's refresher: every active token read again, a page at a time, on a schedule.

/** One page of active tokens, read but not yet kept. */
export interface ReadPage {
  /** The last token id of the page: the next page starts after it. */
  lastId: number | undefined;
  /** How many tokens the page holds (fewer than asked: the last page). */
  count: number;
  /** Keeps the page's rows (those no invalidation overtook), confirmed now. */
  keep(): void;
}

/** What the refresher needs of the cache it fills. */
export interface RefreshTarget {
  /** Reads the page of active tokens after `afterId`. */
  readPage(afterId: number, limit: number): Promise<ReadPage>;
  /**
   * Drops every entry that no page and no lookup confirmed since `since` (a reading of `now`), a slice at a
   * time: each call of the step returned checks at most `slice` more entries, and says whether it has now
   * checked them all.
   */
  sweepUnconfirmedSince(since: number): (slice: number) => boolean;
  /** Whether passes may run: the invalidation channel is live and the cache open. */
  active(): boolean;
  now(): number;
  size(): number;
}

export interface CacheRefresherOptions {
  /** Tokens read per page. */
  pageSize: number;
  /** Every entry is confirmed about this often. */
  refreshEveryMs: number;
}

export interface CacheRefresher {
  /**
   * Fills the cache at once, or (`paced`) reads it again with its pages spread over half of refreshEveryMs, so
   * that a refresh of many tokens is a steady trickle, not a stall. One pass at a time.
   */
  fill(paced?: boolean): Promise<void>;
  /** Whether a pass began since the last reset (the cache fills itself on its first miss otherwise). */
  filledOnce(): boolean;
  /** The cache was emptied: a pass under way gives up at its next page, and none is scheduled. */
  reset(): void;
  stop(): void;
}

/** Entries checked per turn of the event loop at the end of a pass (well under a millisecond's work). */
const SWEEP_SLICE = 5000;

export function createCacheRefresher(target: RefreshTarget, options: CacheRefresherOptions): CacheRefresher {
  const { pageSize, refreshEveryMs } = options;
  // Bumped whenever the cache is emptied: a pass begun before then is abandoned.
  let epoch = 0;
  let filling: { epoch: number; done: Promise<void> } | undefined;
  let began = false;
  let timer: NodeJS.Timeout | undefined;

  /**
   * One pass over every active token, a page at a time, `pauseMs` apart; entries it did not see (and no lookup
   * since) go.
   */
  async function pass(pauseMs: number): Promise<void> {
    const passEpoch = epoch;
    const goneStale = () => passEpoch !== epoch || !target.active();
    const startedAt = target.now();
    let afterId = 0;
    for (let first = true; ; first = false) {
      if (!first && pauseMs > 0) {
        await pause(pauseMs);
        if (goneStale()) return;
      }
      const page = await target.readPage(afterId, pageSize);
      if (goneStale()) return;
      page.keep();
      if (page.lastId === undefined || page.count < pageSize) break;
      afterId = page.lastId;
    }
    // Checked in slices with a turn of the event loop between them: walking a million entries at once is a
    // pause of tens of milliseconds that every request waiting then would see.
    const sweep = target.sweepUnconfirmedSince(startedAt);
    while (!sweep(SWEEP_SLICE)) {
      await nextTurn();
      if (goneStale()) return;
    }
  }

  function fill(paced = false): Promise<void> {
    // A pass from before the cache was last emptied gives up at its next page; this one starts afresh.
    if (filling?.epoch === epoch) return filling.done;
    began = true;
    clearTimeout(timer);
    const pages = Math.max(1, Math.ceil(target.size() / pageSize));
    const current = {
      epoch,
      done: pass(paced ? refreshEveryMs / 2 / pages : 0).finally(() => {
        if (filling !== current) return;
        filling = undefined;
        // The next pass starts half of refreshEveryMs after this one ends: every entry is confirmed about
        // every refreshEveryMs.
        if (target.active() && current.epoch === epoch) {
          timer = setTimeout(() => void fill(true).catch(() => {}), refreshEveryMs / 2);
          timer.unref();
        }
      }),
    };
    filling = current;
    return current.done;
  }

  return {
    fill,
    filledOnce: () => began,
    reset() {
      epoch++;
      began = false;
      clearTimeout(timer);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
