// Refuses bodies over a size before any parsing: 413, whatever the route.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { apiError } from '../errors';
import type { Guard } from './front-door';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * A declared Content-Length is checked from the header alone; only a body without one is counted as it
 * streams, with Hono's bodyLimit, and a GET never has its body looked at: reading `c.req.raw` on every request, GETs included, makes @hono/node-server
 * build a full Request per request, and under load those piled up (RSS 2.35× in a 60 s soak, bench/SOAK.md).
 */
export function createBodyLimit(maxBytes: number, exempt: (c: Context) => boolean): Guard {
  const tooLarge = () =>
    apiError(413, 'PAYLOAD_TOO_LARGE', `Request bodies may be at most ${maxBytes} bytes.`);
  const streamingLimit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  // Synchronous unless a body is counted as it streams: a refusal is thrown, everything else goes straight on.
  const limitBody: MiddlewareHandler = (c, next) => {
    if (exempt(c)) return next();
    const length = c.req.header('Content-Length');
    const chunked = c.req.header('Transfer-Encoding') !== undefined;
    if (length !== undefined && !chunked) {
      if (Number(length) > maxBytes) throw tooLarge();
      return next();
    }
    // No length given: a chunked body, or (in memory, in tests) a body without headers. Methods that carry
    // bodies are counted as they stream; the rest have none to count.
    return chunked || BODY_METHODS.has(c.req.method) ? streamingLimit(c, next) : next();
  };
  return {
    middleware: limitBody,
    // A GET or HEAD that declares no body has none to measure.
    concerns: (method, headers) =>
      (method !== 'GET' && method !== 'HEAD') ||
      headers['content-length'] !== undefined ||
      headers['transfer-encoding'] !== undefined,
  };
}
