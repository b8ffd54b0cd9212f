// Security headers on every answer; a Content-Security-Policy on HTML pages; HSTS only over HTTPS.
import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';

// Pages load only their own scripts; Swagger UI and the token form set inline styles, so styles may be inline.
const HTML_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** What every answer carries, whatever its route, status or content. */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
];
/** Added over HTTPS only: over plain HTTP it would be meaningless, and a browser ignores it. */
export const HSTS: readonly [string, string] = ['Strict-Transport-Security', 'max-age=31536000'];

/**
 * On Node's own response, before the app runs: Node merges them into whatever headers the answer brings (its
 * own win), and the answer's headers stay a plain object, so @hono/node-server writes it on its fast path.
 * (`c.header()` instead makes Hono build a `Headers` object for every answer, which sends @hono/node-server
 * down its slow path: about a tenth of the public route's time.)
 */
export function setSecurityHeaders(outgoing: ServerResponse, isHttps: boolean): void {
  for (const [name, value] of SECURITY_HEADERS) outgoing.setHeader(name, value);
  if (isHttps) outgoing.setHeader(HSTS[0], HSTS[1]);
}

/** The same headers on a finished answer, where there is no Node response (in-memory `app.request`). */
export function withSecurityHeaders(res: Response, isHttps: boolean): Response {
  const answer = isMutable(res) ? res : new Response(res.body, res);
  for (const [name, value] of SECURITY_HEADERS)
    if (!answer.headers.has(name)) answer.headers.set(name, value);
  if (isHttps && !answer.headers.has(HSTS[0])) answer.headers.set(HSTS[0], HSTS[1]);
  return answer;
}

/**
 * Whether a request carries a token in its query string (`?fmetoken=`, as authentication reads it): its answer,
 * whatever its status, must not be kept by a cache, as the URL it is stored under holds the token.
 */
export function carriesQueryToken(url: string): boolean {
  // Most URLs do not mention it: no parsing for them.
  return url.includes('fmetoken') && new URL(url).searchParams.has('fmetoken');
}

/** `Cache-Control: no-store` on a finished answer, over whatever its route set. */
export function withNoStore(res: Response): Response {
  const answer = isMutable(res) ? res : new Response(res.body, res);
  answer.headers.set('Cache-Control', 'no-store');
  return answer;
}

/** `Response.redirect` and `Response.error` answers have immutable headers. */
function isMutable(res: Response): boolean {
  try {
    res.headers.set('X-Content-Type-Options', res.headers.get('X-Content-Type-Options') ?? 'nosniff');
    return true;
  } catch {
    return false;
  }
}

/**
 * What an HTML page adds: its Content-Security-Policy, and no framing. Call before `c.html`. Its referrer policy
 * is `same-origin`: still nothing to other origins, but a form the page posts to its own server carries its
 * `Origin` (under `no-referrer` a browser sends `Origin: null`), which is how the cross-site write guard knows
 * the page where the browser sends no Fetch Metadata (plain HTTP on a host that is not loopback).
 */
export function htmlPageHeaders(c: Context): void {
  c.header('Content-Security-Policy', HTML_POLICY);
  c.header('Referrer-Policy', 'same-origin');
  c.header('X-Frame-Options', 'DENY');
}
