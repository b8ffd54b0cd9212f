// /fmerest/v3/tokens: list, create, get, update, remove and duplicate API tokens.
import { Hono } from 'hono';
import {
  CreatedTokenSchema,
  CreateTokenBodySchema,
  DuplicateTokenBodySchema,
  ListTokensQuerySchema,
  type TokenList,
  TokenListSchema,
  TokenSchema,
  UpdateTokenBodySchema,
} from '../../shared/schemas/token';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import { fullCredentialFirst } from '../auth/authorize';
import { createKeyedLock } from '../auth/keyed-lock';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
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

const TOKEN_PATH_PARAMETERS = {
  user: 'The user who owns the token.',
  name: 'The token name.',
};

/** Pages larger than this (or `limit=-1`, all) take turns. */
const LARGE_PAGE = 100;

export function createTokenRoutes({ tokens, authenticate }: TokenRoutesDeps) {
  const routes = new Hono<AuthEnv>();
  // A full list is built and serialized in one go, without a pause: at the cap (every token with a long
  // description) that holds the event loop for a noticeable time, and many at once would stall /healthz;
  // one at a time, anything else waits for one list at most.
  const largeLists = createKeyedLock(64, 'Too many large token lists at once; try again in a second.');
  routes.use(authenticate);

  describe(
    {
      operationId: 'listTokens',
      summary: 'List tokens',
      description:
        'Your own tokens, or with `user` another user’s (or `*` for all) given `usermanagement:manage`.',
      tag: TAGS.tokens,
      security: 'fmetoken-or-basic',
      query: ListTokensQuerySchema,
      parameters: {
        limit: 'How many tokens to return; -1 for all.',
        offset: 'How many tokens to skip.',
        type: 'Only tokens of this type.',
        status: 'Only active or only expired tokens.',
        user: 'Whose tokens: a user name, or `*` for every user.',
      },
      optionalQuery: {
        after:
          'The cursor of the next page: the `next` of the previous answer (optional; instead of `offset`).',
      },
      responses: {
        200: {
          ...json('A page of tokens; `next` (optional) is the cursor of the page after it.', TokenListSchema),
          headers: { Link: 'The next page, `<…?after=…>; rel="next"`, when there is one (optional).' },
        },
        ...errorResponses(401, 403, 422),
      },
    },
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
    }),
  );

  describe(
    {
      operationId: 'createToken',
      summary: 'Create an API token',
      description: 'The answer is the only time the token value is shown.',
      tag: TAGS.tokens,
      security: 'fmetoken-or-basic',
      body: { mediaType: 'application/json', schema: CreateTokenBodySchema, required: true },
      responses: {
        201: json('The new token, with its value in `token`.', CreatedTokenSchema),
        ...errorResponses(400, 401, 403, 409, 415, 422),
      },
    },
    routes.post('/', fullCredentialFirst, ...jsonBody(CreateTokenBodySchema), async (c) => {
      const created = await tokens.create(c.var.auth, c.req.valid('json'));
      c.header('Cache-Control', 'no-store');
      return c.json({ ...created.token, token: created.value }, 201);
    }),
  );

  describe(
    {
      operationId: 'getToken',
      summary: 'Get a token',
      tag: TAGS.tokens,
      security: 'fmetoken-or-basic',
      parameters: TOKEN_PATH_PARAMETERS,
      responses: { 200: json('The token (never its value).', TokenSchema), ...errorResponses(401, 403, 404) },
    },
    routes.get('/:user/:name', async (c) =>
      c.json(await tokens.get(c.var.auth, c.req.param('user'), c.req.param('name'))),
    ),
  );

  describe(
    {
      operationId: 'updateToken',
      summary: 'Update a token',
      description:
        'A partial update. On a session token only `enabled` can change, and not once it has expired.',
      tag: TAGS.tokens,
      security: 'fmetoken-or-basic',
      parameters: TOKEN_PATH_PARAMETERS,
      body: { mediaType: 'application/json', schema: UpdateTokenBodySchema, required: true },
      responses: { 204: { description: 'Updated.' }, ...errorResponses(400, 401, 403, 404, 409, 415, 422) },
    },
    routes.put('/:user/:name', fullCredentialFirst, ...jsonBody(UpdateTokenBodySchema), async (c) => {
      await tokens.update(c.var.auth, c.req.param('user'), c.req.param('name'), c.req.valid('json'));
      return c.body(null, 204);
    }),
  );

  describe(
    {
      operationId: 'deleteToken',
      summary: 'Delete a token',
      tag: TAGS.tokens,
      security: 'fmetoken-or-basic',
      parameters: TOKEN_PATH_PARAMETERS,
      responses: { 204: { description: 'Deleted.' }, ...errorResponses(401, 403, 404) },
    },
    routes.delete('/:user/:name', async (c) => {
      await tokens.remove(c.var.auth, c.req.param('user'), c.req.param('name'));
      return c.body(null, 204);
    }),
  );

  describe(
    {
      operationId: 'duplicateToken',
      summary: 'Duplicate an API token',
      description:
        'A new token with the same permissions and a new value. Session tokens cannot be duplicated.',
      tag: TAGS.tokens,
      security: 'fmetoken-or-basic',
      parameters: TOKEN_PATH_PARAMETERS,
      body: { mediaType: 'application/json', schema: DuplicateTokenBodySchema, required: true },
      responses: {
        201: json('The new token, with its value in `token`.', CreatedTokenSchema),
        ...errorResponses(400, 401, 403, 404, 409, 415, 422),
      },
    },
    routes.post(
      '/:user/:name/duplicate',
      fullCredentialFirst,
      ...jsonBody(DuplicateTokenBodySchema),
      async (c) => {
        const created = await tokens.duplicate(
          c.var.auth,
          c.req.param('user'),
          c.req.param('name'),
          c.req.valid('json'),
        );
        c.header('Cache-Control', 'no-store');
        return c.json({ ...created.token, token: created.value }, 201);
      },
    ),
  );

  return routes;
}
