// CORS for the configured origins: preflights answered before authentication, headers on every answer.
import type { Context, Next } from 'hono';
import { cors } from 'hono/cors';

export function createCors(origins: readonly string[]) {
  const allowed = new Set(origins);
  const handleCors = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Content-Disposition', 'Accept'],
    // What a page needs to read to make sense of an answer: why it failed, when to retry, a download's name.
    exposeHeaders: ['WWW-Authenticate', 'Retry-After', 'Content-Disposition', 'Allow'],
    maxAge: 600,
  });
  // Requests without an Origin (scripts, FME clients, same-origin pages) have nothing to negotiate.
  return async function corsForBrowsers(c: Context, next: Next) {
    if (allowed.size === 0 || c.req.header('Origin') === undefined) return next();
    return handleCors(c, next);
  };
}
