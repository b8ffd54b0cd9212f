// Leases verified as tokens are: from memory, each checked against its parent token's cached entry.
import { digestOfKey, keyOfDigest } from '../auth/digest';
import { BoundedMap } from '../bounded-map';
import type { LeaseRecord, Store } from '../store/store';
import { CachedOwner, CachedToken } from '../token-cache/cached-token';

/**
 * A lease as a request sees it: its parent's rights, id and owner, with the earlier of the two expiries. What
 * marks it a lease is `lease`, which the rules about managing tokens and accounts refuse.
 */
export class LeaseToken extends CachedToken {
  readonly lease: { readonly id: number; readonly lastUsedAt: number | null };

  constructor(
    record: LeaseRecord,
    /** The parent's entry this lease was verified with: while the token cache still holds it, nothing changed. */
    readonly parent: CachedToken,
  ) {
    super(
      parent.id,
      keyOfDigest(record.digest),
      parent.name,
      parent.grant,
      parent.createdAt,
      Math.min(record.expiresAt, parent.expiresAt),
      parent.lastUsedAt,
      parent.confirmedAt,
    );
    this.lease = { id: record.id, lastUsedAt: record.lastUsedAt };
  }
}

/** The token cache, as far as leases need it: their parents' entries. */
export interface ParentTokens {
  peek(key: string): CachedToken | null | undefined;
  lookup(key: string): Promise<CachedToken | undefined>;
}

export interface LeaseCache {
  /**
   * Synchronous: the lease when its parent's entry is still the one it was verified with; undefined when only
   * the store can say; null when no lease with this key (the token cache's kind) is known here.
   */
  peek(key: string): LeaseToken | null | undefined;
  /** Asks the store, and keeps the answer unless the parent's entry changed meanwhile. */
  lookup(key: string): Promise<LeaseToken | undefined>;
  size(): number;
}

/**
 * A lease is good while its row exists and its parent is: every write that ends leases (a disable, a narrowing,
 * a removal of the parent, any change to the owner's account, ending them, the cap) makes the parent or its
 * owner stale, in this instance and every other (server/store/agreement.ts), and so drops the parent's cached
 * entry. A cached lease is trusted only while that very entry is still the parent's: one map lookup more than a
 * token costs. A lookup reads the lease again once it holds the parent's entry, so that a change made while it
 * was looking is seen either in that second read or as the entry's replacement.
 */
export function createLeaseCache(
  store: Pick<Store, 'findLeaseByDigest'>,
  parents: ParentTokens,
  maxEntries = 100_000,
): LeaseCache {
  // Bounded: one forgotten is read again from the store, never refused.
  const entries = new BoundedMap<string, LeaseToken>(maxEntries);
  return {
    peek(key) {
      const entry = entries.get(key);
      if (entry === undefined) return null;
      return parents.peek(entry.parent.key) === entry.parent ? entry : undefined;
    },
    async lookup(key) {
      const digest = digestOfKey(key);
      const first = await store.findLeaseByDigest(digest);
      if (first === undefined) {
        entries.delete(key);
        return undefined;
      }
      const parentKey = keyOfDigest(first.parentDigest);
      const parent = parents.peek(parentKey) ?? (await parents.lookup(parentKey));
      if (parent === undefined || parent instanceof LeaseToken) return undefined;
      const again = await store.findLeaseByDigest(digest);
      if (again === undefined || again.parentDigest !== first.parentDigest) {
        entries.delete(key);
        return undefined;
      }
      const lease = new LeaseToken(again.lease, parent);
      if (parents.peek(parentKey) === parent) entries.set(key, lease);
      else entries.delete(key);
      return lease;
    },
    size: () => entries.size,
  };
}

/** A lease verified against the store alone (a store without a token cache): its parent's current row. */
export async function findLeaseInStore(
  store: Pick<Store, 'findLeaseByDigest' | 'findTokenByDigest'>,
  digest: string,
): Promise<{ lease: LeaseToken; owner: CachedOwner } | undefined> {
  const found = await store.findLeaseByDigest(digest);
  if (found === undefined) return undefined;
  const parent = await store.findTokenByDigest(found.parentDigest);
  if (parent === undefined) return undefined;
  const owner = new CachedOwner(parent.owner);
  const entry = CachedToken.of(
    parent.token,
    keyOfDigest(parent.token.digest),
    owner,
    parent.token.permissions,
    0,
  );
  return { lease: new LeaseToken(found.lease, entry), owner };
}
