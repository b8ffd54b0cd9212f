// Signing in and out: POST /fmerest/v3/login and /fmerest/v3/logout.
import { Hono } from 'hono';
import {
  BasicLoginBodySchema,
  LoginBodySchema,
  LoginQuerySchema,
  SessionTokenSchema,
} from '../../shared/schemas/session';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import { parseCredentials } from '../auth/credentials';
import type { PasswordSignIn } from '../auth/password-sign-in';
import { apiError, unauthorized } from '../errors';
import type { ClientAddress } from '../http/client-address';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import type { SessionService } from '../sessions/session-service';
import { isJsonContentType, query, readJsonBody } from '../validation';

export interface SessionRoutesDeps {
  sessions: SessionService;
  signIn: PasswordSignIn;
  clientAddress: ClientAddress;
  authenticate: Authenticate;
}

export function createSessionRoutes(deps: SessionRoutesDeps) {
  const { sessions, authenticate } = deps;
  const routes = new Hono<AuthEnv>();

  // Basic auth (kind in the query) or a JSON body {user, password, kind}. A token cannot sign in.
  describe(
    {
      operationId: 'login',
      summary: 'Sign in',
      description:
        'With Basic authentication (and `kind` in the query, or `{kind}` in the body) or with ' +
        '`{user, password, kind}` in the body; with neither, 401. ' +
        '`web` sessions last 30 minutes and renew while used; `apidoc` tokens last 1 hour.',
      tag: TAGS.sessions,
      security: 'password',
      query: LoginQuerySchema,
      parameters: {
        kind: 'The kind of session, when signing in with Basic authentication (default: web; a kind in the body wins).',
      },
      body: { mediaType: 'application/json', schema: LoginBodySchema, required: false },
      responses: {
        201: json('The new session token.', SessionTokenSchema),
        ...errorResponses(400, 401, 415, 422),
      },
    },
    routes.post('/login', query(LoginQuerySchema), async (c) => {
      const authorization = c.req.header('Authorization');
      // A body sent is always read, with Basic too: a kind or a mistake in it is never passed over.
      const sent = (await c.req.text()) !== '';
      let credentials: { user: string; password: string; kind: 'web' | 'apidoc' };
      if (authorization !== undefined) {
        const parsed = parseCredentials({ authorization, urlTokens: [] });
        if (parsed.kind !== 'basic') throw unauthorized();
        const body = sent ? await readJsonBody(c, BasicLoginBodySchema) : {};
        if ('user' in body || 'password' in body)
          throw apiError(
            400,
            'CONFLICTING_CREDENTIALS',
            'Send one credential per request: Basic authentication or a user and password in the body, not both.',
          );
        credentials = {
          user: parsed.user,
          password: parsed.password,
          kind: body.kind ?? c.req.valid('query').kind ?? 'web',
        };
      } else {
        // Nothing to sign in with is a missing credential; an empty body declared as JSON is malformed JSON.
        if (!sent && !isJsonContentType(c.req.header('Content-Type'))) throw unauthorized();
        const body = await readJsonBody(c, LoginBodySchema);
        credentials = { user: body.user, password: body.password, kind: body.kind ?? 'web' };
      }
      const client = deps.clientAddress.of(c);
      const user = await deps.signIn.verify(credentials.user, credentials.password, client);
      c.header('Cache-Control', 'no-store');
      return c.json(await sessions.signIn(user, credentials.kind, client), 201);
    }),
  );

  describe(
    {
      operationId: 'logout',
      summary: 'Sign out',
      description: 'Removes the session token the request is authenticated with.',
      tag: TAGS.sessions,
      security: 'fmetoken-or-basic',
      responses: {
        204: { description: 'Signed out; the token no longer works.' },
        ...errorResponses(400, 401),
      },
    },
    routes.post('/logout', authenticate, async (c) => {
      await sessions.signOut(c.var.auth);
      return c.body(null, 204);
    }),
  );

  return routes;
}
