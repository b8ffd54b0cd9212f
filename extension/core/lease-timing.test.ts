import { describe, expect, it } from 'vitest';
import { LAPSE_MARGIN_MS, leaseUsable, renewalDue, renewalTime } from './lease-timing';

describe('lease timing', () => {
  it('renews at two thirds of the lease’s life, whatever its length', () => {
    expect(renewalTime(1_000, 61_000)).toBe(41_000);
    expect(renewalTime(0, 900_000)).toBe(600_000);
    // A lease cut short by its parent's expiry is renewed at two thirds of what it has.
    expect(renewalTime(0, 30_000)).toBe(20_000);
  });

  it('is due at its renewal time, and when it is about to lapse whatever the renewal time says', () => {
    const lease = { renewAt: 40_000, expiresAt: 60_000 };
    expect(renewalDue(lease, 39_999)).toBe(false);
    expect(renewalDue(lease, 40_000)).toBe(true);
    expect(renewalDue({ renewAt: 90_000, expiresAt: 60_000 }, 60_000 - LAPSE_MARGIN_MS)).toBe(true);
  });

  it('is not put on a request in its last moments', () => {
    expect(leaseUsable({ expiresAt: 60_000 }, 60_000 - LAPSE_MARGIN_MS - 1)).toBe(true);
    expect(leaseUsable({ expiresAt: 60_000 }, 60_000 - LAPSE_MARGIN_MS)).toBe(false);
  });
});
