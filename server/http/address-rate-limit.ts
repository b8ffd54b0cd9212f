// A fixed window of requests per client network (an IPv4 address, or an IPv6 /64), kept in memory per instance.
import { clientNetwork } from '../auth/sign-in-limiter';
import { BoundedMap } from '../bounded-map';
import type { Clock } from '../time';

export interface AddressRateLimitOptions {
  /** Requests one network may make per window. */
  limit: number;
  windowMs: number;
  clock: Clock;
  /** Networks remembered at most; the oldest are forgotten first (and start afresh). */
  maxNetworks?: number;
}

/** Counts a request from `address`: undefined when it may go on, else the seconds until it may. */
export type AddressRateLimit = (address: string) => number | undefined;

export function createAddressRateLimit(options: AddressRateLimitOptions): AddressRateLimit {
  const windows = new BoundedMap<string, { count: number; endsAt: number }>(options.maxNetworks ?? 10_000);
  return function take(address) {
    const network = clientNetwork(address);
    const now = options.clock.now();
    let window = windows.get(network);
    if (window === undefined || window.endsAt <= now) {
      window = { count: 0, endsAt: now + options.windowMs };
      windows.set(network, window);
    }
    window.count += 1;
    return window.count > options.limit ? (window.endsAt - now) / 1000 : undefined;
  };
}
