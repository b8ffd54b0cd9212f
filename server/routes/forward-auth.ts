// Forward authentication: GET /auth/verify lets nginx auth_request or Traefik ForwardAuth guard any API.
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import { isKnownPermission } from '../../shared/permissions';
import { type AuthDeps, verifyCredentials } from '../auth/authenticate';
import type { Authorizer } from '../auth/authorize';
import { validationFailed } from '../errors';
import type { ClientAddress } from '../http/client-address';
import { describe, errorResponses } from '../openapi/describe';
import { TAGS } from '../openapi/tags';

export interface ForwardAuthRoutesDeps {
  auth: AuthDeps;
  authorizer: Authorizer;
  clientAddress: ClientAddress;
}

/**
 * The header a proxy uses to say which URL the client asked for; its `fmetoken` parameter counts.
 * nginx auth_request is configured to send X-Original-URI; Traefik ForwardAuth always sends X-Forwarded-Uri.
 */
const ORIGINAL_URI_HEADERS = ['X-Original-URI', 'X-Forwarded-Uri'] as const;

// For the document only: the handler reads the repeated parameter itself, checking each against the catalogue.
const ForwardAuthQuerySchema = v.object({ permission: v.optional(v.array(v.string())) });

export function createForwardAuthRoutes(deps: ForwardAuthRoutesDeps) {
  const routes = new Hono();

  // Every answer, 401 and 403 included, is about one client's credentials: no proxy may reuse it.
  routes.use(
    '/verify',
    createMiddleware(async function noStore(c, next) {
      await next();
      c.res.headers.set('Cache-Control', 'no-store');
    }),
  );

  /** Mounted at `/auth`. */
  describe(
    {
      operationId: 'verifyForwardAuth',
      summary: 'Forward authentication',
      description:
        'For nginx `auth_request` or Traefik `ForwardAuth`: checks the credentials of the request it receives ' +
        '(the Authorization header, or an `fmetoken` in the URL given by `X-Original-URI`) and that the caller ' +
        'holds every `permission` asked for.',
      tag: TAGS.sessions,
      security: 'fmetoken-or-basic',
      query: ForwardAuthQuerySchema,
      headers: {
        'X-Original-URI': 'The URL the client asked the proxy for; its `fmetoken` parameter counts.',
      },
      parameters: { permission: 'A permission the caller must hold; repeat for several.' },
      responses: {
        204: {
          description: 'Allowed.',
          headers: {
            'X-Auth-User': 'The caller (percent-encoded outside printable ASCII).',
            'X-Auth-Token-Name':
              'The token used, when it was a token (percent-encoded outside printable ASCII).',
            'X-Auth-Token-Type': 'USER or SESSION, when it was a token.',
          },
        },
        ...errorResponses(400, 401, 403, 422),
      },
    },
    routes.get('/verify', async function verify(c) {
      const required = c.req.queries('permission') ?? [];
      // A misspelt permission is a proxy configuration error; it must not read as "access denied".
      const unknown = required.find((permission) => !isKnownPermission(permission));
      if (unknown !== undefined)
        throw validationFailed({ permission: `"${unknown}" is not a known permission` });

      const caller = await verifyCredentials(
        deps.auth,
        {
          authorization: c.req.header('Authorization'),
          urlTokens: ORIGINAL_URI_HEADERS.flatMap((header) => tokensInOriginalUri(c.req.header(header))),
        },
        c,
      );
      // A proxy cannot pass a subrequest's body on, but it can read a header into its own error page.
      await deps.authorizer.demand(caller, required, (missing) => c.header('X-Auth-Required', missing));

      c.header('X-Auth-User', headerSafe(caller.user.name));
      // Basic auth has no token: the two token headers are left out rather than sent empty.
      if (caller.token) {
        c.header('X-Auth-Token-Name', headerSafe(caller.token.name));
        c.header('X-Auth-Token-Type', caller.token.type);
      }
      return c.body(null, 204);
    }),
  );

  return routes;
}

function tokensInOriginalUri(originalUri: string | undefined): string[] {
  if (originalUri === undefined) return [];
  let url: URL;
  try {
    url = new URL(originalUri, 'http://x');
  } catch {
    // Not a URL, so it carries no token; the Authorization header alone decides.
    return [];
  }
  return url.searchParams.getAll('fmetoken');
}

/**
 * Names are Unicode, header values are bytes: every character outside printable ASCII (and `%`
 * itself) is sent percent-encoded as UTF-8, so `decodeURIComponent` gives the name back and
 * plain ASCII names stay readable.
 */
export function headerSafe(text: string): string {
  const bytes = new TextEncoder();
  return text.replace(/[^\x20-\x24\x26-\x7e]/gu, (character) =>
    Array.from(
      bytes.encode(character),
      (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    ).join(''),
  );
}
