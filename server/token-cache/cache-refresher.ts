// The token cache's refresher: on a schedule, what changed since the last pass (the store's change log), and
// now and then (or when the log cannot say) every active token again, a page at a time.

/** One page of active tokens, read but not yet kept. */
export interface ReadPage {
  /** The last token id of the page: the next page starts after it. */
  lastId: number | undefined;
  /** How many tokens the page holds (fewer than asked: the last page). */
  count: number;
  /** Keeps the page's rows (those no invalidation overtook), confirmed now. */
  keep(): void;
}

/** One page of the change log, read but not yet applied. */
export interface ReadChanges {
  /** The last entry of the page: the next page starts after it. */
  lastSeq: number | undefined;
  /** How many entries the page holds (fewer than asked: the last page). */
  count: number;
  /** Whether an entry names a user: their tokens are then read again, by a full pass. */
  users: boolean;
  /** The log's first and last entries when it was read (0 and 0 while it is empty). */
  first: number;
  last: number;
  /** Keeps the changed tokens as they are now (those no invalidation overtook), drops the removed ones. */
  keep(): void;
}

/** What the refresher needs of the cache it fills. */
export interface RefreshTarget {
  /** Reads the page of active tokens after `afterId`. */
  readPage(afterId: number, limit: number): Promise<ReadPage>;
  /** Reads the page of the change log after `afterSeq`. */
  readChanges(afterSeq: number, limit: number): Promise<ReadChanges>;
  /**
   * Confirms as of `since` (a reading of `now`) every entry that nothing confirmed since then and that has not
   * expired, and drops the expired ones: a pass that read the log from before `since` found nothing else
   * changed. A slice at a time, as sweepUnconfirmedSince.
   */
  confirmUnchangedSince(since: number): (slice: number) => boolean;
  /** Trims the change log of entries too old for any pass to need, a little at a time. */
  trimChanges(): Promise<void>;
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
  /** Tokens (or log entries) read per page. */
  pageSize: number;
  /** Every entry is confirmed about this often. */
  refreshEveryMs: number;
  /** Every this many passes, every token is read again whatever the log says (default 10). */
  fullEvery?: number;
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
  const fullEvery = options.fullEvery ?? 10;
  // Bumped whenever the cache is emptied: a pass begun before then is abandoned.
  let epoch = 0;
  let filling: { epoch: number; done: Promise<void> } | undefined;
  let began = false;
  let timer: NodeJS.Timeout | undefined;
  // Where the next pass reads the log from (undefined: no full pass yet, or the cache was emptied since), and
  // where the last pass found its end. A pass reads from the end the pass BEFORE it found: on PostgreSQL a
  // log entry's number is taken when its write begins, so a write committed late may carry a number below an
  // end already read; reading each stretch of the log twice, a pass apart, still finds it. (A write that stays
  // uncommitted longer than that is left to the next full pass.)
  let from: number | undefined;
  let lastEnd = 0;
  let sinceFull = 0;

  /** Reads every active token, a page at a time, paced; entries it did not see (and no lookup since) go. */
  async function fullPass(pace: Pace, goneStale: () => boolean): Promise<boolean> {
    const startedAt = target.now();
    // The log's end before any page is read: every write after it is read by the passes that follow.
    const { last } = await target.readChanges(Number.MAX_SAFE_INTEGER, 1);
    if (goneStale()) return false;
    let afterId = 0;
    for (let first = true; ; first = false) {
      if (!first && (await pace())) {
        if (goneStale()) return false;
      }
      const page = await target.readPage(afterId, pageSize);
      if (goneStale()) return false;
      page.keep();
      if (page.lastId === undefined || page.count < pageSize) break;
      afterId = page.lastId;
    }
    if (!(await inSlices(target.sweepUnconfirmedSince(startedAt), goneStale))) return false;
    from = last;
    lastEnd = last;
    sinceFull = 0;
    return true;
  }

  /**
   * Reads the log from `from` and applies it; every other entry is then confirmed as it is. False when the log
   * cannot say what changed (trimmed past `from`, or behind it: another database, or a backup restored) or a
   * user changed: a full pass is due.
   */
  async function changesPass(
    start: number,
    pace: Pace,
    goneStale: () => boolean,
  ): Promise<boolean | undefined> {
    const startedAt = target.now();
    let end = lastEnd;
    for (let after = start, first = true; ; first = false) {
      if (!first && (await pace())) {
        if (goneStale()) return undefined;
      }
      const page = await target.readChanges(after, pageSize);
      if (goneStale()) return undefined;
      if (page.last < start || page.first > start + 1 || page.users) return false;
      // More changed than the cache holds (a bulk load): reading every token is the cheaper way.
      if (first && page.last - start > Math.max(target.size(), pageSize)) return false;
      page.keep();
      end = page.last;
      if (page.lastSeq === undefined || page.count < pageSize) break;
      after = page.lastSeq;
    }
    if (!(await inSlices(target.confirmUnchangedSince(startedAt), goneStale))) return undefined;
    from = lastEnd;
    lastEnd = end;
    sinceFull++;
    await target.trimChanges().catch(() => {});
    return true;
  }

  /** A pass over what changed; a full one when due, or when the log cannot say what changed. */
  async function pass(pace: Pace): Promise<void> {
    const passEpoch = epoch;
    const goneStale = () => passEpoch !== epoch || !target.active();
    if (from !== undefined && sinceFull + 1 < fullEvery) {
      const done = await changesPass(from, pace, goneStale);
      if (done !== false) return;
    }
    await fullPass(pace, goneStale);
  }

  function fill(paced = false): Promise<void> {
    // A pass from before the cache was last emptied gives up at its next page; this one starts afresh.
    if (filling?.epoch === epoch) return filling.done;
    began = true;
    clearTimeout(timer);
    const pages = Math.max(1, Math.ceil(target.size() / pageSize));
    const current = {
      epoch,
      done: pass(
        paced ? pacing(refreshEveryMs / 2 / pages, refreshEveryMs / 2, target.now) : unpaced,
      ).finally(() => {
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
      from = undefined;
      clearTimeout(timer);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/**
 * Walks the cache in slices with a turn of the event loop between them: walking a million entries at once is a
 * pause of tens of milliseconds that every request waiting then would see. False if the pass went stale.
 */
async function inSlices(step: (slice: number) => boolean, goneStale: () => boolean): Promise<boolean> {
  while (!step(SWEEP_SLICE)) {
    await nextTurn();
    if (goneStale()) return false;
  }
  return true;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits (or not) before a pass reads its next page; resolves true when it waited. */
type Pace = () => Promise<boolean>;

const unpaced: Pace = async () => false;

/**
 * `pauseMs` between pages until the pass has taken `withinMs`, then a millisecond (about what a page takes to
 * read, so requests still get at least half the time). The pause is worked out from what the cache holds; after
 * a bulk load the store holds far more, and a pass paced for the cache would take minutes, while the entries it
 * has not reached yet age out and are looked up one by one.
 */
function pacing(pauseMs: number, withinMs: number, now: () => number): Pace {
  const until = now() + withinMs;
  return async () => {
    await pause(now() < until ? pauseMs : 1);
    return true;
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
