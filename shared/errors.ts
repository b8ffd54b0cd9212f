// The closed set of error codes the server sends and the client understands.
import * as v from 'valibot';

export const SERVER_ERROR_CODES = [
  'BAD_REQUEST',
  'MALFORMED_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'CONFLICTING_CREDENTIALS',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'CROSS_SITE_REQUEST',
  'NOT_FOUND',
  'TOKEN_NOT_FOUND',
  'NAME_TAKEN',
  'CONFLICT',
  'TOKEN_LIMIT',
  'VALIDATION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'METHOD_NOT_ALLOWED',
  'PERMISSION_DEPENDENCIES',
  'RATE_LIMITED',
  'STORE_UNAVAILABLE',
  'INTERNAL',
] as const;

/** Codes only the client produces: the request never got a well-formed answer (HOST_ACCESS_REMOVED: the
 * browser no longer lets the caller reach the server's origin). */
export const CLIENT_ERROR_CODES = ['NETWORK', 'BAD_RESPONSE', 'HOST_ACCESS_REMOVED'] as const;

export const ServerErrorCodeSchema = v.picklist(SERVER_ERROR_CODES);
export type ServerErrorCode = v.InferOutput<typeof ServerErrorCodeSchema>;
export type ErrorCode = ServerErrorCode | (typeof CLIENT_ERROR_CODES)[number];
