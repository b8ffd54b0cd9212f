// Refuses bodies over a size before any parsing: 413, whatever the route.
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { apiError } from '../errors';

export function createBodyLimit(maxBytes: number, exempt: (c: Context) => boolean) {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw apiError(413, 'PAYLOAD_TOO_LARGE', `Request bodies may be at most ${maxBytes} bytes.`);
    },
  });
  return async function limitBody(c: Context, next: () => Promise<void>) {
    if (exempt(c)) return next();
    return limit(c, next);
  };
}
