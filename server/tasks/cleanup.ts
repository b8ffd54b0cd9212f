// Deletes session tokens a while after they expired, in small batches so requests keep flowing.

import { KNOWN_CLIENT_MS, SIGN_IN_MEMORY_MS } from '../auth/sign-in-limiter';
import type { CleanupPolicy } from '../config';
import type { Logger } from '../logger';
import type { Store } from '../store/store';
import { type Clock, epochSeconds } from '../time';

export interface CleanupDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  policy: CleanupPolicy;
  batchSize?: number;
}

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createCleanupTask({ store, clock, log, policy, batchSize = 500 }: CleanupDeps) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function sweep(): Promise<number> {
    const expiredBefore = epochSeconds(clock) - policy.afterSeconds;
    let deleted = 0;
    for (;;) {
      const batch = await store.deleteExpiredSessionTokens(expiredBefore, batchSize);
      deleted += batch;
      if (batch < batchSize) break;
      await yieldToRequests();
    }
    // Sign-in failures older than the limiter remembers are no use to anyone.
    await store.pruneSignInFailures(clock.now() - SIGN_IN_MEMORY_MS);
    await store.forgetSignInClients(clock.now() - KNOWN_CLIENT_MS);
    // And request windows that have ended: a new request starts a new one.
    await store.pruneRequestWindows(clock.now());
    return deleted;
  }

  /** One sweep; a sweep already under way is joined, not doubled. Resolves with how many were deleted. */
  function runOnce(): Promise<number> {
    // Instances sharing a store take turns: whoever holds the store's lock sweeps, the rest skip this round.
    running ??= store
      .runExclusive('session-cleanup', sweep)
      .then((deleted) => deleted ?? 0)
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  return {
    runOnce,
    start(): void {
      timer ??= setInterval(() => {
        runOnce()
          .then((deleted) => {
            if (deleted > 0) log.info('removed expired session tokens', { deleted });
          })
          .catch((error: unknown) => log.error('session cleanup failed', { error: String(error) }));
      }, policy.intervalMs);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

export type CleanupTask = ReturnType<typeof createCleanupTask>;
