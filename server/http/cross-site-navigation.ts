// Refuses state-changing navigations that another site started: a form on any page, submitted to the API.
import type { MiddlewareHandler } from 'hono';
import { apiError } from '../errors';
import type { Guard } from './front-door';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const NAVIGATIONS = new Set(['navigate', 'nested-navigate']);
// `same-origin`: the server's own pages (the /fmetoken/ form); `none`: typed or bookmarked by the user.
const OWN_SITES = new Set(['same-origin', 'none']);

/**
 * A browser extension that injects `Authorization` (tokenward's own, or any header tool) also injects it into a
 * top-level form POST that a page on another site submits, so such a navigation would act with the user's
 * token (CSRF). Browsers say where a navigation came from in `Sec-Fetch-*`; scripts and FME's own clients send
 * no such headers and are not affected, and CORS requests from pages (`Sec-Fetch-Mode: cors`) go on as before.
 */
export function createCrossSiteNavigationGuard(): Guard {
  // Synchronous: nothing here waits, so nothing here costs a promise of its own.
  const crossSiteNavigationGuard: MiddlewareHandler = (c, next) => {
    if (!SAFE_METHODS.has(c.req.method)) {
      const mode = c.req.header('Sec-Fetch-Mode');
      const site = c.req.header('Sec-Fetch-Site');
      if (mode !== undefined && NAVIGATIONS.has(mode) && site !== undefined && !OWN_SITES.has(site)) {
        throw apiError(
          403,
          'CROSS_SITE_REQUEST',
          'A page on another site submitted this request; it is refused so that it cannot act with your token.',
        );
      }
    }
    return next();
  };
  return { middleware: crossSiteNavigationGuard, concerns: (method) => !SAFE_METHODS.has(method) };
}
