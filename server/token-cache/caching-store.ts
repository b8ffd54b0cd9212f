// The store with the token cache in front of it: its own writes drop what they made stale, last uses go in batches.
import { type InvalidationSubject, type Store, staleAfter, type TokenRecord } from '../store/store';
import { describeOrigin } from '../tokens/use-origin';
import { createLastUseBuffer } from './last-use-buffer';
import { createTokenCache, type TokenCache, type TokenCacheOptions } from './token-cache';

export interface CachingStoreOptions extends TokenCacheOptions {
  /** Last uses are written together, at most this long after they were asked for. */
  flushUsesEveryMs?: number;
  /** More pending last uses than this are written at once. */
  maxPendingUses?: number;
}

export type CachingStore = Store & {
  /** Handed to whatever verifies tokens (createApp's `tokenCache`). */
  tokenCache: TokenCache;
  cacheSize(): number;
  unknownSize(): number;
};

/**
 * Wraps `store` with a token cache (token-cache.ts). Every write through the wrapper that could change a
 * verification drops what it made stale here at once; other instances hear of it from the store itself, sent
 * in the write's own transaction.
 *
 * Last uses are written in batches (see last-use-buffer.ts) and before the store closes; what shows a last use
 * shows the ones not yet written too.
 */
export function withTokenCache(store: Store, options: CachingStoreOptions = {}): CachingStore {
  const cache = createTokenCache(store, options);
  const uses = createLastUseBuffer((batch) => store.markTokensUsed(batch), {
    flushEveryMs: options.flushUsesEveryMs ?? 1000,
    maxPending: options.maxPendingUses ?? 10_000,
    onWritten: cache.noteUse,
  });

  function withUnwrittenUse(token: TokenRecord): TokenRecord {
    const use = uses.unwritten(token.id);
    if (use === undefined || use.at <= (token.lastUsedAt ?? 0)) return token;
    const described = use.address === undefined ? undefined : describeOrigin(use);
    return { ...token, lastUsedAt: use.at, ...described };
  }

  function changed<T>(result: T, subject: InvalidationSubject): T {
    cache.invalidate(subject);
    return result;
  }

  const tokenCache: TokenCache = {
    peek: cache.peek,
    lookup: cache.lookup,
    fill: cache.fill,
    size: cache.size,
    unknownSize: cache.unknownSize,
  };

  return {
    ...store,
    tokenCache,
    cacheSize: cache.size,
    unknownSize: cache.unknownSize,
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
      for (const ended of created.ended) cache.invalidate(staleAfter.token(ended.id));
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
      for (const token of report.tokens) cache.invalidate(staleAfter.token(token.id));
      for (const id of report.leaseParents) cache.invalidate(staleAfter.token(id));
      return report;
    },
    updateUser: async (id, patch, options) =>
      changed(await store.updateUser(id, patch, options), staleAfter.user(id)),
    deleteUser: async (id) => changed(await store.deleteUser(id), staleAfter.user(id)),
    deleteSessionTokensOf: async (userId, keep) =>
      changed(await store.deleteSessionTokensOf(userId, keep), staleAfter.user(userId)),
    async close() {
      cache.close();
      try {
        // Uses already answered for are written before the store goes.
        await uses.settle();
      } finally {
        await store.close();
      }
    },
  };
}
