// Refuses the writes that a page on another origin makes a browser send: any mode, body type or dialect.
import type { MiddlewareHandler } from 'hono';
import { apiError } from '../errors';
import type { Guard, RequestHeaders } from './front-door';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// `same-origin`: the server's own pages (apidoc, the /fmetoken/ form); `none`: the user's own action (typed,
// bookmarked) and, in Chromium, an extension's background calls to a host it has access to.
const OWN_ORIGIN = new Set(['same-origin', 'none']);
// An extension's own pages and background send their extension origin, which no web page can take.
const EXTENSION_ORIGIN = /^(?:chrome|moz|safari-web)-extension:\/\//;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `host[:port]` of an Origin header, lower case; undefined for `null` or anything that is not a URL's origin. */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A header tool that injects `Authorization` (tokenward's own extension or any other) puts the token on requests
 * other sites start too: a form they post, a `no-cors` fetch or a beacon with a form, text or multipart body, none
 * of which needs a CORS preflight. Browsers say where each request comes from (Fetch Metadata): a state-changing
 * one from another origin is refused here, before authentication, unless its origin is one CORS_ORIGINS lets in.
 * Scripts and FME's clients send no `Sec-Fetch-Site` and go on as before.
 *
 * Browsers send Fetch Metadata only to potentially trustworthy URLs (https, loopback): to tokenward over plain HTTP
 * on any other host (`http://tokenward.corp:8787`) a page's write comes with an `Origin` but no `Sec-Fetch-Site`.
 * There the `Origin` decides: the server's own host (the `Host` the browser addressed, or the one a proxy forwards)
 * or an allowed origin goes on; another, or `null` (an opaque or no-referrer page), is refused. Scripts and FME's
 * clients send neither header.
 */
export function createCrossSiteWriteGuard(corsOrigins: readonly string[]): Guard {
  const allowed = new Set(corsOrigins);
  const refused = (method: string, headers: RequestHeaders): boolean => {
    if (SAFE_METHODS.has(method)) return false;
    const site = first(headers['sec-fetch-site']);
    const origin = first(headers.origin);
    if (site !== undefined && OWN_ORIGIN.has(site)) return false;
    if (origin !== undefined && (allowed.has(origin) || EXTENSION_ORIGIN.test(origin))) return false;
    if (site !== undefined) return true;
    // No Fetch Metadata: a script (no Origin either), or a page where the browser sends none (plain HTTP).
    if (origin === undefined) return false;
    const from = originHost(origin);
    const own = [first(headers.host), first(headers['x-forwarded-host'])?.split(',')[0]?.trim()];
    return from === undefined || !own.some((host) => host?.toLowerCase() === from);
  };
  // Synchronous: nothing here waits, so nothing here costs a promise of its own.
  const crossSiteWriteGuard: MiddlewareHandler = (c, next) => {
    if (
      refused(c.req.method, {
        'sec-fetch-site': c.req.header('Sec-Fetch-Site'),
        origin: c.req.header('Origin'),
        host: c.req.header('Host') ?? new URL(c.req.url).host,
        'x-forwarded-host': c.req.header('X-Forwarded-Host'),
      })
    )
      throw apiError(
        403,
        'CROSS_SITE_REQUEST',
        'A page on another site sent this request; it is refused so that it cannot act with your token. ' +
          "To call this API from a page, add the page's origin to CORS_ORIGINS.",
      );
    return next();
  };
  // The one header read a write pays for; reads never get here.
  return { middleware: crossSiteWriteGuard, concerns: refused };
}
