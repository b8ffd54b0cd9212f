// describe(): an operation's OpenAPI description, registered beside its route from the schemas the route uses.
import { type ConversionConfig, toJsonSchema } from '@valibot/to-json-schema';
import type { RouterRoute } from 'hono/types';
import { type DescribeRouteOptions, resolver, uniqueSymbol } from 'hono-openapi';
import * as v from 'valibot';
import { ErrorBodySchema } from '../../shared/schemas/error';
import type { Tag } from './tags';

export type ValibotSchema = v.GenericSchema<unknown, unknown>;
export type QuerySchema = v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>;

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

export interface RouteDescription {
  operationId: string;
  summary: string;
  description?: string;
  tag: Tag;
  security: ApiSecurity;
  /** The object schema the route validates its query string with; each entry becomes a parameter. */
  query?: QuerySchema;
  /**
   * Descriptions of path and query parameters, by name. A name that is not an entry of `query` is a path
   * parameter (the route-drift test checks that the route's path has it).
   */
  parameters?: Readonly<Record<string, string>>;
  /** Optional query parameters the route reads beyond `query`'s entries: documented as strings. */
  optionalQuery?: Readonly<Record<string, string>>;
  /** Optional request headers the route reads, by name, with their descriptions. */
  headers?: Readonly<Record<string, string>>;
  /** The request body; `also` lists other media types the route accepts for the same fields. */
  body?: ApiContent & { required: boolean; also?: readonly ApiContent[] };
  responses: Readonly<Record<number, ApiResponse>>;
}

const SECURITY: Record<ApiSecurity, NonNullable<DescribeRouteOptions['security']>> = {
  none: [],
  'fmetoken-or-basic': [{ fmetoken: [] }, { fmetokenQuery: [] }, { basic: [] }],
  // Basic, or no header at all: the user name and password are then in the body.
  password: [{ basic: [] }, {}],
};

// Transformations (NFC normalisation, text to number) and custom checks have no JSON Schema equivalent;
// anything else that cannot be converted throws, so the document never silently drops a rule.
const AS_PARSED = {
  target: 'draft-2020-12',
  ignoreActions: ['transform', 'check'],
  errorMode: 'throw',
} satisfies ConversionConfig;
// Query strings and form fields arrive as text: document them as sent, before a pipe turns them into numbers.
const AS_SENT = { ...AS_PARSED, typeMode: 'input' } satisfies ConversionConfig;

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'The request is malformed (for example, the body is not valid JSON).',
  401: 'The credentials are missing, invalid or expired.',
  403: 'The caller lacks a permission this needs.',
  404: 'There is no such token, user, repository or item.',
  409: 'The name is taken, or the token cannot be changed this way.',
  413: 'The upload is larger than the server accepts.',
  415: 'The body was not sent as application/json.',
  422: 'A field is invalid; `details.fields` names each one.',
  429: 'Too many sign-in attempts (or requests of this kind at once); try again after `Retry-After`.',
  503: 'The token store is unavailable.',
};

/** The challenge headers of 401 and 403: an extension can read a header where it cannot read a body. */
const ERROR_HEADERS: Readonly<Record<number, Readonly<Record<string, string>>>> = {
  401: { 'WWW-Authenticate': '`fmetoken realm="tokenward"`.' },
  403: {
    'WWW-Authenticate':
      '`fmetoken realm="tokenward", error="insufficient_scope", scope="<permission> …"` (RFC 6750 §3): the ' +
      'permissions of `details.required`, separated by spaces, each with a space, `"`, `\\`, `%` or non-ASCII ' +
      'character percent-encoded; no `scope` when the refusal is not about a missing permission.',
  },
  429: { 'Retry-After': 'Whole seconds to wait before trying again.' },
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

/** A response with a JSON body. */
export function json(description: string, schema: ValibotSchema): ApiResponse {
  return { description, content: { mediaType: 'application/json', schema } };
}

function content({ mediaType, schema }: ApiContent) {
  // A named schema is one component, described as parsed wherever it is used (a form too); hono-openapi hands
  // `options` on to @valibot/to-json-schema.
  const named = 'ref' in v.getMetadata(schema);
  const options = mediaType === 'application/json' || named ? AS_PARSED : AS_SENT;
  return { [mediaType]: { schema: resolver(schema, { options }) } };
}

type Parameter = Extract<NonNullable<DescribeRouteOptions['parameters']>[number], { in: string }>;
type SchemaObject = NonNullable<Parameter['schema']>;

const STRING: SchemaObject = { type: 'string' };

function parametersOf(route: RouteDescription): Parameter[] {
  const query = route.query ? toJsonSchema(route.query, AS_SENT) : {};
  const required = new Set(query.required ?? []);
  const inQuery = new Map<string, Parameter>();
  // JSON Schema 2020-12 is what an OpenAPI 3.1 schema is.
  for (const [name, schema] of Object.entries(query.properties ?? {}))
    inQuery.set(name, { name, in: 'query', required: required.has(name), schema: schema as SchemaObject });
  for (const name of Object.keys(route.optionalQuery ?? {}))
    if (!inQuery.has(name)) inQuery.set(name, { name, in: 'query', required: false, schema: STRING });
  // Any other parameter described is in the path (the route-drift test checks that the path has it).
  const inPath = Object.keys(route.parameters ?? {})
    .filter((name) => !inQuery.has(name))
    .map((name): Parameter => ({ name, in: 'path', required: true, schema: STRING }));
  const descriptions: Record<string, string> = { ...route.optionalQuery, ...route.parameters };
  const described = [...inPath, ...inQuery.values()].map((parameter) => {
    const description = descriptions[parameter.name];
    return description === undefined ? parameter : { ...parameter, description };
  });
  const headers = Object.entries(route.headers ?? {}).map(
    ([name, description]): Parameter => ({
      name,
      in: 'header',
      required: false,
      description,
      schema: STRING,
    }),
  );
  return [...described, ...headers];
}

function responsesOf(route: RouteDescription) {
  // Wherever a password may be checked (Basic, or a sign-in), the sign-in limits may answer 429.
  const limited = route.security === 'none' ? {} : errorResponses(429);
  const responses = { ...limited, ...route.responses };
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) => {
      const headers = Object.entries(response.headers ?? {}).map(
        ([name, description]) => [name, { description, schema: STRING }] as const,
      );
      return [
        status,
        {
          description: response.description,
          ...(headers.length === 0 ? {} : { headers: Object.fromEntries(headers) }),
          ...(response.content ? { content: content(response.content) } : {}),
        },
      ];
    }),
  );
}

/** The description hono-openapi reads, built from ours; exported for the tests of this module. */
export function describeRouteOptions(route: RouteDescription): DescribeRouteOptions {
  const parameters = parametersOf(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [route.tag],
    security: SECURITY[route.security],
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.body
      ? {
          requestBody: {
            required: route.body.required,
            content: Object.assign(content(route.body), ...(route.body.also ?? []).map(content)),
          },
        }
      : {}),
    responses: responsesOf(route),
  };
}

/** The routes a router has registered so far, in order (a Hono app or router: `routes.routes`). */
export interface RouteList {
  readonly routes: readonly RouterRoute[];
}

/**
 * Attaches `spec` to the handler of the route just registered on `router`, the one that answers it: hono-openapi's
 * generator reads it from there (as from its own `describeResponse`), so the route keeps its handlers as they are
 * and nothing more runs per request.
 */
function attach(router: RouteList, spec: DescribeRouteOptions): void {
  const route = router.routes.at(-1);
  if (route === undefined || route.method === 'ALL')
    throw new Error('describe() follows the route it describes');
  const handler = route.handler;
  // One handler answers one operation: a handler registered for two methods would carry one description for both.
  if (Object.hasOwn(handler, uniqueSymbol))
    throw new Error(`${route.method} ${route.path}: the handler already carries a description`);
  Object.assign(handler, { [uniqueSymbol]: { spec } });
}

/**
 * The description of the operation `router` has just registered, written around the registration:
 * `describe({ operationId: … }, routes.get('/', query(Schema), (c) => …))`. Hono still types the route from its own
 * arguments (wrapping the handler instead would lose its path parameters and validated input).
 */
export function describe(route: RouteDescription, router: RouteList): void {
  attach(router, describeRouteOptions(route));
}

/** A route served on purpose without documentation (a redirect, static assets): the reason says why. */
export function undocumented(reason: string, router: RouteList): void {
  attach(router, { hide: true, description: reason });
}
