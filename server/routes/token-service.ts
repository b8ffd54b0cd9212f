// The legacy token service (/fmetoken/...): old FME clients trade a user name and password for a token.
import { type Context, Hono } from 'hono';
import {
  TIME_UNITS,
  TokenServiceParamsSchema,
  type TokenServiceResponse,
} from '../../shared/schemas/session';
import { type AuthDeps, verifyPassword } from '../auth/authenticate';
import { apiError, unauthorized, validationFailed } from '../errors';
import { htmlPageHeaders } from '../http/security-headers';
import type { SessionService } from '../sessions/session-service';
import { parseOr422 } from '../validation';
import { TOKEN_SERVICE_PAGE } from './token-service-page';

export const TOKEN_SERVICE_MAX_SECONDS = 2 * 365 * 86400;
const DEFAULT_SECONDS = 5 * 60;

export const TOKEN_SERVICE_PATHS = [
  '/fmetoken/generate',
  '/fmetoken/service/generate',
  '/fmetoken/generate.json',
  '/fmetoken/service/generate.json',
] as const;

export interface TokenServiceRoutesDeps
  extends Pick<AuthDeps, 'store' | 'passwords' | 'signIns' | 'clientAddress'> {
  sessions: SessionService;
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

export function createTokenServiceRoutes(deps: TokenServiceRoutesDeps) {
  const routes = new Hono();

  routes.get('/fmetoken', (c) => c.redirect('/fmetoken/'));
  routes.get('/fmetoken/', (c) => {
    htmlPageHeaders(c);
    return c.html(TOKEN_SERVICE_PAGE);
  });

  routes.on(['GET', 'POST'], [...TOKEN_SERVICE_PATHS], async (c) => {
    const params = parseOr422(TokenServiceParamsSchema, await serviceParams(c));
    if (!params.user || !params.password) throw unauthorized();
    const seconds =
      params.expiration === undefined
        ? DEFAULT_SECONDS
        : params.expiration * TIME_UNITS[params.timeunit ?? 'minute'];
    if (seconds > TOKEN_SERVICE_MAX_SECONDS)
      throw validationFailed({ expiration: 'must be at most 2 years' });
    const client = deps.clientAddress.of(c);
    const user = await verifyPassword(deps, params.user, params.password, client);
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

  return routes;
}
