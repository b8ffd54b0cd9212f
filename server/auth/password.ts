// argon2id password hashing: a decoy hash so an unknown user costs what a wrong password costs, and a
// bound on hashes at once so a flood of sign-ins cannot take every core from token verification.
import { hash, verify } from '@node-rs/argon2';
import { rateLimited } from '../errors';

// Algorithm.Argon2id of @node-rs/argon2 (a const enum, which isolated modules cannot import).
const ARGON2ID = 2;
// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password, and (after the same work) when there is no hash to check. */
  verify(passwordHash: string | undefined, password: string): Promise<boolean>;
}

export interface HashingBounds {
  /** Hashes computed at once; the rest wait. One leaves the other core to everything else. */
  concurrent: number;
  /** Hashes waiting; past this a sign-in is answered 429 at once. */
  queued: number;
}

export const DEFAULT_HASHING_BOUNDS: HashingBounds = { concurrent: 1, queued: 64 };

/** The argon2 primitives; tests pass slow stand-ins to watch the bound, production passes nothing. */
export interface HashFunctions {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

const ARGON2: HashFunctions = {
  hash: (password) => hash(password, OPTIONS),
  verify: (passwordHash, password) => verify(passwordHash, password),
};

export function createPasswordHasher(
  bounds: HashingBounds = DEFAULT_HASHING_BOUNDS,
  functions: HashFunctions = ARGON2,
): PasswordHasher {
  let running = 0;
  const waiting: Array<() => void> = [];

  async function bounded<T>(work: () => Promise<T>): Promise<T> {
    if (running >= bounds.concurrent) {
      if (waiting.length >= bounds.queued)
        throw rateLimited(1, 'Too many sign-ins at once; try again in a second.');
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  }

  let decoy: Promise<string> | undefined;
  return {
    hash: (password) => bounded(() => functions.hash(password)),
    async verify(passwordHash, password) {
      if (passwordHash === undefined) {
        decoy ??= functions.hash('tokenward decoy password');
        const decoyHash = await decoy;
        await bounded(() => functions.verify(decoyHash, password).catch(() => false));
        return false;
      }
      return bounded(() => functions.verify(passwordHash, password).catch(() => false));
    },
  };
}
