// CORS for the configured origins: preflights answered before authentication, headers on every answer. Without
// configured origins, preflights are still answered before authentication, allowing nothing.
import { cors } from 'hono/cors';
import type { Guard, RequestHeaders } from './front-door';

/**
 * With no origins configured, only preflights concern it: each is answered 204 before authentication and allows
 * nothing, so the browser sends no request; every other request pays nothing for it.
 */
export function createCors(origins: readonly string[]): Guard {
  if (origins.length === 0)
    return {
      middleware: async function answerPreflights(c, next) {
        if (isPreflight(c.req.method, c.req.header())) return c.body(null, 204);
        await next();
      },
      concerns: isPreflight,
    };
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

/** A browser's question before a cross-origin request: OPTIONS, with the origin and the method it would use. */
function isPreflight(method: string, headers: RequestHeaders): boolean {
  return (
    method === 'OPTIONS' &&
    headers.origin !== undefined &&
    headers['access-control-request-method'] !== undefined
  );
}
