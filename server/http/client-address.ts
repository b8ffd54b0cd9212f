// Who is asking: the socket's address, or (only behind a configured trusted proxy) the one it forwards.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

const LOOPBACK = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

export interface ClientAddressOptions {
  /** Addresses of proxies whose X-Forwarded-For / X-Forwarded-Proto are believed; `loopback` for 127.0.0.1 and ::1. */
  trustedProxies: readonly string[];
}

export interface ClientAddress {
  /** The client's address; `unknown` when there is no socket (in-memory requests). */
  of(c: Context): string;
  /** True when the client reached us over HTTPS, directly or through a trusted proxy. */
  isHttps(c: Context): boolean;
}

function socketAddress(c: Context): string {
  // In-memory requests (tests) have no socket: asking for one would throw on every request.
  if (!c.env || typeof c.env !== 'object' || !('incoming' in c.env || 'server' in c.env)) return 'unknown';
  return getConnInfo(c).remote.address ?? 'unknown';
}

export function createClientAddress({ trustedProxies }: ClientAddressOptions): ClientAddress {
  const trusted = new Set(trustedProxies.flatMap((proxy) => (proxy === 'loopback' ? LOOPBACK : [proxy])));
  return {
    of(c) {
      const socket = socketAddress(c);
      if (!trusted.has(socket)) return socket;
      const forwarded = (c.req.header('X-Forwarded-For') ?? '')
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      // The right-most address a trusted proxy did not add is the client; anything left of it is hearsay.
      for (let i = forwarded.length - 1; i >= 0; i--) {
        const address = forwarded[i] as string;
        if (!trusted.has(address)) return address;
      }
      return forwarded[0] ?? socket;
    },
    isHttps(c) {
      if (c.req.url.startsWith('https:')) return true;
      // The header first: without it there is no proxy to ask about, and no socket to look up.
      return c.req.header('X-Forwarded-Proto')?.toLowerCase() === 'https' && trusted.has(socketAddress(c));
    },
  };
}
