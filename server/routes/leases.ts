// /fmerest/v3/tokens/{user}/{name}/leases: mint a short-lived child of an API token, see its leases, end them.
import { Hono } from 'hono';
import { CreateLeaseBodySchema, LeaseSchema, LeaseSummarySchema } from '../../shared/schemas/lease';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import type { LeaseService } from '../leases/lease-service';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import { parseOr422, readJsonBody } from '../validation';

export interface LeaseRoutesDeps {
  leases: LeaseService;
  authenticate: Authenticate;
}

const PATH = '/:user/:name/leases';

const PARAMETERS = {
  user: 'The user who owns the token.',
  name: 'The token name.',
};

/** Mounted beside the token routes, at /fmerest/v3/tokens. */
export function createLeaseRoutes({ leases, authenticate }: LeaseRoutesDeps) {
  const routes = new Hono<AuthEnv>();
  routes.use(PATH, authenticate);

  describe(
    {
      operationId: 'createLease',
      summary: 'Lease an API token',
      description:
        'A short-lived value with the token’s permissions, ending at the earlier of its `ttl` and the token’s ' +
        'expiry, and at once when the token is disabled, narrowed or removed or its owner’s account changes. ' +
        'Minted with the owner’s password, a session, an unrestricted token, or the token itself; at most 50 ' +
        'live per token (the oldest ends). A lease cannot manage tokens or accounts. The body may be empty.',
      tag: TAGS.tokens,
      security: 'fmetoken-or-basic',
      parameters: PARAMETERS,
      body: { mediaType: 'application/json', schema: CreateLeaseBodySchema, required: false },
      responses: {
        201: json('The lease, with its value in `token` (shown only here).', LeaseSchema),
        ...errorResponses(400, 401, 403, 404, 409, 415, 422),
      },
    },
    routes.post(PATH, async (c) => {
      // An empty body is the default ttl; anything else is JSON.
      const body =
        c.req.header('Content-Type') === undefined && (await c.req.text()) === ''
          ? parseOr422(CreateLeaseBodySchema, {})
          : await readJsonBody(c, CreateLeaseBodySchema);
      const lease = await leases.mint(c.var.auth, c.req.param('user'), c.req.param('name'), body);
      c.header('Cache-Control', 'no-store');
      return c.json(lease, 201);
    }),
  );

  describe(
    {
      operationId: 'getLeases',
      summary: 'A token’s leases',
      description: 'How many leases of the token are live, and when one was last used; never a value.',
      tag: TAGS.tokens,
      security: 'fmetoken-or-basic',
      parameters: PARAMETERS,
      responses: { 200: json('The token’s leases.', LeaseSummarySchema), ...errorResponses(401, 403, 404) },
    },
    routes.get(PATH, async (c) =>
      c.json(await leases.summary(c.var.auth, c.req.param('user'), c.req.param('name'))),
    ),
  );

  describe(
    {
      operationId: 'endLeases',
      summary: 'End a token’s leases',
      description:
        'Every live lease of the token is refused from now on, by every instance; the token is not.',
      tag: TAGS.tokens,
      security: 'fmetoken-or-basic',
      parameters: PARAMETERS,
      responses: { 204: { description: 'Ended.' }, ...errorResponses(401, 403, 404) },
    },
    routes.delete(PATH, async (c) => {
      await leases.end(c.var.auth, c.req.param('user'), c.req.param('name'));
      return c.body(null, 204);
    }),
  );

  return routes;
}
