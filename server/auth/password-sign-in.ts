// Passwords checked as sign-in attempts: rate-limited, counted, and taking turns per client and account.
import { rateLimited, unauthorized } from '../errors';
import type { Store, UserRecord } from '../store/store';
import { createKeyedLock } from './keyed-lock';
import type { PasswordHasher } from './password';
import type { SignInLimiter } from './sign-in-limiter';

export interface PasswordSignInDeps {
  store: Store;
  passwords: PasswordHasher;
  signIns: SignInLimiter;
}

const ATTEMPTS_WAITING_PER_KEY = 8;

export function createPasswordSignIn({ store, passwords, signIns }: PasswordSignInDeps) {
  // One app's attempts take turns with each other; a second app (a test, another instance) has its own turns.
  const signInTurns = createKeyedLock(ATTEMPTS_WAITING_PER_KEY);

  /**
   * Checks a password as a sign-in attempt: refused with 429 and Retry-After while this client (or this
   * account) has failed too often, counted when wrong. Attempts for one account and from one client take
   * turns, so a burst sent at once cannot all pass the check before any failure is recorded.
   */
  async function attempt(name: string, password: string, client: string): Promise<UserRecord | undefined> {
    // Looked up once before the turns only to tell a known client; the attempt reads the account afresh.
    const stamp = (await store.findUserByName(name)) ?? undefined;
    const once = () =>
      signInTurns(`client\n${client}`, async () => {
        const decision = await signIns.check(name, client, stamp);
        if (!decision.allowed) {
          throw rateLimited(
            decision.retryAfterSeconds,
            'Too many failed sign-ins: wait before trying again.',
          );
        }
        const user = await store.findUserByName(name);
        const matches = await passwords.verify(user?.passwordHash, password);
        if (!user || !matches || !user.enabled) {
          await signIns.recordFailure(name, client);
          return undefined;
        }
        await signIns.recordSuccess(user, client);
        return user;
      });
    // A client that signed in to this account lately is spared the account's cap, so it need not wait behind
    // the account's other attempts either: strangers flooding the account cannot fill the queue ahead of it.
    if (await signIns.isKnownClient(stamp, client)) return once();
    return signInTurns(`account\n${name.normalize('NFC').toLowerCase()}`, once);
  }

  return {
    attempt,
    /** The enabled user with this name and password; 401 otherwise (after the same hashing work), 429 when limited. */
    async verify(name: string, password: string, client: string): Promise<UserRecord> {
      const user = await attempt(name, password, client);
      if (!user) throw unauthorized();
      return user;
    },
  };
}

export type PasswordSignIn = ReturnType<typeof createPasswordSignIn>;
