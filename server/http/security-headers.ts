// Security headers on every answer; a Content-Security-Policy on HTML pages; HSTS only over HTTPS.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';

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

export interface SecurityHeadersOptions {
  /** True when the request reached us over HTTPS (directly, or as a trusted proxy says). */
  isHttps: (c: Context) => boolean;
}

/**
 * Set before the handler runs, so they travel with whatever answer it (or the error handler) builds.
 * Touching `c.res.headers` afterwards instead would make @hono/node-server build a full Response for
 * every answer and leave its fast path, on every route.
 */
export function createSecurityHeaders({ isHttps }: SecurityHeadersOptions) {
  return createMiddleware(async function securityHeaders(c, next) {
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    if (isHttps(c)) c.header('Strict-Transport-Security', 'max-age=31536000');
    await next();
  });
}

/** What an HTML page adds: its Content-Security-Policy, and no framing. Call before `c.html`. */
export function htmlPageHeaders(c: Context): void {
  c.header('Content-Security-Policy', HTML_POLICY);
  c.header('X-Frame-Options', 'DENY');
}
