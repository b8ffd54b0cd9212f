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

export function createSecurityHeaders({ isHttps }: SecurityHeadersOptions) {
  return createMiddleware(async function securityHeaders(c, next) {
    await next();
    const headers = c.res.headers;
    headers.set('X-Content-Type-Options', 'nosniff');
    headers.set('Referrer-Policy', 'no-referrer');
    if (/^text\/html\b/i.test(headers.get('Content-Type') ?? '')) {
      headers.set('Content-Security-Policy', HTML_POLICY);
      headers.set('X-Frame-Options', 'DENY');
    }
    if (isHttps(c)) {
      headers.set('Strict-Transport-Security', 'max-age=31536000');
    }
  });
}
