import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { createPasswordHasher, type HashFunctions } from './password';

describe('password hasher', () => {
  it('hashes with argon2id and verifies; a missing hash is false after the same work', async () => {
    const hasher = createPasswordHasher();
    const stored = await hasher.hash('a long password');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(stored, 'a long password')).toBe(true);
    expect(await hasher.verify(stored, 'another password')).toBe(false);
    expect(await hasher.verify(undefined, 'a long password')).toBe(false);
  });

  // A stand-in for argon2 that takes a while and records how many run at once: the real one cannot be
  // watched from outside.
  function slowFunctions() {
    let running = 0;
    let most = 0;
    let calls = 0;
    const work = async <T>(result: T): Promise<T> => {
      calls++;
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return result;
    };
    const functions: HashFunctions = {
      hash: (password) => work(`hash:${password}`),
      verify: (hash, password) => work(hash === `hash:${password}`),
    };
    return { functions, stats: () => ({ most, calls }) };
  }

  it('runs no more hashes at once than the bound, and answers 429 when too many wait', async () => {
    const { functions, stats } = slowFunctions();
    const hasher = createPasswordHasher({ concurrent: 1, queued: 3 }, functions);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => hasher.verify('hash:pw', 'pw')));
    expect(stats().most).toBe(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(ApiError);
      expect(r.reason).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    }
    // Slots are released: a later call runs.
    expect(await hasher.verify('hash:pw', 'pw')).toBe(true);
  });

  it('does the same hashing work for an unknown user as for a wrong password', async () => {
    const { functions, stats } = slowFunctions();
    const hasher = createPasswordHasher({ concurrent: 2, queued: 10 }, functions);
    await hasher.verify('hash:right', 'wrong');
    const afterWrongPassword = stats().calls;
    await hasher.verify(undefined, 'wrong');
    // The decoy's own hash is made once; each check of an unknown user then costs one verify, as a wrong password does.
    await hasher.verify(undefined, 'wrong');
    expect(stats().calls - afterWrongPassword).toBe(3);
  });
});
