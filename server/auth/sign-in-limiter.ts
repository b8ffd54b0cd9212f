// Sign-in protection: growing delays per client and per account+client, and a cap per account.
// The counts live in the store, so every instance sharing it counts together.
import { createHash } from 'node:crypto';
import { type Store, StoreUnavailableError } from '../store/store';
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

export const SIGN_IN_MEMORY_MS = 3600_000;
/** A client that signed in to an account within this long is spared the account's cap. */
export const KNOWN_CLIENT_MS = 30 * 86400_000;
// A known client's success is written again at most once a day: Basic auth on every request costs a read.
const KNOWN_CLIENT_REFRESH_MS = 86400_000;

/**
 * The network a client's address stands for: an IPv4 address itself, an IPv6 address's /64 (one
 * subscriber usually holds a whole /64, and could otherwise take a fresh address for every attempt).
 */
export function clientNetwork(address: string): string {
  if (!address.includes(':')) return address;
  if (address.toLowerCase().startsWith('::ffff:') && address.includes('.'))
    return address.slice('::ffff:'.length);
  const [head = '', tail = ''] = address.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...headParts, ...Array(Math.max(0, 8 - headParts.length - tailParts.length)).fill('0'), ...tailParts]
    : headParts;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * Delays grow with each failure past the free ones (1 s, 2 s, 4 s … up to the maximum) for the pair and
 * for the client, so one attacker slows only themselves. The account itself is never delayed, only
 * capped at so many failures an hour; a success clears the pair's streak. The cap does not
 * apply to a client that signed in to the account within 30 days, so strangers guessing from many addresses
 * cannot lock the owner out; that client's own limits still do.
 */
/** What makes a client known to an account: the account's id and current password hash. */
export interface AccountStamp {
  id: number;
  passwordHash: string;
}

export function createSignInLimiter(
  store: Store,
  clock: Clock,
  policy: SignInPolicy = DEFAULT_SIGN_IN_POLICY,
) {
  // Keys are digests: fixed length whatever a client sends as a user name, and no names or addresses at rest.
  const account = (name: string) => digest(`account\n${name.normalize('NFC').toLowerCase()}`);
  // The pair is the exact account name: names are case-sensitive, so a success on "Bob" says nothing of "bob".
  const pairKey = (name: string, client: string) =>
    digest(`pair\n${name.normalize('NFC')}\n${clientNetwork(client)}`);
  const clientKey = (client: string) => digest(`client\n${clientNetwork(client)}`);
  // Known to one account as it is now: its id and password hash (a new password, or a new account under an old
  // name, starts with no known clients), never to another account whose name differs only in case.
  const knownKey = (account: AccountStamp, client: string) =>
    digest(`known\n${account.id}\n${account.passwordHash}\n${clientNetwork(client)}`);

  async function isKnown(stamp: AccountStamp | undefined, client: string, now: number): Promise<boolean> {
    if (stamp === undefined) return false;
    const last = await store.signInClientLastSuccess(knownKey(stamp, client));
    return last !== undefined && now - last < KNOWN_CLIENT_MS;
  }

  async function bump(key: string, free: number, now: number): Promise<void> {
    const failures = await store.bumpSignInStreak(key, now, SIGN_IN_MEMORY_MS);
    const over = failures - free;
    if (over > 0)
      await store.blockSignIn(key, now + Math.min(2 ** (over - 1), policy.maxDelaySeconds) * 1000);
  }

  return {
    /** `stamp`: the account of that name, when there is one (its known clients are spared the cap). */
    async check(name: string, client: string, stamp?: AccountStamp): Promise<SignInDecision> {
      const now = clock.now();
      const waits = [await store.signInBlockedUntil([pairKey(name, client), clientKey(client)])];
      const cap = policy.maxFailuresPerAccountPerHour;
      const recent = await store.accountFailuresSince(account(name), now - SIGN_IN_MEMORY_MS, cap);
      // The cap-th newest failure leaves the hour's window first; until then the account pauses.
      if (recent.length >= cap && !(await isKnown(stamp, client, now))) {
        waits.push((recent[cap - 1] ?? now) + SIGN_IN_MEMORY_MS);
      }
      const until = Math.max(...waits);
      return until > now
        ? { allowed: false, retryAfterSeconds: Math.ceil((until - now) / 1000) }
        : { allowed: true };
    },
    /** Whether the client signed in to the account successfully within the last 30 days. */
    isKnownClient(stamp: AccountStamp | undefined, client: string): Promise<boolean> {
      return isKnown(stamp, client, clock.now());
    },
    async recordFailure(name: string, client: string): Promise<void> {
      const now = clock.now();
      await bump(pairKey(name, client), policy.freeFailuresPerPair, now);
      await bump(clientKey(client), policy.freeFailuresPerClient, now);
      await store.addAccountFailure(account(name), now);
    },
    async recordSuccess(stamp: AccountStamp & { name: string }, client: string): Promise<void> {
      const now = clock.now();
      await store.clearSignInStreak(pairKey(stamp.name, client));
      const key = knownKey(stamp, client);
      const last = await store.signInClientLastSuccess(key);
      if (last !== undefined && now - last < KNOWN_CLIENT_REFRESH_MS) return;
      try {
        await store.rememberSignInClient(key, now);
      } catch (error) {
        // The password was right: a store that cannot take this note now (locked, full) must not refuse the
        // sign-in, which may be a read that works. The note is taken at the next success.
        if (!(error instanceof StoreUnavailableError)) throw error;
      }
    },
  };
}

export type SignInLimiter = ReturnType<typeof createSignInLimiter>;
