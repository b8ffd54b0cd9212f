// A fixed window of requests per client network (an IPv4 address, or an IPv6 /64), counted in the store so that
// every instance sharing it counts together: a client spreading its requests over instances gets no more.
import { clientNetwork } from '../auth/sign-in-limiter';
import { BoundedMap } from '../bounded-map';
import type { RequestWindowStore } from '../store/store';
import type { Clock } from '../time';

export interface AddressRateLimitOptions {
  store: RequestWindowStore;
  /** What is limited: the windows of different limits are apart in the store. */
  name: string;
  /** Requests one network may make per window. */
  limit: number;
  windowMs: number;
  clock: Clock;
  /** Networks over the limit remembered here at most (the oldest are asked about in the store again). */
  maxNetworks?: number;
}

/** Counts a request from `address`: undefined when it may go on, else the seconds until it may. */
export type AddressRateLimit = (address: string) => Promise<number | undefined>;

export function createAddressRateLimit(options: AddressRateLimitOptions): AddressRateLimit {
  // A network over its limit is refused here until its window ends, without a write per request of a flood.
  const refusedUntil = new BoundedMap<string, number>(options.maxNetworks ?? 10_000);
  return async function take(address) {
    const network = clientNetwork(address);
    const now = options.clock.now();
    const until = refusedUntil.get(network);
    if (until !== undefined && until > now) return (until - now) / 1000;
    const { count, endsAtMs } = await options.store.countRequest(
      `${options.name} ${network}`,
      now,
      options.windowMs,
    );
    if (count <= options.limit) return undefined;
    refusedUntil.set(network, endsAtMs);
    return Math.max(0, endsAtMs - now) / 1000;
  };
}
