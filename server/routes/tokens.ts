// /fmerest/v3/tokens: list, create, get, update, remove and duplicate API tokens.
import { Hono } from 'hono';
import {
  CreateTokenBodySchema,
  DuplicateTokenBodySchema,
  ListTokensQuerySchema,
  type TokenList,
  UpdateTokenBodySchema,
} from '../../shared/schemas/token';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import { createKeyedLock } from '../auth/keyed-lock';
import type { TokenService } from '../tokens/token-service';
import { jsonBody, query } from '../validation';

/**
 * The same path and query, from the page after `cursor` (as GitHub and GitLab link pages). Relative to the
 * host, which a proxy may rewrite; without offset (the cursor is the position) and without an `fmetoken`
 * parameter, so that no credential is echoed into a header.
 */
function nextPageUrl(requestUrl: string, cursor: string): string {
  const url = new URL(requestUrl);
  for (const name of [...url.searchParams.keys()])
    if (/^(offset|after|fmetoken)$/i.test(name)) url.searchParams.delete(name);
  url.searchParams.set('after', cursor);
  return `${url.pathname}?${url.searchParams}`;
}

export interface TokenRoutesDeps {
  tokens: TokenService;
  authenticate: Authenticate;
}

/** Pages larger than this (or `limit=-1`, all) take turns. */
const LARGE_PAGE = 100;

export function createTokenRoutes({ tokens, authenticate }: TokenRoutesDeps) {
  const routes = new Hono<AuthEnv>();
  // A full list is built and serialized in one go, without a pause: at the cap (1,000 tokens with 1 KiB
  // descriptions, 1.3 MB) each takes 100-300 ms of the event loop. Sixteen at once stalled /healthz for
  // seconds (issue 18); one at a time, anything else waits for one list at most.
  const largeLists = createKeyedLock(64, 'Too many large token lists at once; try again in a second.');
  routes.use(authenticate);

  routes.get('/', query(ListTokensQuerySchema), async (c) => {
    const filter = c.req.valid('query');
    const limit = filter.limit ?? -1;
    const respond = (list: TokenList) => {
      if (list.next) c.header('Link', `<${nextPageUrl(c.req.url, list.next)}>; rel="next"`);
      return c.json(list);
    };
    if (limit >= 0 && limit <= LARGE_PAGE) return respond(await tokens.list(c.var.auth, filter));
    return largeLists('tokens', async () => {
      // Let the requests that arrived meanwhile (a health check, a sign-in) go first.
      await new Promise((resolve) => setImmediate(resolve));
      return respond(await tokens.list(c.var.auth, filter));
    });
  });

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
