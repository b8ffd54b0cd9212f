// Keeps lastUsedDate current at most once a minute per token, off the request path, in batches.
import type { Logger } from '../logger';
import type { Store, TokenRecord, TokenUse } from '../store/store';
import { addressBlock } from '../tokens/use-origin';

/** What the rule needs of a token (or a lease): which one it is, and its stored last use. */
type Used = Pick<TokenRecord, 'id' | 'lastUsedAt'>;
/**
 * A token, and the lease it was presented as, if it was (a lease's use is its parent's use too). A cached lease
 * also names its parent's cache entry, whose last use moves forward as its uses are written; the lease's own copy
 * of it does not.
 */
type UsedToken = Used & { lease?: Used | undefined; parent?: Used | undefined };

// lastUsedDate is kept to the minute, so a busy token costs one write a minute, not one a request.
export const LAST_USED_RESOLUTION_SECONDS = 60;
const MAX_TRACKED = 100_000;

/**
 * The stored last use decides; while a write is on its way this process remembers when it asked for it, so the
 * many requests of one busy moment (all seeing the old value until the write lands) ask once, not once each.
 * Once written, the token read again (or its cached entry) shows the use, and the reminder is forgotten: a
 * cache holding every token pays nothing here for the tokens used once. A use from another address than the one
 * last written is written at once, so each new address reaches the store. The uses of one turn of the event loop
 * go to the store together; behind the token cache they are then written with every other use of the same second
 * (server/token-cache/token-cache.ts).
 */
export type UseRecorder = (
  token: UsedToken,
  now: number,
  /** The client's address (raw, as the socket or a trusted proxy gave it). */
  address?: string,
  request?: UseRequest,
) => void;

/**
 * Where a use came from is asked only as far as needed: the client's address for every use (a use from another
 * address is written without waiting out the minute), the request's User-Agent header only for a use that is
 * written. Passed as they are, so a use that is not written allocates nothing.
 */
export type UseRequest = { header(name: string): string | undefined };

export function createUseRecorder(store: Store, log: Logger): UseRecorder {
  const tokens = createRecorder((batch) => store.markTokensUsed(batch), 'token', log, true);
  // A cached lease never shows its own written use, so a written one is remembered for its minute.
  const leases = createRecorder((batch) => store.markLeasesUsed(batch), 'lease', log, false);
  return function recordUse(token: UsedToken, now: number, address?: string, request?: UseRequest): void {
    // A lease's use is its parent's, from the same place: the parent's details say where its leases are used.
    tokens(token.parent ?? token, now, address, request);
    if (token.lease !== undefined) leases(token.lease, now);
  };
}

/**
 * What this process last asked to write for a token: when, from which (raw) address, and the address blocks
 * already written within that minute (worked out only once a second raw address shows up).
 */
interface Requested {
  at: number;
  address: string | undefined;
  blocks?: Array<string | null>;
}

function createRecorder(
  write: (batch: TokenUse[]) => Promise<void>,
  what: string,
  log: Logger,
  /** Whether what is presented next shows a written use (a token read again, or its cached entry). */
  showsWritten: boolean,
): (used: Used, now: number, address?: string, request?: UseRequest) => void {
  const requested = new Map<number, Requested>();
  let pending: TokenUse[] = [];

  function flush(): void {
    const batch = pending;
    pending = [];
    write(batch).then(
      () => {
        if (!showsWritten) return;
        for (const { id, at } of batch) {
          const entry = requested.get(id);
          // A token seen from several blocks this minute stays known, or each would be written again.
          if (entry?.at === at && entry.blocks === undefined) requested.delete(id);
        }
      },
      (error: unknown) => {
        log.error(`could not record ${what} use`, { [`${what}s`]: batch.length, error: String(error) });
      },
    );
  }

  return function recordUse(token: Used, now: number, address?: string, request?: UseRequest): void {
    const seen = requested.get(token.id);
    const last = Math.max(token.lastUsedAt ?? Number.NEGATIVE_INFINITY, seen?.at ?? Number.NEGATIVE_INFINITY);
    if (now - last < LAST_USED_RESOLUTION_SECONDS) {
      // A stored use of this minute, seen for the first time: taken as from here (if it was not, the next
      // minute's write says so, and its address is as new then as now).
      if (seen === undefined) {
        if (requested.size >= MAX_TRACKED) requested.clear();
        requested.set(token.id, { at: last, address });
      }
      if (seen === undefined || seen.address === address) return;
      // Another raw address: from elsewhere only if its block is new this minute (machines sharing a token, or
      // IPv6 privacy addresses within one /64, take turns without a write a request).
      const block = addressBlock(address);
      seen.blocks ??= [addressBlock(seen.address)];
      seen.address = address;
      if (seen.blocks.includes(block)) return;
      seen.blocks.push(block);
      seen.at = now;
    } else if (seen !== undefined) {
      seen.at = now;
      seen.address = address;
      seen.blocks = undefined;
    }
    if (seen === undefined) {
      // Only writes that failed or never end stay behind; forgetting them costs a write more, never a use.
      if (requested.size >= MAX_TRACKED) requested.clear();
      requested.set(token.id, { at: now, address });
    }
    if (pending.length === 0) setImmediate(flush);
    // The raw strings only: the store describes them when it writes.
    pending.push(
      address === undefined
        ? { id: token.id, at: now }
        : { id: token.id, at: now, address, userAgent: request?.header('User-Agent') },
    );
  };
}
