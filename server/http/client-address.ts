// Who is asking: the socket's address, or (only behind a configured trusted proxy) the one it forwards.
import type { Context } from 'hono';
import { nodeBindings } from './node-bindings';

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
  /** The same, before there is a Context: the request and the server's bindings (what becomes `c.env`). */
  isHttpsRequest(request: Request, env: unknown): boolean;
}

/** The socket's address (what getConnInfo reads); in-memory requests (tests) have no socket: `unknown`. */
function socketAddress(env: unknown): string {
  return nodeBindings(env)?.incoming.socket?.remoteAddress ?? 'unknown';
}

export function createClientAddress({ trustedProxies }: ClientAddressOptions): ClientAddress {
  const trusted = new Set(trustedProxies.flatMap((proxy) => (proxy === 'loopback' ? LOOPBACK : [proxy])));
  const isHttpsRequest = (request: Request, env: unknown) => {
    if (request.url.startsWith('https:')) return true;
    // The header first: without it there is no proxy to ask about, and no socket to look up. Read from the
    // headers Node has already parsed where there are some, not through a Headers object made for it.
    const incoming = nodeBindings(env)?.incoming;
    const proto = incoming ? incoming.headers['x-forwarded-proto'] : request.headers.get('X-Forwarded-Proto');
    return typeof proto === 'string' && proto.toLowerCase() === 'https' && trusted.has(socketAddress(env));
  };
  return {
    of(c) {
      const socket = socketAddress(c.env);
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
    isHttps: (c) => isHttpsRequest(c.req.raw, c.env),
    isHttpsRequest,
  };
}
