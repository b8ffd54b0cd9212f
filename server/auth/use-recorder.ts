// Keeps lastUsedDate current at most once a minute per token, off the request path, in batches.
import type { Logger } from '../logger';
import type { Store, TokenRecord } from '../store/store';

/** What the rule needs of a token (or a lease): which one it is, and its stored last use. */
type Used = Pick<TokenRecord, 'id' | 'lastUsedAt'>;
/** A token, and the lease it was presented as, if it was (a lease's use is its parent's use too). */
type UsedToken = Used & { lease?: Used | undefined };

// lastUsedDate is kept to the minute, so a busy token costs one write a minute, not one a request.
export const LAST_USED_RESOLUTION_SECONDS = 60;
const MAX_TRACKED = 100_000;

/**
 * The stored last use decides; while a write is on its way this process remembers when it asked for it, so the
 * many requests of one busy moment (all seeing the old value until the write lands) ask once, not once each.
 * Once written, the token read again (or its cached entry) shows the use, and the reminder is forgotten: a
 * cache holding every token pays nothing here for the tokens used once. The uses of one turn of the event loop go to the store together; behind the
 * token cache they are then written with every other use of the same second (server/token-cache/token-cache.ts).
 */
export type UseRecorder = (token: UsedToken, now: number) => void;

export function createUseRecorder(store: Store, log: Logger): UseRecorder {
  const tokens = createRecorder((batch) => store.markTokensUsed(batch), 'token', log);
  const leases = createRecorder((batch) => store.markLeasesUsed(batch), 'lease', log);
  return function recordUse(token: UsedToken, now: number): void {
    tokens(token, now);
    if (token.lease !== undefined) leases(token.lease, now);
  };
}

function createRecorder(
  write: (batch: Array<{ id: number; at: number }>) => Promise<void>,
  what: string,
  log: Logger,
): (used: Used, now: number) => void {
  const requested = new Map<number, number>();
  let pending: Array<{ id: number; at: number }> = [];

  function flush(): void {
    const batch = pending;
    pending = [];
    write(batch).then(
      () => {
        for (const { id, at } of batch) if (requested.get(id) === at) requested.delete(id);
      },
      (error: unknown) => {
        log.error(`could not record ${what} use`, { [`${what}s`]: batch.length, error: String(error) });
      },
    );
  }

  return function recordUse(token: Used, now: number): void {
    const last = Math.max(
      token.lastUsedAt ?? Number.NEGATIVE_INFINITY,
      requested.get(token.id) ?? Number.NEGATIVE_INFINITY,
    );
    if (now - last < LAST_USED_RESOLUTION_SECONDS) return;
    // Only writes that failed or never end stay behind; forgetting them costs a write more, never a use.
    if (requested.size >= MAX_TRACKED) requested.clear();
    requested.set(token.id, now);
    if (pending.length === 0) setImmediate(flush);
    pending.push({ id: token.id, at: now });
  };
}
