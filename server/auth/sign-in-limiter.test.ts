import { beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../test/fixtures/test-app';
import { createSignInLimiter, DEFAULT_SIGN_IN_POLICY } from './sign-in-limiter';

let clock: ManualClock;
let limiter: ReturnType<typeof createSignInLimiter>;
beforeEach(() => {
  clock = createManualClock();
  limiter = createSignInLimiter(clock);
});

const failTimes = (n: number, account: string, client: string) => {
  for (let i = 0; i < n; i++) limiter.recordFailure(account, client);
};

describe('sign-in limiter', () => {
  it('lets the first five failures of a client for an account through, then delays 1 s, 2 s, 4 s …', () => {
    failTimes(5, 'alice', 'A');
    expect(limiter.check('alice', 'A')).toEqual({ allowed: true });
    limiter.recordFailure('alice', 'A');
    expect(limiter.check('alice', 'A')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(1);
    expect(limiter.check('alice', 'A')).toEqual({ allowed: true });
    limiter.recordFailure('alice', 'A');
    expect(limiter.check('alice', 'A')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    clock.advance(2);
    limiter.recordFailure('alice', 'A');
    expect(limiter.check('alice', 'A')).toEqual({ allowed: false, retryAfterSeconds: 4 });
  });

  it('caps the delay at 15 minutes rather than locking anyone out', () => {
    failTimes(40, 'alice', 'A');
    expect(limiter.check('alice', 'A')).toEqual({ allowed: false, retryAfterSeconds: 900 });
  });

  it("does not slow the real user on another client down for an attacker's failures", () => {
    failTimes(30, 'alice', 'attacker');
    expect(limiter.check('alice', 'attacker').allowed).toBe(false);
    expect(limiter.check('alice', 'home')).toEqual({ allowed: true });
  });

  it('delays a client that fails across many accounts', () => {
    for (let i = 0; i < 20; i++) limiter.recordFailure(`user${i}`, 'sprayer');
    expect(limiter.check('user99', 'sprayer')).toEqual({ allowed: true });
    limiter.recordFailure('user20', 'sprayer');
    expect(limiter.check('user99', 'sprayer')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.check('user99', 'someone else')).toEqual({ allowed: true });
  });

  it('stops an account after 100 failures in an hour, from anywhere, until the oldest ages out', () => {
    for (let i = 0; i < 100; i++) {
      limiter.recordFailure('Alice', `client${i}`);
      clock.advance(10);
    }
    // Names are compared case-insensitively: Alice and alice are one account.
    const refused = limiter.check('alice', 'fresh client');
    expect(refused.allowed).toBe(false);
    // The first failure was 1000 s ago; it leaves the window 3600 s after it happened.
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 2600 });
    clock.advance(2600);
    expect(limiter.check('alice', 'fresh client')).toEqual({ allowed: true });
    expect(DEFAULT_SIGN_IN_POLICY.maxFailuresPerAccountPerHour).toBe(100);
  });

  it('clears the streak of a client for an account when it signs in', () => {
    failTimes(6, 'alice', 'A');
    clock.advance(1);
    limiter.recordSuccess('alice', 'A');
    limiter.recordFailure('alice', 'A');
    expect(limiter.check('alice', 'A')).toEqual({ allowed: true });
  });

  it('forgets a streak after an hour of quiet', () => {
    failTimes(6, 'alice', 'A');
    clock.advance(3601);
    limiter.recordFailure('alice', 'A');
    expect(limiter.check('alice', 'A')).toEqual({ allowed: true });
  });
});
