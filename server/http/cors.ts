// CORS for the configured origins: preflights answered before authentication, headers on every answer.
import { cors } from 'hono/cors';
import type { Guard } from './front-door';

/** Undefined when no origins are configured: then there is nothing to answer, and no request pays for it. */
export function createCors(origins: readonly string[]): Guard | undefined {
  if (origins.length === 0) return undefined;
  const allowed = new Set(origins);
  const handleCors = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Content-Disposition', 'Accept'],
    // What a page needs to read to make sense of an answer: why it failed, when to retry, a download's name.
    exposeHeaders: ['WWW-Authenticate', 'Retry-After', 'Content-Disposition', 'Allow'],
    maxAge: 600,
  });
  return {
    middleware: function corsForBrowsers(c, next) {
      return c.req.header('Origin') === undefined ? next() : handleCors(c, next);
    },
    // Requests without an Origin (scripts, FME clients, same-origin pages) have nothing to negotiate.
    concerns: (_method, headers) => headers.origin !== undefined,
  };
}
