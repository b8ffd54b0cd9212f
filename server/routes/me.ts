// Who am I: GET /fmerest/v3/security/me, the caller's account, permissions and the token in use.
import { Hono } from 'hono';
import { type Me, MeSchema } from '../../shared/schemas/session';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import type { Authorizer } from '../auth/authorize';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import { toApiDate } from '../time';

export interface MeRoutesDeps {
  authenticate: Authenticate;
  authorizer: Authorizer;
}

export function createMeRoutes({ authenticate, authorizer }: MeRoutesDeps) {
  const routes = new Hono<AuthEnv>();
  routes.use(authenticate);

  describe(
    {
      operationId: 'getMe',
      summary: 'Who am I',
      description: 'The caller, their roles and effective permissions, and the token of this request.',
      tag: TAGS.sessions,
      security: 'fmetoken-or-basic',
      responses: { 200: json('The caller.', MeSchema), ...errorResponses(401) },
    },
    routes.get('/', async (c) => {
      const { user, token } = c.var.auth;
      const me: Me = {
        user: user.name,
        roles: user.roles,
        permissions: await authorizer.ofCaller(c.var.auth),
        token: token
          ? {
              name: token.name,
              type: token.type,
              source: token.source,
              expirationDate: toApiDate(token.expiresAt),
            }
          : null,
      };
      return c.json(me);
    }),
  );

  return routes;
}
