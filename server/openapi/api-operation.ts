// The shape of one documented route: what the OpenAPI generator reads and the route-drift test checks.
import type * as v from 'valibot';
import { ErrorBodySchema } from '../../shared/schemas/error';

export type ValibotSchema = v.GenericSchema<unknown, unknown>;
export type QuerySchema = v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * none: public. fmetoken-or-basic: an fmetoken (header or `fmetoken` parameter) or Basic.
 * password: Basic, or the user name and password in the body.
 */
export type ApiSecurity = 'none' | 'fmetoken-or-basic' | 'password';

export type MediaType =
  | 'application/json'
  | 'application/x-www-form-urlencoded'
  | 'application/octet-stream'
  | 'text/plain'
  | 'text/html';

export interface ApiContent {
  mediaType: MediaType;
  schema: ValibotSchema;
}

export interface ApiResponse {
  description: string;
  content?: ApiContent;
  /** Response headers worth knowing, by name, with their descriptions. */
  headers?: Readonly<Record<string, string>>;
}

export interface ApiOperation {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template: /fmerest/v3/tokens/{user}/{name}. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  security: ApiSecurity;
  /** The object schema the route validates its query string with; each entry becomes a parameter. */
  query?: QuerySchema;
  /** Optional request headers the route reads, by name, with their descriptions. */
  headers?: Readonly<Record<string, string>>;
  /** Descriptions of path and query parameters, by name. */
  parameters?: Readonly<Record<string, string>>;
  /** The request body; `also` lists other media types the route accepts for the same fields. */
  body?: ApiContent & { required: boolean; also?: readonly ApiContent[] };
  responses: Readonly<Record<number, ApiResponse>>;
}

/** A route the server serves on purpose without documenting it (redirects, static assets). */
export interface UndocumentedRoute {
  method: HttpMethod;
  path: string;
  reason: string;
}

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'The request is malformed (for example, the body is not valid JSON).',
  401: 'The credentials are missing, invalid or expired.',
  403: 'The caller lacks a permission this needs.',
  404: 'There is no such token, user, repository or item.',
  409: 'The name is taken, or the token cannot be changed this way.',
  413: 'The upload is larger than the server accepts.',
  415: 'The body was not sent as application/json.',
  422: 'A field is invalid; `details.fields` names each one.',
  503: 'The token store is unavailable.',
};

/** The challenge headers of 401 and 403 (SPEC §2): an extension can read a header where it cannot read a body. */
const ERROR_HEADERS: Readonly<Record<number, Readonly<Record<string, string>>>> = {
  401: { 'WWW-Authenticate': '`fmetoken realm="tokenward"`.' },
  403: {
    'WWW-Authenticate':
      '`fmetoken realm="tokenward", error="insufficient_scope", scope="<permission> …"` (RFC 6750 §3): the ' +
      'permissions of `details.required`, separated by spaces, each with a space, `"`, `\\`, `%` or non-ASCII ' +
      'character percent-encoded; no `scope` when the refusal is not about a missing permission.',
  },
};

/** The error responses of an operation, each with the shared `{message, code, details?}` body. */
export function errorResponses(...statuses: number[]): Record<number, ApiResponse> {
  const responses: Record<number, ApiResponse> = {};
  for (const status of statuses) {
    const description = ERROR_DESCRIPTIONS[status];
    if (description === undefined) throw new Error(`No error description for status ${status}`);
    const headers = ERROR_HEADERS[status];
    responses[status] = {
      description,
      content: { mediaType: 'application/json', schema: ErrorBodySchema },
      ...(headers === undefined ? {} : { headers }),
    };
  }
  return responses;
}
