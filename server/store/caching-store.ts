// A bounded in-process cache of verified tokens in front of any store, dropped on every change, in every instance.
import { BoundedMap } from '../bounded-map';
import { type InvalidationSubject, type Store, staleAfter, type VerifiedToken } from './store';

export interface TokenCacheOptions {
  /** Verified tokens kept; the oldest go first (each is re-read at most every maxAge anyway). */
  maxEntries?: number;
  /** A backstop: no entry is trusted longer than this, whatever happens to invalidation messages. */
  maxAgeMs?: number;
  /** How long a digest found in no token is remembered as unknown (0: never). */
  unknownForMs?: number;
  now?: () => number;
}

interface Entry {
  verified: VerifiedToken;
  cachedAt: number;
}

/**
 * Token verification is the hot path of every request; a hit skips the database. Every write that could
 * change a verification (a token's state or expiry, its removal, its owner's roles, password or state)
 * drops the affected entries here at once and, through the store's invalidation channel, in every other
 * instance. The cache is used only while that channel is live, and a lookup that raced an invalidation is
 * not cached (the generation counter), so a stale answer can only last as long as a message in flight.
 */
export function withTokenCache(
  store: Store,
  options: TokenCacheOptions = {},
): Store & { cacheSize(): number; unknownSize(): number } {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const unknownForMs = options.unknownForMs ?? 10_000;
  const now = options.now ?? Date.now;
  // By digest, with indexes by token and by owner so that an invalidation or a last use costs no scan.
  const entries = new BoundedMap<string, Entry>(maxEntries, (digest, entry) => unindex(digest, entry));
  const byToken = new Map<number, string>();
  const byUser = new Map<number, Set<string>>();
  // Digests no token has, until when: a client retrying a removed or mistyped token costs no lookup. New
  // token values are 128 random bits, so a digest seen unknown is not about to be created; if one is (a
  // restored backup), its creation drops the entry here and in every instance.
  const unknown = new BoundedMap<string, number>(maxEntries);
  let live = false;
  let generation = 0;

  function unindex(digest: string, entry: Entry): void {
    // Only if the index still points here: a new token may have been given a deleted one's id.
    if (byToken.get(entry.verified.token.id) === digest) byToken.delete(entry.verified.token.id);
    const owned = byUser.get(entry.verified.owner.id);
    owned?.delete(digest);
    if (owned?.size === 0) byUser.delete(entry.verified.owner.id);
  }

  function forget(digest: string): void {
    const entry = entries.get(digest);
    if (!entry) return;
    entries.delete(digest);
    unindex(digest, entry);
  }

  function remember(digest: string, verified: VerifiedToken): void {
    forget(digest);
    entries.set(digest, { verified, cachedAt: now() });
    byToken.set(verified.token.id, digest);
    const owned = byUser.get(verified.owner.id) ?? new Set<string>();
    owned.add(digest);
    byUser.set(verified.owner.id, owned);
  }

  function clear(): void {
    entries.clear();
    byToken.clear();
    byUser.clear();
    unknown.clear();
  }

  function invalidate(subject: string): void {
    generation++;
    const separator = subject.indexOf(':');
    const kind = subject.slice(0, separator);
    const key = subject.slice(separator + 1);
    if (kind === 'digest') unknown.delete(key);
    if (kind === 'token') {
      const digest = byToken.get(Number(key));
      if (digest !== undefined) forget(digest);
    }
    if (kind === 'user') for (const digest of [...(byUser.get(Number(key)) ?? [])]) forget(digest);
  }

  const unsubscribe = store.invalidations.subscribe(invalidate, (isLive) => {
    generation++;
    clear();
    live = isLive;
  });

  // Other instances hear of the write from the store itself, sent in the write's own transaction.
  function changed<T>(result: T, subject: InvalidationSubject): T {
    invalidate(subject);
    return result;
  }

  function noteUse(id: number, at: number): void {
    const digest = byToken.get(id);
    const entry = digest === undefined ? undefined : entries.get(digest);
    if (entry && (entry.verified.token.lastUsedAt ?? 0) < at) {
      entry.verified = { ...entry.verified, token: { ...entry.verified.token, lastUsedAt: at } };
    }
  }

  return {
    ...store,
    cacheSize: () => entries.size,
    unknownSize: () => unknown.size,
    async findTokenByDigest(digest) {
      const hit = live ? entries.get(digest) : undefined;
      if (hit && now() - hit.cachedAt < maxAgeMs) return hit.verified;
      const knownUnknownUntil = live ? unknown.get(digest) : undefined;
      if (knownUnknownUntil !== undefined && knownUnknownUntil > now()) return undefined;
      const startedAt = generation;
      const verified = await store.findTokenByDigest(digest);
      if (live && startedAt === generation) {
        if (verified) remember(digest, verified);
        else if (unknownForMs > 0) unknown.set(digest, now() + unknownForMs);
      }
      return verified;
    },
    // Keep the cached copies' last use current, so the once-a-minute rule still sees it.
    async markTokensUsed(uses) {
      await store.markTokensUsed(uses);
      for (const { id, at } of uses) noteUse(id, at);
    },
    createToken: async (token) =>
      changed(await store.createToken(token), staleAfter.createToken(token.digest)),
    updateToken: async (id, patch) => changed(await store.updateToken(id, patch), staleAfter.token(id)),
    deleteToken: async (id) => changed(await store.deleteToken(id), staleAfter.token(id)),
    updateUser: async (id, patch) => changed(await store.updateUser(id, patch), staleAfter.user(id)),
    deleteUser: async (id) => changed(await store.deleteUser(id), staleAfter.user(id)),
    deleteSessionTokensOf: async (userId, keep) =>
      changed(await store.deleteSessionTokensOf(userId, keep), staleAfter.user(userId)),
    async close() {
      unsubscribe();
      await store.close();
    },
  };
}
