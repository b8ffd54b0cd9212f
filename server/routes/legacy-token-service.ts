// The legacy token service (/fmetoken/...): old FME clients trade a user name and password for a token.
import { type Context, Hono } from 'hono';
import * as v from 'valibot';
import {
  TIME_UNITS,
  TokenServiceParamsSchema,
  type TokenServiceResponse,
  TokenServiceResponseSchema,
  type TokenServiceView,
  TokenServiceViewSchema,
} from '../../shared/schemas/session';
import { isWellFormedTokenValue } from '../../shared/token-format';
import { parseCredentials } from '../auth/credentials';
import { digestTokenValue } from '../auth/digest';
import type { PasswordSignIn } from '../auth/password-sign-in';
import { apiError, unauthorized, validationFailed } from '../errors';
import type { ClientAddress } from '../http/client-address';
import { htmlPageHeaders } from '../http/security-headers';
import { type ApiResponse, describe, errorResponses, json, type RouteDescription } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import type { SessionService } from '../sessions/session-service';
import type { Store } from '../store/store';
import { type Clock, epochSeconds, toApiDate } from '../time';
import { parseOr422 } from '../validation';
import { TOKEN_SERVICE_PAGE } from './legacy-token-service-page';

export const TOKEN_SERVICE_MAX_SECONDS = 2 * 365 * 86400;
const DEFAULT_SECONDS = 5 * 60;

/** Under the service's prefix, `/fmetoken/`. */
const GENERATE_PATHS = ['/generate', '/service/generate', '/generate.json', '/service/generate.json'];

export interface LegacyTokenServiceRoutesDeps {
  store: Store;
  clock: Clock;
  sessions: SessionService;
  signIn: PasswordSignIn;
  clientAddress: ClientAddress;
}

const PARAMETERS = {
  user: 'The user name.',
  password: "The user's password.",
  expiration: 'How long the token lives, in `timeunit`s (default: 5 minutes; at most 2 years).',
  timeunit: 'The unit of `expiration` (default: minute).',
};
const FORM = { mediaType: 'application/x-www-form-urlencoded', schema: TokenServiceParamsSchema } as const;

/**
 * One operation per method: GET takes query parameters, POST a form (query parameters are accepted too).
 * The service checks a password, so its sign-in limits may answer 429.
 */
function describeBoth(
  base: Omit<RouteDescription, 'operationId' | 'tag' | 'security' | 'query' | 'parameters' | 'body'>,
  operationId: (method: 'get' | 'post') => string,
): { get: RouteDescription; post: RouteDescription } {
  const common = { ...base, tag: TAGS.tokenService, security: 'none' } as const;
  return {
    get: {
      ...common,
      operationId: operationId('get'),
      query: TokenServiceParamsSchema,
      parameters: PARAMETERS,
    },
    post: {
      ...common,
      operationId: operationId('post'),
      responses: { ...errorResponses(400), ...base.responses },
      body: { ...FORM, required: true },
    },
  };
}

function describeGenerate(path: string) {
  const answer = path.endsWith('.json') ? 'json' : 'text';
  const ok: ApiResponse =
    answer === 'json'
      ? json('A new `tokenservice` session token.', TokenServiceResponseSchema)
      : {
          description: 'The value of a new `tokenservice` session token.',
          content: { mediaType: 'text/plain', schema: v.string() },
        };
  const id = `${path.includes('/service/') ? 'service' : 'generate'}${answer === 'json' ? 'Json' : 'Text'}`;
  const summary = `Generate a session token (${answer === 'json' ? 'JSON' : 'plain text'})`;
  const description =
    'For old FME clients: trades a user name and password for a short-lived session token. ' +
    'New applications should create API tokens.';
  const both = describeBoth(
    { summary, description, responses: { 200: ok, ...errorResponses(401, 422, 429) } },
    (method) => `${method}TokenService_${id}`,
  );
  return {
    get: { ...both.get, summary: `${summary}, query parameters` },
    post: {
      ...both.post,
      summary: `${summary}, form fields`,
      description: `${description} Query parameters are accepted too; a form field wins over the same parameter.`,
    },
  };
}

/** Query parameters, and on POST the form fields too (a form field wins over the same query parameter). */
async function serviceParams(c: Context): Promise<Record<string, string>> {
  const params: Record<string, string> = { ...c.req.query() };
  const contentType = c.req.header('Content-Type') ?? '';
  if (
    c.req.method === 'POST' &&
    /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(contentType)
  ) {
    const form = await c.req.parseBody().catch(() => {
      throw apiError(400, 'BAD_REQUEST', 'The form body could not be read.');
    });
    for (const [key, value] of Object.entries(form)) if (typeof value === 'string') params[key] = value;
  }
  return params;
}

/** Mounted at `/fmetoken/` (the page's own address ends in a slash; the app redirects `/fmetoken` to it). */
export function createLegacyTokenServiceRoutes(deps: LegacyTokenServiceRoutesDeps) {
  const routes = new Hono();

  describe(
    {
      operationId: 'getTokenServicePage',
      summary: 'Token service form',
      description: 'An HTML form that posts to the token service.',
      tag: TAGS.tokenService,
      security: 'none',
      responses: {
        200: { description: 'The form.', content: { mediaType: 'text/html', schema: v.string() } },
      },
    },
    routes.get('/', (c) => {
      htmlPageHeaders(c);
      return c.html(TOKEN_SERVICE_PAGE);
    }),
  );

  const generate = async (c: Context) => {
    const params = parseOr422(TokenServiceParamsSchema, await serviceParams(c));
    if (!params.user || !params.password) throw unauthorized();
    const seconds =
      params.expiration === undefined
        ? DEFAULT_SECONDS
        : params.expiration * TIME_UNITS[params.timeunit ?? 'minute'];
    if (seconds > TOKEN_SERVICE_MAX_SECONDS)
      throw validationFailed({ expiration: 'must be at most 2 years' });
    const client = deps.clientAddress.of(c);
    const user = await deps.signIn.verify(params.user, params.password, client);
    c.header('Cache-Control', 'no-store');
    // HEAD is safe (RFC 9110): Hono runs the GET route for it, so it must stop here, answering as GET would
    // (the same checks, status and headers) with no body, and minting nothing.
    if (c.req.method === 'HEAD') {
      c.header(
        'Content-Type',
        c.req.path.endsWith('.json') ? 'application/json' : 'text/plain; charset=UTF-8',
      );
      return c.body(null);
    }
    const session = await deps.sessions.issueServiceToken(user, seconds, client);
    if (c.req.path.endsWith('.json')) {
      const body: TokenServiceResponse = {
        serviceResponse: { token: session.token, expirationDate: session.expirationDate },
      };
      return c.json(body);
    }
    return c.text(session.token);
  };
  // Each method is its own operation, so each route gets its own handler to carry its description.
  for (const path of GENERATE_PATHS) {
    const described = describeGenerate(path);
    describe(
      described.get,
      routes.get(path, (c) => generate(c)),
    );
    describe(
      described.post,
      routes.post(path, (c) => generate(c)),
    );
  }

  // FMEServer.js posts the user and password as a form and, as on every call, its token in the header: the
  // answer says whether that token is the user's and still good. Like GET /security/me it is a check, not a
  // use (lastUsedDate and a session's renewal stay as they are), and it never repeats the value.
  const view = describeBoth(
    {
      summary: 'Look up a token (legacy token service)',
      description:
        'Whether the token the request carries (`Authorization: fmetoken token=<value>`) belongs to `user` ' +
        'and is enabled and unexpired. A check, not a use; the value is never sent back.',
      responses: { 200: json('The token.', TokenServiceViewSchema), ...errorResponses(401, 404, 422, 429) },
    },
    (method) => `${method}TokenServiceView`,
  );
  const lookUp = async (c: Context) => {
    const raw = await serviceParams(c);
    const params = parseOr422(TokenServiceParamsSchema, raw);
    if (!params.user || !params.password) throw unauthorized();
    const user = await deps.signIn.verify(params.user, params.password, deps.clientAddress.of(c));
    // The header, or (older pages) an fmetoken or token parameter; two different values are refused.
    const presented = parseCredentials({
      authorization: c.req.header('Authorization'),
      urlTokens: [raw.fmetoken, raw.token].filter((value) => value !== undefined),
    });
    if (presented.kind !== 'token') {
      throw validationFailed({
        fmetoken: 'send the token to look up as Authorization: fmetoken token=<value>',
      });
    }
    const found = isWellFormedTokenValue(presented.value)
      ? await deps.store.findTokenByDigest(digestTokenValue(presented.value))
      : undefined;
    if (!found || found.owner.id !== user.id)
      throw apiError(404, 'TOKEN_NOT_FOUND', `User "${user.name}" has no such token.`);
    const { token } = found;
    c.header('Cache-Control', 'no-store');
    const body: TokenServiceView = {
      serviceResponse: {
        user: user.name,
        name: token.name,
        type: token.type,
        source: token.source,
        enabled: token.enabled,
        expired: epochSeconds(deps.clock) >= token.expiresAt,
        expirationDate: toApiDate(token.expiresAt),
      },
    };
    return c.json(body);
  };
  describe(
    view.get,
    routes.get('/service/view.json', (c) => lookUp(c)),
  );
  describe(
    view.post,
    routes.post('/service/view.json', (c) => lookUp(c)),
  );

  return routes;
}
