// /fmerest/v3/tokens: list, create, get, update, remove and duplicate API tokens.
import { Hono } from 'hono';
import {
  CreateTokenBodySchema,
  DuplicateTokenBodySchema,
  ListTokensQuerySchema,
  UpdateTokenBodySchema,
} from '../../shared/schemas/token';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import type { TokenService } from '../tokens/token-service';
import { jsonBody, query } from '../validation';

export interface TokenRoutesDeps {
  tokens: TokenService;
  authenticate: Authenticate;
}

export function createTokenRoutes({ tokens, authenticate }: TokenRoutesDeps) {
  const routes = new Hono<AuthEnv>();
  routes.use(authenticate);

  routes.get('/', query(ListTokensQuerySchema), async (c) =>
    c.json(await tokens.list(c.var.auth, c.req.valid('query'))),
  );

  routes.post('/', ...jsonBody(CreateTokenBodySchema), async (c) => {
    const created = await tokens.create(c.var.auth, c.req.valid('json'));
    c.header('Cache-Control', 'no-store');
    return c.json({ ...created.token, token: created.value }, 201);
  });

  routes.get('/:user/:name', async (c) =>
    c.json(await tokens.get(c.var.auth, c.req.param('user'), c.req.param('name'))),
  );

  routes.put('/:user/:name', ...jsonBody(UpdateTokenBodySchema), async (c) => {
    await tokens.update(c.var.auth, c.req.param('user'), c.req.param('name'), c.req.valid('json'));
    return c.body(null, 204);
  });

  routes.delete('/:user/:name', async (c) => {
    await tokens.remove(c.var.auth, c.req.param('user'), c.req.param('name'));
    return c.body(null, 204);
  });

  routes.post('/:user/:name/duplicate', ...jsonBody(DuplicateTokenBodySchema), async (c) => {
    const created = await tokens.duplicate(
      c.var.auth,
      c.req.param('user'),
      c.req.param('name'),
      c.req.valid('json'),
    );
    c.header('Cache-Control', 'no-store');
    return c.json({ ...created.token, token: created.value }, 201);
  });

  return routes;
}
