import { beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../test/fixtures/test-app';
import { openSqliteStore } from '../store/sqlite-store';
import { createSignInLimiter, DEFAULT_SIGN_IN_POLICY } from './sign-in-limiter';

let clock: ManualClock;
let limiter: ReturnType<typeof createSignInLimiter>;
beforeEach(() => {
  clock = createManualClock();
  limiter = createSignInLimiter(openSqliteStore(':memory:'), clock);
});

const failTimes = async (n: number, account: string, client: string) => {
  for (let i = 0; i < n; i++) await limiter.recordFailure(account, client);
};

describe('sign-in limiter', () => {
  it('lets the first five failures of a client for an account through, then delays 1 s, 2 s, 4 s …', async () => {
    await failTimes(5, 'alice', 'A');
    expect(await limiter.check('alice', 'A')).toEqual({ allowed: true });
    await limiter.recordFailure('alice', 'A');
    expect(await limiter.check('alice', 'A')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(1);
    expect(await limiter.check('alice', 'A')).toEqual({ allowed: true });
    await limiter.recordFailure('alice', 'A');
    expect(await limiter.check('alice', 'A')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    clock.advance(2);
    await limiter.recordFailure('alice', 'A');
    expect(await limiter.check('alice', 'A')).toEqual({ allowed: false, retryAfterSeconds: 4 });
  });

  it('caps the delay at 15 minutes rather than locking anyone out', async () => {
    await failTimes(40, 'alice', 'A');
    expect(await limiter.check('alice', 'A')).toEqual({ allowed: false, retryAfterSeconds: 900 });
  });

  it("does not slow the real user on another client down for an attacker's failures", async () => {
    await failTimes(30, 'alice', 'attacker');
    expect((await limiter.check('alice', 'attacker')).allowed).toBe(false);
    expect(await limiter.check('alice', 'home')).toEqual({ allowed: true });
  });

  it('delays a client that fails across many accounts', async () => {
    for (let i = 0; i < 20; i++) await limiter.recordFailure(`user${i}`, 'sprayer');
    expect(await limiter.check('user99', 'sprayer')).toEqual({ allowed: true });
    await limiter.recordFailure('user20', 'sprayer');
    expect(await limiter.check('user99', 'sprayer')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await limiter.check('user99', 'someone else')).toEqual({ allowed: true });
  });

  it('stops an account after 100 failures in an hour, from anywhere, until the oldest ages out', async () => {
    for (let i = 0; i < 100; i++) {
      await limiter.recordFailure('Alice', `client${i}`);
      clock.advance(10);
    }
    // Names are compared case-insensitively: Alice and alice are one account.
    const refused = await limiter.check('alice', 'fresh client');
    expect(refused.allowed).toBe(false);
    // The first failure was 1000 s ago; it leaves the window 3600 s after it happened.
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 2600 });
    clock.advance(2600);
    expect(await limiter.check('alice', 'fresh client')).toEqual({ allowed: true });
    expect(DEFAULT_SIGN_IN_POLICY.maxFailuresPerAccountPerHour).toBe(100);
  });

  it('clears the streak of a client for an account when it signs in', async () => {
    await failTimes(6, 'alice', 'A');
    clock.advance(1);
    await limiter.recordSuccess({ id: 1, name: 'alice', passwordHash: 'h1' }, 'A');
    await limiter.recordFailure('alice', 'A');
    expect(await limiter.check('alice', 'A')).toEqual({ allowed: true });
  });

  it('forgets a streak after an hour of quiet', async () => {
    await failTimes(6, 'alice', 'A');
    clock.advance(3601);
    await limiter.recordFailure('alice', 'A');
    expect(await limiter.check('alice', 'A')).toEqual({ allowed: true });
  });

  it('spares a known client the cap only for that account as it is now (not a case twin, not after a new password)', async () => {
    const bob = { id: 1, name: 'bob', passwordHash: 'h1' };
    const twin = { id: 2, name: 'Bob', passwordHash: 'h2' };
    await limiter.recordSuccess(twin, 'mallory');
    await limiter.recordSuccess(bob, 'home');
    for (let i = 0; i < 100; i++) await limiter.recordFailure('bob', `guesser ${i % 20}`);
    expect((await limiter.check('bob', 'mallory', bob)).allowed).toBe(false);
    expect(await limiter.check('bob', 'home', bob)).toEqual({ allowed: true });
    // A new password (or a new account under the name) starts with no known clients.
    expect((await limiter.check('bob', 'home', { ...bob, passwordHash: 'h3' })).allowed).toBe(false);
    expect((await limiter.check('bob', 'home', { ...bob, id: 3 })).allowed).toBe(false);
  });
});
