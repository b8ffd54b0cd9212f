// API errors and the single error handler that writes every error body.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ServerErrorCode } from '../shared/errors';
import type { ErrorBody } from '../shared/schemas/error';
import { isClientAbort } from './http/client-abort';
import type { Logger } from './logger';
import { asStoreUnavailable } from './store/store-faults';

export const WWW_AUTHENTICATE = 'fmetoken realm="tokenward"';

/**
 * The challenge of a 403 (RFC 6750 §3): a browser extension can read headers but not bodies, so the
 * header names the missing permissions too. A scope token may not hold a space, `"`, `\\` or a non-ASCII
 * character, and a repository name may: those (and `%`) are percent-encoded, so each token decodes with
 * decodeURIComponent.
 */
export function insufficientScope(required: readonly string[]): string {
  const scope = required.map(scopeToken).join(' ');
  const challenge = `${WWW_AUTHENTICATE}, error="insufficient_scope"`;
  return scope === '' ? challenge : `${challenge}, scope="${scope}"`;
}

function scopeToken(permission: string): string {
  return permission.replace(/[^\x21\x23-\x24\x26-\x5b\x5d-\x7e]/gu, (char) => {
    // A lone surrogate (possible in a JSON string) has no UTF-8 form: it reads as the replacement character.
    try {
      return encodeURIComponent(char);
    } catch {
      return '%EF%BF%BD';
    }
  });
}

export class ApiError extends HTTPException {
  readonly code: ServerErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds for a Retry-After header (429, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: ServerErrorCode,
    message: string,
    details?: Record<string, unknown>,
    retryAfterSeconds?: number,
  ) {
    // An ApiError is an answer, not a fault: its stack is never shown, and capturing one for every 401 of
    // a flood of bad tokens costs more than the rest of the refusal.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(status, { message });
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function apiError(
  status: ContentfulStatusCode,
  code: ServerErrorCode,
  message: string,
  details?: Record<string, unknown>,
  retryAfterSeconds?: number,
): ApiError {
  return new ApiError(status, code, message, details, retryAfterSeconds);
}

const UNAUTHORIZED_MESSAGE = 'Authentication failed: the credentials are missing, invalid or expired.';

/** One answer for every kind of bad credential: the body never says which it was. */
export function unauthorized(): ApiError {
  return apiError(401, 'UNAUTHORIZED', UNAUTHORIZED_MESSAGE);
}

const UNAUTHORIZED_BODY = JSON.stringify({
  message: UNAUTHORIZED_MESSAGE,
  code: 'UNAUTHORIZED',
} satisfies ErrorBody);

/**
 * The same 401 as `throw unauthorized()` (body, Content-Type, WWW-Authenticate), ready to return from a
 * middleware: a refused credential costs no exception unwinding the middleware, and its headers stay a plain
 * object, so @hono/node-server writes it on its fast path. The security headers and CORS headers are added
 * on the way out, as to any answer. A fresh Response each time: a body can be read only once.
 */
export function unauthorizedResponse(): Response {
  return new Response(UNAUTHORIZED_BODY, {
    status: 401,
    headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': WWW_AUTHENTICATE },
  });
}

/** 429 with Retry-After (whole seconds, at least 1). */
export function rateLimited(retryAfterSeconds: number, message: string): ApiError {
  return apiError(429, 'RATE_LIMITED', message, undefined, Math.max(1, Math.ceil(retryAfterSeconds)));
}

/** 422 naming each invalid field: `details.fields` maps a field path to what is wrong with it. */
export function validationFailed(fields: Record<string, string>): ApiError {
  const names = Object.keys(fields).join(', ');
  return apiError(422, 'VALIDATION_FAILED', `Invalid request: check ${names}.`, { fields });
}

export function createErrorHandler(log: Logger) {
  return function handleError(error: Error, c: Context): Response {
    if (error instanceof ApiError) {
      if (error.retryAfterSeconds !== undefined) c.header('Retry-After', String(error.retryAfterSeconds));
      // A cross-site form is refused for where it came from, not for what the credential holds.
      if (error.status === 403 && error.code !== 'CROSS_SITE_REQUEST')
        c.header('WWW-Authenticate', insufficientScope(requiredOf(error.details)));
      return sendError(c, error.status, errorBody(error.code, error.message, error.details));
    }
    // The client closed the connection mid-body: no one is left to read an answer, and nothing went wrong here
    // (checked first: the store faults count a dropped connection, ECONNRESET, as a database outage).
    if (isClientAbort(error)) {
      return sendError(c, 400, errorBody('BAD_REQUEST', 'The request body ended before it was complete.'));
    }
    // Every store fault, whether a store turned it into its own error or it escaped as the driver's: a
    // write that was not committed is never acknowledged, and a full disk or a lost database is no bug.
    const unavailable = asStoreUnavailable(error);
    if (unavailable) {
      c.header('Retry-After', String(unavailable.retryAfterSeconds));
      return sendError(c, 503, errorBody('STORE_UNAVAILABLE', `${unavailable.message} Try again shortly.`));
    }
    if (error instanceof HTTPException) {
      // Hono's own validator throws 400 for a body that is not JSON.
      if (error.status === 400) {
        return sendError(c, 400, errorBody('MALFORMED_JSON', 'The request body is not valid JSON.'));
      }
      return sendError(c, error.status, errorBody('BAD_REQUEST', error.message || 'Bad request.'));
    }
    log.error('unhandled error', { method: c.req.method, path: c.req.path, error: describeError(error) });
    return sendError(c, 500, errorBody('INTERNAL', 'Something went wrong on the server.'));
  };
}

/** `details.required` when it is a list of permissions; a 403 without one still says the scope was short. */
function requiredOf(details: Record<string, unknown> | undefined): string[] {
  const required = details?.required;
  return Array.isArray(required) ? required.filter((p): p is string => typeof p === 'string') : [];
}

function errorBody(code: ServerErrorCode, message: string, details?: Record<string, unknown>): ErrorBody {
  return details === undefined ? { message, code } : { message, code, details };
}

function sendError(c: Context, status: ContentfulStatusCode, body: ErrorBody): Response {
  if (status === 401) c.header('WWW-Authenticate', WWW_AUTHENTICATE);
  return c.json(body, status);
}

function describeError(error: Error): string {
  return error.stack ?? `${error.name}: ${error.message}`;
}
