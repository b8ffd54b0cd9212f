// When a lease is renewed, and whether one can still go on a request: pure, so the timing is tested alone.

/**
 * Renewal at two thirds of a lease's life. The last third (20 s of the shortest, 60 s lease) is room for what
 * delays a renewal: the browser fires alarms late (30 s granularity, later while the machine sleeps), the
 * server may be slow, and requests already sent still carry the old lease. Earlier would mint more often for
 * no gain: a lease minted at half its life costs a third more mints than one at two thirds.
 */
export const RENEW_FRACTION = 2 / 3;

/** A lease this close to its end is not put on a new request: it could lapse on its way. */
export const LAPSE_MARGIN_MS = 2_000;

export function renewalTime(mintedAt: number, expiresAt: number): number {
  return Math.round(mintedAt + (expiresAt - mintedAt) * RENEW_FRACTION);
}

/** A lease cut short by its token's expiry goes out until that expiry, as the token itself would. */
export function leaseUsable(lease: { expiresAt: number; capped?: boolean }, now: number): boolean {
  return now < lease.expiresAt - (lease.capped === true ? 0 : LAPSE_MARGIN_MS);
}

export function renewalDue(
  lease: { renewAt: number; expiresAt: number; capped?: boolean },
  now: number,
): boolean {
  return now >= lease.renewAt || !leaseUsable(lease, now);
}
