// Sign-in protection (SPEC §5): growing delays per client and per account+client, and a cap per account.
import type { Clock } from '../time';

export interface SignInPolicy {
  /** Failures from one client for one account before delays start. */
  freeFailuresPerPair: number;
  /** Failures from one client, across accounts, before delays start. */
  freeFailuresPerClient: number;
  /** Longest delay, in seconds. */
  maxDelaySeconds: number;
  /** Failures per account per hour, from anywhere, before sign-in to it pauses. */
  maxFailuresPerAccountPerHour: number;
}

export const DEFAULT_SIGN_IN_POLICY: SignInPolicy = {
  freeFailuresPerPair: 5,
  freeFailuresPerClient: 20,
  maxDelaySeconds: 15 * 60,
  maxFailuresPerAccountPerHour: 100,
};

export type SignInDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Streak {
  failures: number;
  /** Epoch ms before which the next attempt is refused. */
  blockedUntil: number;
  lastFailure: number;
}

const HOUR_MS = 3600_000;
// Bounded memory under a flood of made-up names and addresses: the oldest entries go first.
const MAX_TRACKED = 50_000;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value as string);
}

/**
 * Delays grow with each failure past the free ones (1 s, 2 s, 4 s … up to the maximum) for the pair and
 * for the client, so one attacker slows only themselves. The account itself is never delayed, only
 * capped at so many failures an hour, as SPEC §5 asks; a success clears the pair's streak.
 */
export function createSignInLimiter(clock: Clock, policy: SignInPolicy = DEFAULT_SIGN_IN_POLICY) {
  const pairs = new Map<string, Streak>();
  const clients = new Map<string, Streak>();
  const accountFailures = new Map<string, number[]>();
  const accountKey = (account: string) => account.normalize('NFC').toLowerCase();
  const pairKey = (account: string, client: string) => `${accountKey(account)}\u0000${client}`;

  function recentAccountFailures(account: string, now: number): number[] {
    const times = (accountFailures.get(accountKey(account)) ?? []).filter((time) => now - time < HOUR_MS);
    return times;
  }

  function fail(map: Map<string, Streak>, key: string, free: number, now: number): void {
    const streak = map.get(key) ?? { failures: 0, blockedUntil: 0, lastFailure: 0 };
    // A streak forgotten after an hour of quiet.
    if (now - streak.lastFailure > HOUR_MS) streak.failures = 0;
    streak.failures += 1;
    streak.lastFailure = now;
    const over = streak.failures - free;
    streak.blockedUntil = over > 0 ? now + Math.min(2 ** (over - 1), policy.maxDelaySeconds) * 1000 : 0;
    remember(map, key, streak);
  }

  return {
    check(account: string, client: string): SignInDecision {
      const now = clock.now();
      const waits = [
        pairs.get(pairKey(account, client))?.blockedUntil ?? 0,
        clients.get(client)?.blockedUntil ?? 0,
      ];
      const recent = recentAccountFailures(account, now);
      if (recent.length >= policy.maxFailuresPerAccountPerHour) {
        waits.push((recent[recent.length - policy.maxFailuresPerAccountPerHour] as number) + HOUR_MS);
      }
      const until = Math.max(...waits);
      return until > now
        ? { allowed: false, retryAfterSeconds: Math.ceil((until - now) / 1000) }
        : { allowed: true };
    },
    recordFailure(account: string, client: string): void {
      const now = clock.now();
      fail(pairs, pairKey(account, client), policy.freeFailuresPerPair, now);
      fail(clients, client, policy.freeFailuresPerClient, now);
      const recent = recentAccountFailures(account, now);
      recent.push(now);
      remember(accountFailures, accountKey(account), recent.slice(-policy.maxFailuresPerAccountPerHour));
    },
    recordSuccess(account: string, client: string): void {
      pairs.delete(pairKey(account, client));
    },
  };
}

export type SignInLimiter = ReturnType<typeof createSignInLimiter>;
