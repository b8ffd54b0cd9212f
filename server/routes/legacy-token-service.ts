// The legacy token service (/fmetoken/...): old FME clients trade a user name and password for a token.
import { type Context, Hono } from 'hono';
import {
  TIME_UNITS,
  TokenServiceParamsSchema,
  type TokenServiceResponse,
  type TokenServiceView,
} from '../../shared/schemas/session';
import { isWellFormedTokenValue } from '../../shared/token-format';
import { parseCredentials } from '../auth/credentials';
import { digestTokenValue } from '../auth/digest';
import type { PasswordSignIn } from '../auth/password-sign-in';
import { apiError, unauthorized, validationFailed } from '../errors';
import type { ClientAddress } from '../http/client-address';
import { htmlPageHeaders } from '../http/security-headers';
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

  routes.get('/', (c) => {
    htmlPageHeaders(c);
    return c.html(TOKEN_SERVICE_PAGE);
  });

  routes.on(['GET', 'POST'], GENERATE_PATHS, async (c) => {
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
    const session = await deps.sessions.issueServiceToken(user, seconds, client);
    c.header('Cache-Control', 'no-store');
    if (c.req.path.endsWith('.json')) {
      const body: TokenServiceResponse = {
        serviceResponse: { token: session.token, expirationDate: session.expirationDate },
      };
      return c.json(body);
    }
    return c.text(session.token);
  });

  // FMEServer.js posts the user and password as a form and, as on every call, its token in the header: the
  // answer says whether that token is the user's and still good. Like GET /security/me it is a check, not a
  // use (lastUsedDate and a session's renewal stay as they are), and it never repeats the value.
  routes.on(['GET', 'POST'], '/service/view.json', async (c) => {
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
  });

  return routes;
}
