// An in-process cache of every active token in front of any store, dropped on every change, in every instance.
import { digestOfKey, keyOfDigest } from '../auth/digest';
import { BoundedMap } from '../bounded-map';
import { createLeaseCache } from '../leases/lease-cache';
import type { CacheableToken, CacheableTokens, Store, UserRecord, VerifiedToken } from '../store/store';
import { monotonicMs } from '../time';
import { createCacheRefresher, type ReadChanges, type ReadPage } from './cache-refresher';
import { CachedOwner, CachedToken, createPermissionInterner } from './cached-token';
import { TokenIndex } from './token-index';

export interface TokenCacheOptions {
  /** Tokens kept at most (default: every active token). Once full, others are verified against the store. */
  maxEntries?: number;
  /** A backstop: no entry is trusted longer than this, whatever happens to invalidation messages. */
  maxAgeMs?: number;
  /**
   * How often every entry is confirmed (default: half of maxAgeMs, so none ages out while used): by reading what
   * the store's change log says changed, and every tenth time every active token.
   */
  refreshEveryMs?: number;
  /**
   * Tokens read per query while filling. Small: better-sqlite3 reads synchronously, so a page is a pause of
   * the event loop, and large pages showed in the token pages' worst latencies while the cache refreshed.
   */
  pageSize?: number;
  /**
   * How long a digest found in no token is remembered as unknown (0: never). Default: maxAgeMs. A token
   * created through any instance drops it at once; one written past the store (a restored backup) is found by
   * the next refresh, which drops it too.
   */
  unknownForMs?: number;
  /** Unknown digests remembered at most; the oldest go first. */
  maxUnknown?: number;
  /**
   * A monotonic clock in milliseconds (default monotonicMs, the clock the invalidation channel's leases are read
   * on): entries age by it, so a wall clock stepped back or forward changes nothing.
   */
  now?: () => number;
}

/** The request path's view of the cache. */
export interface TokenCache {
  /**
   * Synchronous: the cached token with this key (server/auth/digest.ts's tokenKey of the value presented) when it
   * can be trusted; null when the key is known to belong to no token; undefined when only the store can say (then
   * call `lookup`).
   */
  peek(key: string): CachedToken | null | undefined;
  /** Asks the store (by the key's stored digest), and keeps the answer unless an invalidation overtook the lookup. */
  lookup(key: string): Promise<CachedToken | undefined>;
  /** Reads every active token now (the cache otherwise fills on its first miss, and refreshes itself). */
  fill(): Promise<void>;
  size(): number;
  unknownSize(): number;
}

/** The cache as its store wrapper drives it (caching-store.ts): the wrapper's own writes, written uses, closing. */
export interface OwnedTokenCache extends TokenCache {
  /** Drops what a write about `subject` made stale (a `token:`, `user:` or `digest:` subject). */
  invalidate(subject: string): void;
  /** A last use was written: the cached copy shows it, so the once-a-minute rule still sees it. */
  noteUse(id: number, at: number): void;
  /** Stops answering from memory and refreshing, and stops listening for invalidations. */
  close(): void;
}

/**
 * How long the store's change log keeps a write: far longer than the time between two passes, so that a pass
 * finds its place in the log (one that does not reads every token again).
 */
const CHANGE_LOG_KEPT_SECONDS = 600;

/** Invalidations seen while a page of tokens was being read: those rows may be stale, and are not kept. */
interface PageWatch {
  tokens: Set<number>;
  users: Set<number>;
}

/**
 * Token verification is the hot path of every request; a hit is answered synchronously, from memory. The cache
 * holds every active token (filled on its first miss, then read again every `refreshEveryMs` in pages), in
 * entries of a few hundred bytes: numbers and shared references, the owner and the permission lists shared.
 *
 * Every write that could change a verification (a token's state or expiry, its removal, its owner's roles,
 * password or state) drops the affected entries here at once and, through the store's invalidation channel,
 * in every other instance. The cache answers only while that channel vouches for it (a lease, renewed while
 * the channel proves itself alive), and a write is acknowledged only once every instance has dropped what it
 * made stale or stopped answering from memory. A lookup that raced an invalidation is not cached (the
 * generation counter), nor is a row of a page read while one about it arrived.
 *
 * Refreshing is cache-refresher.ts's job; the store wrapper that tells the cache of its own writes and writes
 * last uses in batches is caching-store.ts.
 */
export function createTokenCache(store: Store, options: TokenCacheOptions = {}): OwnedTokenCache {
  const maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const refreshEveryMs = options.refreshEveryMs ?? maxAgeMs / 2;
  const pageSize = options.pageSize ?? 100;
  const unknownForMs = options.unknownForMs ?? maxAgeMs;
  const clock = options.now ?? monotonicMs;
  // Entry times relative to the cache's start, in whole milliseconds, stay small integers (cheaper to keep than
  // fractions). Rounded down: an entry looks a little older, never younger.
  const origin = clock();
  const now = () => Math.floor(clock() - origin);

  // By key (tokenKey: the digest as 32 one-byte characters, not the stored hex: half the bytes) and by id.
  const entries = new TokenIndex();
  const owners = new Map<number, CachedOwner>();
  const intern = createPermissionInterner();
  // Digests no token has, until when: a client retrying a removed or mistyped token costs no lookup. New
  // token values are 128 random bits, so a digest seen unknown is not about to be created; if one is, its
  // creation drops the entry here and in every instance (or, written past the store, the next refresh does).
  const unknown = new BoundedMap<string, number>(options.maxUnknown ?? 10_000);
  const watches = new Set<PageWatch>();
  let live = false;
  // Until when (a reading of `clock`) the invalidation channel vouches for this cache: nothing is answered from
  // memory past it (server/store/agreement.ts says why that makes a revocation final once acknowledged).
  let trustedUntil = Number.NEGATIVE_INFINITY;
  let generation = 0;
  let ownerSweep = false;
  let closed = false;

  function remove(entry: CachedToken): void {
    entries.delete(entry);
  }

  /** The shared owner for a user just read: the cached one while it still says the same, else a new one. */
  function ownerOf(user: UserRecord): CachedOwner {
    const owner = owners.get(user.id);
    if (owner !== undefined && sameUser(owner.user, user)) return owner;
    // Changed without a message reaching us (the backstop's case): the old owner's entries go with it.
    if (owner !== undefined) {
      owner.stale = true;
      sweepStaleOwners();
    }
    const fresh = new CachedOwner(user);
    owners.set(user.id, fresh);
    return fresh;
  }

  /** Keeps a row just read: the entry as it is when nothing changed (only confirmed), else a new one. */
  function admit(row: CacheableToken, owner: CachedOwner, at: number): CachedToken | undefined {
    const key = keyOfDigest(row.digest);
    // The store has this digest now, whatever was remembered (kept or not, it is no longer unknown).
    if (unknown.size > 0) unknown.delete(key);
    const existing = entries.get(key);
    const permissions = intern(row.permissions);
    if (existing?.matches(row, owner, permissions)) {
      existing.confirmedAt = at;
      if ((existing.lastUsedAt ?? 0) < (row.lastUsedAt ?? 0)) existing.lastUsedAt = row.lastUsedAt;
      return existing;
    }
    if (existing === undefined && entries.size >= maxEntries) return undefined;
    const entry = CachedToken.of(row, key, owner, permissions, at);
    entries.set(entry);
    return entry;
  }

  function clear(): void {
    entries.clear();
    for (const owner of owners.values()) owner.stale = true;
    owners.clear();
    unknown.clear();
    refresher.reset();
  }

  /** A changed user's entries are already refused (their owner is stale); this frees them, once per turn. */
  function sweepStaleOwners(): void {
    if (ownerSweep) return;
    ownerSweep = true;
    setImmediate(() => {
      ownerSweep = false;
      for (const entry of entries.values()) if (entry.holder.stale) remove(entry);
    });
  }

  function invalidate(subject: string): void {
    generation++;
    const separator = subject.indexOf(':');
    const kind = subject.slice(0, separator);
    const key = subject.slice(separator + 1);
    if (kind === 'digest') unknown.delete(keyOfDigest(key));
    if (kind === 'token') {
      const id = Number(key);
      for (const watch of watches) watch.tokens.add(id);
      const entry = entries.ofId(id);
      if (entry) remove(entry);
    }
    if (kind === 'user') {
      const id = Number(key);
      for (const watch of watches) watch.users.add(id);
      const owner = owners.get(id);
      if (owner) {
        owner.stale = true;
        owners.delete(id);
        sweepStaleOwners();
      }
    }
  }

  /** Reads rows of active tokens with `read`, watching for invalidations about them while they are read. */
  async function watchedRead(
    read: () => Promise<CacheableTokens>,
  ): Promise<{ page: CacheableTokens; keep(): void }> {
    const watch: PageWatch = { tokens: new Set(), users: new Set() };
    watches.add(watch);
    let page: CacheableTokens;
    try {
      page = await read();
    } finally {
      watches.delete(watch);
    }
    return {
      page,
      keep() {
        const at = now();
        const pageOwners = new Map<number, CachedOwner>();
        for (const user of page.owners) {
          if (!watch.users.has(user.id)) pageOwners.set(user.id, ownerOf(user));
        }
        for (const row of page.tokens) {
          const owner = pageOwners.get(row.userId);
          if (owner !== undefined && !watch.tokens.has(row.id)) admit(row, owner, at);
        }
      },
    };
  }

  /** Reads one page of active tokens. */
  async function readPage(afterId: number, limit: number): Promise<ReadPage> {
    const { page, keep } = await watchedRead(() =>
      store.listCacheableTokens({ afterId, limit, now: Math.floor(Date.now() / 1000) }),
    );
    return { lastId: page.tokens.at(-1)?.id, count: page.tokens.length, keep };
  }

  /** Reads one page of the change log, and the tokens it names as they are now. */
  async function readChanges(afterSeq: number, limit: number): Promise<ReadChanges> {
    const log = await store.listTokenChanges(afterSeq, limit);
    const ids = new Set<number>();
    for (const change of log.changes) if (change.tokenId !== null) ids.add(change.tokenId);
    const users = log.changes.some((change) => change.tokenId === null);
    const { page, keep } = await watchedRead(() =>
      users
        ? Promise.resolve({ tokens: [], owners: [] })
        : store.findCacheableTokens([...ids], Math.floor(Date.now() / 1000)),
    );
    return {
      lastSeq: log.changes.at(-1)?.seq,
      count: log.changes.length,
      users,
      first: log.first,
      last: log.last,
      keep() {
        // Named by the log and no longer there (removed, or expired): gone from here too.
        for (const row of page.tokens) ids.delete(row.id);
        for (const id of ids) {
          const entry = entries.ofId(id);
          if (entry) remove(entry);
        }
        keep();
      },
    };
  }

  const refresher = createCacheRefresher(
    {
      readPage,
      readChanges,
      confirmUnchangedSince(since) {
        // As the sweep below; an entry confirmed since (a changed row kept, a lookup) is as it should be.
        const walk = entries.values();
        const seconds = Math.floor(Date.now() / 1000);
        return (slice) => {
          for (let i = 0; i < slice; i++) {
            const next = walk.next();
            if (next.done) return true;
            const entry = next.value;
            if (entry.confirmedAt >= since) continue;
            if (entry.expiresAt <= seconds) remove(entry);
            else entry.confirmedAt = since;
          }
          return false;
        };
      },
      async trimChanges() {
        // A few small deletes, a turn apart, rather than one long one that holds SQLite's event loop.
        const before = Math.floor(Date.now() / 1000) - CHANGE_LOG_KEPT_SECONDS;
        for (let i = 0; i < 20; i++) {
          if ((await store.trimTokenChanges(before, 500)) < 500) return;
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
      sweepUnconfirmedSince(since) {
        // The index's walk goes on past deletions; an entry added meanwhile is confirmed, so kept either way.
        const walk = entries.values();
        return (slice) => {
          for (let i = 0; i < slice; i++) {
            const next = walk.next();
            if (next.done) return true;
            if (next.value.confirmedAt < since) remove(next.value);
          }
          return false;
        };
      },
      active: () => live && !closed,
      now,
      size: () => entries.size,
    },
    { pageSize, refreshEveryMs },
  );

  const unsubscribe = store.invalidations.subscribe({
    stale: invalidate,
    live(isLive) {
      generation++;
      clear();
      live = isLive;
      if (!isLive) trustedUntil = Number.NEGATIVE_INFINITY;
    },
    trustUntil(until) {
      trustedUntil = until;
    },
  });

  function peek(key: string): CachedToken | null | undefined {
    const at = clock();
    // Written so that NaN, too, means "not trusted".
    if (!(at < trustedUntil)) return undefined;
    const age = at - origin;
    const entry = entries.get(key);
    if (entry !== undefined) {
      return !entry.holder.stale && age - entry.confirmedAt < maxAgeMs ? entry : undefined;
    }
    // Leases (server/leases/lease-cache.ts): held apart, each trusted while its parent's entry here is.
    const lease = leases.peek(key);
    if (lease !== null) return lease;
    const unknownUntil = unknown.get(key);
    return unknownUntil !== undefined && unknownUntil > age ? null : undefined;
  }

  async function lookup(key: string): Promise<CachedToken | undefined> {
    // A miss is how the cache learns it is empty: fill it in the background (a failed pass is retried later).
    if (live && !refresher.filledOnce()) void refresher.fill().catch(() => {});
    const startedAt = generation;
    const found = await store.findTokenByDigest(digestOfKey(key));
    const keep = live && startedAt === generation;
    if (!found) {
      // A digest is unknown only once it is neither a token's nor a lease's.
      const lease = await leases.lookup(key);
      if (lease !== undefined) return lease;
      if (keep && unknownForMs > 0) unknown.set(key, now() + unknownForMs);
      return undefined;
    }
    if (!keep) return detached(found);
    return admit(found.token, ownerOf(found.owner), now()) ?? detached(found);
  }

  const leases = createLeaseCache(store, { peek, lookup });

  return {
    peek,
    lookup,
    fill: () => refresher.fill(),
    size: () => entries.size,
    unknownSize: () => unknown.size,
    invalidate,
    noteUse(id, at) {
      const entry = entries.ofId(id);
      if (entry && (entry.lastUsedAt ?? 0) < at) entry.lastUsedAt = at;
    },
    close() {
      closed = true;
      trustedUntil = Number.NEGATIVE_INFINITY;
      refresher.stop();
      unsubscribe();
    },
  };
}

function sameUser(a: UserRecord, b: UserRecord): boolean {
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.enabled === b.enabled &&
    a.passwordHash === b.passwordHash &&
    a.createdAt === b.createdAt &&
    a.roles.length === b.roles.length &&
    a.roles.every((role, i) => role === b.roles[i])
  );
}

/** The answer of a lookup the cache does not keep: the same shape, owned by nobody else. */
function detached({ token, owner }: VerifiedToken): CachedToken {
  return CachedToken.of(token, keyOfDigest(token.digest), new CachedOwner(owner), token.permissions, 0);
}
