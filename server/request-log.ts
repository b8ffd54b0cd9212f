// One log line per request: method, path without its query string, status, duration. No headers, no query.
import { createMiddleware } from 'hono/factory';
import type { Logger } from './logger';

export function createRequestLog(log: Logger) {
  return createMiddleware(async function requestLog(c, next) {
    const started = performance.now();
    await next();
    log.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });
}
