// A bounded in-process cache of verified tokens in front of any store, dropped on every change, in every instance.
import type { InvalidationSubject, Store, VerifiedToken } from './store';

export interface TokenCacheOptions {
  /** Verified tokens kept; the least recently used go first. */
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
  const now = options.now ?? Date.now;
  const unknownForMs = options.unknownForMs ?? 10_000;
  const entries = new Map<string, Entry>();
  // Digests no token has, until when: a client retrying a removed or mistyped token costs no lookup. New
  // token values are 128 random bits, so a digest seen unknown is not about to be created; if one is (a
  // restored backup), its creation drops the entry here and in every instance.
  const unknown = new Map<string, number>();
  let live = false;
  let generation = 0;

  function invalidate(subject: string): void {
    generation++;
    if (subject.startsWith('digest:')) {
      unknown.delete(subject.slice('digest:'.length));
      return;
    }
    const [kind, idText] = subject.split(':');
    const id = Number(idText);
    for (const [digest, entry] of entries) {
      const { token, owner } = entry.verified;
      if ((kind === 'token' && token.id === id) || (kind === 'user' && owner.id === id))
        entries.delete(digest);
    }
  }

  const unsubscribe = store.invalidations.subscribe(invalidate, (isLive) => {
    generation++;
    entries.clear();
    unknown.clear();
    live = isLive;
  });

  async function changed<T>(result: T, subject: InvalidationSubject): Promise<T> {
    invalidate(subject);
    await store.invalidations.publish(subject);
    return result;
  }

  return {
    ...store,
    cacheSize: () => entries.size,
    unknownSize: () => unknown.size,
    async findTokenByDigest(digest) {
      const hit = live ? entries.get(digest) : undefined;
      if (hit && now() - hit.cachedAt < maxAgeMs) {
        // Most recently used last: Map keeps insertion order, which makes the first key the eviction candidate.
        entries.delete(digest);
        entries.set(digest, hit);
        return hit.verified;
      }
      const knownUnknownUntil = live ? unknown.get(digest) : undefined;
      if (knownUnknownUntil !== undefined && knownUnknownUntil > now()) return undefined;
      const startedAt = generation;
      const verified = await store.findTokenByDigest(digest);
      if (live && startedAt === generation) {
        if (verified) {
          entries.set(digest, { verified, cachedAt: now() });
          if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
        } else if (unknownForMs > 0) {
          unknown.delete(digest);
          unknown.set(digest, now() + unknownForMs);
          if (unknown.size > maxEntries) unknown.delete(unknown.keys().next().value as string);
        }
      }
      return verified;
    },
    async markTokenUsed(id, at) {
      await store.markTokenUsed(id, at);
      // Keep the cached copy's last use current, so the once-a-minute rule still sees it.
      for (const entry of entries.values()) {
        if (entry.verified.token.id === id && (entry.verified.token.lastUsedAt ?? 0) < at) {
          entry.verified = { ...entry.verified, token: { ...entry.verified.token, lastUsedAt: at } };
        }
      }
    },
    createToken: async (token) => changed(await store.createToken(token), `digest:${token.digest}`),
    updateToken: async (id, patch) => changed(await store.updateToken(id, patch), `token:${id}`),
    deleteToken: async (id) => changed(await store.deleteToken(id), `token:${id}`),
    updateUser: async (id, patch) => changed(await store.updateUser(id, patch), `user:${id}`),
    deleteUser: async (id) => changed(await store.deleteUser(id), `user:${id}`),
    deleteSessionTokensOf: async (userId, keep) =>
      changed(await store.deleteSessionTokensOf(userId, keep), `user:${userId}`),
    async close() {
      unsubscribe();
      await store.close();
    },
  };
}
