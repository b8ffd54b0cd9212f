// An in-process cache of every active token in front of any store, dropped on every change, in every instance.
import { BoundedMap } from '../bounded-map';
import { createLeaseCache } from '../leases/lease-cache';
import {
  type CacheableToken,
  type InvalidationSubject,
  type Store,
  staleAfter,
  type UserRecord,
  type VerifiedToken,
} from '../store/store';
import { monotonicMs } from '../time';
import { CachedOwner, CachedToken, createPermissionInterner } from './cached-token';
import { createLastUseBuffer } from './last-use-buffer';

export interface TokenCacheOptions {
  /** Tokens kept at most (default: every active token). Once full, others are verified against the store. */
  maxEntries?: number;
  /** A backstop: no entry is trusted longer than this, whatever happens to invalidation messages. */
  maxAgeMs?: number;
  /** How often every active token is read again (default: half of maxAgeMs, so none ages out while used). */
  refreshEveryMs?: number;
  /**
   * Tokens read per query while filling. Small: better-sqlite3 reads synchronously, so a page is a pause of
   * the event loop (2,000 rows put the token pages' p99 near 30 ms on SQLite while the cache refreshed).
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
  /** Last uses are written together, at most this long after they were asked for. */
  flushUsesEveryMs?: number;
  /** More pending last uses than this are written at once. */
  maxPendingUses?: number;
  /**
   * A monotonic clock in milliseconds (default monotonicMs, the clock the invalidation channel's leases are read
   * on): entries age by it, so a wall clock stepped back or forward changes nothing.
   */
  now?: () => number;
}

/** The request path's view of the cache. */
export interface TokenCache {
  /**
   * Synchronous: the cached token with this digest when it can be trusted; null when the digest is known to
   * belong to no token; undefined when only the store can say (then call `lookup`).
   */
  peek(digest: string): CachedToken | null | undefined;
  /** Asks the store, and keeps the answer unless an invalidation overtook the lookup. */
  lookup(digest: string): Promise<CachedToken | undefined>;
  /** Reads every active token now (the cache otherwise fills on its first miss, and refreshes itself). */
  fill(): Promise<void>;
  size(): number;
  unknownSize(): number;
}

export type CachingStore = Store & {
  tokenCache: TokenCache;
  cacheSize(): number;
  unknownSize(): number;
};

// The caches this module made: a store that merely has a `tokenCache` property is not taken for one.
const caches = new WeakSet<object>();

/**
 * The token cache in front of this store, when there is one (a store without one is asked every time). Found
 * on the store itself, so that it survives the store being spread into a wrapper (as open-store.ts does).
 */
export function tokenCacheOf(store: Store): TokenCache | undefined {
  const cache: unknown = 'tokenCache' in store ? store.tokenCache : undefined;
  return isTokenCache(cache) ? cache : undefined;
}

function isTokenCache(value: unknown): value is TokenCache {
  return typeof value === 'object' && value !== null && caches.has(value);
}

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
 * Last uses are written in batches (see last-use-buffer.ts) and before the store closes; what shows a last use
 * shows the ones not yet written too.
 */
export function withTokenCache(store: Store, options: TokenCacheOptions = {}): CachingStore {
  const maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const refreshEveryMs = options.refreshEveryMs ?? maxAgeMs / 2;
  const pageSize = options.pageSize ?? 250;
  const unknownForMs = options.unknownForMs ?? maxAgeMs;
  const clock = options.now ?? monotonicMs;
  // Entry times relative to the cache's start, in whole milliseconds, stay small integers (cheaper to keep than
  // fractions). Rounded down: an entry looks a little older, never younger.
  const origin = clock();
  const now = () => Math.floor(clock() - origin);

  const entries = new Map<string, CachedToken>();
  const byId = new Map<number, CachedToken>();
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
  // Bumped whenever the cache is emptied: a pass begun before then is abandoned.
  let epoch = 0;
  let filling: { epoch: number; done: Promise<void> } | undefined;
  let filledOnce = false;
  let refreshTimer: NodeJS.Timeout | undefined;
  let ownerSweep = false;
  let closed = false;

  function remove(entry: CachedToken): void {
    if (entries.get(entry.digest) === entry) entries.delete(entry.digest);
    // Only if the index still points here: a new token may have been given a deleted one's id.
    if (byId.get(entry.id) === entry) byId.delete(entry.id);
  }

  function insert(entry: CachedToken): void {
    const previous = entries.get(entry.digest);
    if (previous) remove(previous);
    const sameId = byId.get(entry.id);
    if (sameId) remove(sameId);
    entries.set(entry.digest, entry);
    byId.set(entry.id, entry);
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
    // The store has this digest now, whatever was remembered (kept or not, it is no longer unknown).
    if (unknown.size > 0) unknown.delete(row.digest);
    const existing = entries.get(row.digest);
    const permissions = intern(row.permissions);
    if (existing?.matches(row, owner, permissions)) {
      existing.confirmedAt = at;
      if ((existing.lastUsedAt ?? 0) < (row.lastUsedAt ?? 0)) existing.lastUsedAt = row.lastUsedAt;
      return existing;
    }
    if (existing === undefined && entries.size >= maxEntries) return undefined;
    const entry = CachedToken.of(row, owner, permissions, at);
    insert(entry);
    return entry;
  }

  function clear(): void {
    entries.clear();
    byId.clear();
    for (const owner of owners.values()) owner.stale = true;
    owners.clear();
    unknown.clear();
    epoch++;
    filledOnce = false;
    clearTimeout(refreshTimer);
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
    if (kind === 'digest') unknown.delete(key);
    if (kind === 'token') {
      const id = Number(key);
      for (const watch of watches) watch.tokens.add(id);
      const entry = byId.get(id);
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

  /**
   * One pass over every active token, a page at a time, `pauseMs` apart; entries it did not see (and no lookup
   * since) go.
   */
  async function pass(pauseMs: number): Promise<void> {
    const passEpoch = epoch;
    const startedAt = now();
    let afterId = 0;
    for (let first = true; ; first = false) {
      if (!first && pauseMs > 0) {
        await pause(pauseMs);
        if (passEpoch !== epoch || !live || closed) return;
      }
      const watch: PageWatch = { tokens: new Set(), users: new Set() };
      watches.add(watch);
      let page: Awaited<ReturnType<Store['listCacheableTokens']>>;
      try {
        page = await store.listCacheableTokens({
          afterId,
          limit: pageSize,
          now: Math.floor(Date.now() / 1000),
        });
      } finally {
        watches.delete(watch);
      }
      if (passEpoch !== epoch || !live || closed) return;
      const at = now();
      const pageOwners = new Map<number, CachedOwner>();
      for (const user of page.owners) {
        if (!watch.users.has(user.id)) pageOwners.set(user.id, ownerOf(user));
      }
      for (const row of page.tokens) {
        const owner = pageOwners.get(row.userId);
        if (owner !== undefined && !watch.tokens.has(row.id)) admit(row, owner, at);
      }
      const last = page.tokens.at(-1);
      if (last === undefined || page.tokens.length < pageSize) break;
      afterId = last.id;
    }
    for (const entry of entries.values()) if (entry.confirmedAt < startedAt) remove(entry);
  }

  /**
   * Fills the cache at once, or (`paced`) reads it again with its pages spread over half of refreshEveryMs, so
   * that a refresh of many tokens is a steady trickle, not a stall. One pass at a time; the next one starts
   * half of refreshEveryMs after one ends, so every entry is confirmed about every refreshEveryMs.
   */
  function fill(paced = false): Promise<void> {
    // A pass from before the cache was last emptied gives up at its next page; this one starts afresh.
    if (filling?.epoch === epoch) return filling.done;
    filledOnce = true;
    clearTimeout(refreshTimer);
    const pages = Math.max(1, Math.ceil(entries.size / pageSize));
    const current = {
      epoch,
      done: pass(paced ? refreshEveryMs / 2 / pages : 0).finally(() => {
        if (filling !== current) return;
        filling = undefined;
        if (live && !closed && current.epoch === epoch) {
          refreshTimer = setTimeout(() => void fill(true).catch(() => {}), refreshEveryMs / 2);
          refreshTimer.unref();
        }
      }),
    };
    filling = current;
    return current.done;
  }

  function peek(digest: string): CachedToken | null | undefined {
    const at = clock();
    // Written so that NaN, too, means "not trusted".
    if (!(at < trustedUntil)) return undefined;
    const age = at - origin;
    const entry = entries.get(digest);
    if (entry !== undefined) {
      return !entry.holder.stale && age - entry.confirmedAt < maxAgeMs ? entry : undefined;
    }
    // Leases (server/leases/lease-cache.ts): held apart, each trusted while its parent's entry here is.
    const lease = leases.peek(digest);
    if (lease !== null) return lease;
    const unknownUntil = unknown.get(digest);
    return unknownUntil !== undefined && unknownUntil > age ? null : undefined;
  }

  async function lookup(digest: string): Promise<CachedToken | undefined> {
    // A miss is how the cache learns it is empty: fill it in the background (a failed pass is retried later).
    if (live && !filledOnce) void fill().catch(() => {});
    const startedAt = generation;
    const found = await store.findTokenByDigest(digest);
    const keep = live && startedAt === generation;
    if (!found) {
      // A digest is unknown only once it is neither a token's nor a lease's.
      const lease = await leases.lookup(digest);
      if (lease !== undefined) return lease;
      if (keep && unknownForMs > 0) unknown.set(digest, now() + unknownForMs);
      return undefined;
    }
    if (!keep) return detached(found);
    return admit(found.token, ownerOf(found.owner), now()) ?? detached(found);
  }

  const leases = createLeaseCache(store, { peek, lookup });

  const uses = createLastUseBuffer((batch) => store.markTokensUsed(batch), {
    flushEveryMs: options.flushUsesEveryMs ?? 1000,
    maxPending: options.maxPendingUses ?? 10_000,
    // Keep the cached copies' last use current, so the once-a-minute rule still sees it.
    onWritten: (id, at) => {
      const entry = byId.get(id);
      if (entry && (entry.lastUsedAt ?? 0) < at) entry.lastUsedAt = at;
    },
  });

  function withUnwrittenUse<T extends { id: number; lastUsedAt: number | null }>(token: T): T {
    const at = uses.unwritten(token.id);
    return at !== undefined && at > (token.lastUsedAt ?? 0) ? { ...token, lastUsedAt: at } : token;
  }

  // Other instances hear of the write from the store itself, sent in the write's own transaction.
  function changed<T>(result: T, subject: InvalidationSubject): T {
    invalidate(subject);
    return result;
  }

  const tokenCache: TokenCache = {
    peek,
    lookup,
    fill: () => fill(),
    size: () => entries.size,
    unknownSize: () => unknown.size,
  };
  caches.add(tokenCache);

  return {
    ...store,
    tokenCache,
    cacheSize: () => entries.size,
    unknownSize: () => unknown.size,
    markTokensUsed: (batch) => uses.add(batch),
    // What shows a last use shows the ones not yet written too, without waiting for (or forcing) their write:
    // the extension's validity checks read a token often.
    findToken: async (userId, name) => {
      const found = await store.findToken(userId, name);
      return found && withUnwrittenUse(found);
    },
    listTokens: async (query) => {
      const page = await store.listTokens(query);
      return { ...page, items: page.items.map(withUnwrittenUse) };
    },
    createToken: async (token, options) =>
      changed(await store.createToken(token, options), staleAfter.createToken(token.digest)),
    createSession: async (session, signIn) => {
      const created = await store.createSession(session, signIn);
      for (const ended of created.ended) invalidate(staleAfter.token(ended.id));
      return changed(created, staleAfter.createToken(session.digest));
    },
    updateToken: async (id, patch, audit) =>
      changed(await store.updateToken(id, patch, audit), staleAfter.token(id)),
    deleteToken: async (id, audit) => changed(await store.deleteToken(id, audit), staleAfter.token(id)),
    // Leases ended by a write are dropped with their parent's entry (server/leases/lease-cache.ts).
    createLease: async (lease, mint) => {
      const created = await store.createLease(lease, mint);
      return created.ended > 0 ? changed(created, staleAfter.token(lease.parentId)) : created;
    },
    endLeases: async (parentId) => changed(await store.endLeases(parentId), staleAfter.token(parentId)),
    reportExposed: async (digests, at, audit) => {
      const report = await store.reportExposed(digests, at, audit);
      for (const token of report.tokens) invalidate(staleAfter.token(token.id));
      for (const id of report.leaseParents) invalidate(staleAfter.token(id));
      return report;
    },
    updateUser: async (id, patch, options) =>
      changed(await store.updateUser(id, patch, options), staleAfter.user(id)),
    deleteUser: async (id) => changed(await store.deleteUser(id), staleAfter.user(id)),
    deleteSessionTokensOf: async (userId, keep) =>
      changed(await store.deleteSessionTokensOf(userId, keep), staleAfter.user(userId)),
    async close() {
      closed = true;
      trustedUntil = Number.NEGATIVE_INFINITY;
      clearTimeout(refreshTimer);
      unsubscribe();
      try {
        // Uses already answered for are written before the store goes.
        await uses.settle();
      } finally {
        await store.close();
      }
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

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The answer of a lookup the cache does not keep: the same shape, owned by nobody else. */
function detached({ token, owner }: VerifiedToken): CachedToken {
  return CachedToken.of(token, new CachedOwner(owner), token.permissions, 0);
}
