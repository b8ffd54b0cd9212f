// The OpenAPI document matches the routes the app serves and carries the constraints of the valibot schemas.
import { Hono } from 'hono';
import { describeRoute as honoDescribeRoute } from 'hono-openapi';
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVER_ERROR_CODES } from '../../shared/errors';
import { TOKEN_NAME_MAX } from '../../shared/schemas/token';
import { createTestApp } from '../../test/fixtures/test-app';
import {
  describe as describeRoute,
  describeRouteOptions,
  type RouteDescription,
  undocumented,
} from './describe';
import { generateOpenApiDocument } from './openapi-document';
import { findRouteDrift, isDescription } from './route-drift';
import { TAGS } from './tags';

type TestApp = Awaited<ReturnType<typeof createTestApp>>['app'];

/** The value at `keys` inside parsed JSON, or undefined when any step is missing. */
function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}

/** Follows a local `$ref` (JSON Pointer) inside the document; other values are returned as they are. */
function deref(doc: unknown, schema: unknown): unknown {
  const ref = at(schema, '$ref');
  if (typeof ref !== 'string') return schema;
  expect(ref.startsWith('#/')).toBe(true);
  const keys = ref
    .slice(2)
    .split('/')
    .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
  return at(doc, ...keys);
}

function collectRefs(value: unknown, refs: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, refs);
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') refs.push(item);
      else collectRefs(item, refs);
    }
  return refs;
}

/** Every operation of the document as [path, method, operation]. */
function operationsOf(document: unknown): [string, string, unknown][] {
  const paths = Object(at(document, 'paths')) as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]): [string, string, unknown] => [
      path,
      method,
      operation,
    ]),
  );
}

const ping: RouteDescription = {
  operationId: 'ping',
  summary: 'Ping',
  tag: TAGS.server,
  security: 'none',
  responses: { 204: { description: 'Pong.' } },
};

let app: TestApp;
let doc: unknown;

beforeAll(async () => {
  ({ app } = await createTestApp());
  const res = await app.request('/fmerest/v3/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
  doc = await res.json();
});

describe('the descriptions beside the routes', () => {
  it('describe every route the app serves, and name no route it does not serve', () => {
    expect(findRouteDrift(app.routes)).toEqual({ undescribed: [], stray: [] });
  });

  it('describe every route on the handler that answers it: no description is in a request’s way', () => {
    const answering = new Map(app.routes.map((route) => [`${route.method} ${route.path}`, route]));
    const inTheWay = app.routes
      .filter((route) => isDescription(route) && answering.get(`${route.method} ${route.path}`) !== route)
      .map((route) => `${route.method} ${route.path}`);
    expect(inTheWay).toEqual([]);
  });

  it('catch a route without a description, and a description in the way of the handler that answers', () => {
    const routes = new Hono();
    describeRoute(
      ping,
      routes.get('/described', (c) => c.body(null, 204)),
    );
    routes.get('/forgotten', (c) => c.body(null, 204));
    // hono-openapi's own describeRoute() is a handler that passes every request on: in the request's way.
    routes.post('/passing', honoDescribeRoute({ operationId: 'passing' }), (c) => c.body(null, 204));
    routes.use('/everything', honoDescribeRoute({ operationId: 'everything' }));
    undocumented(
      'redirects',
      routes.get('/redirect', (c) => c.redirect('/described')),
    );
    expect(findRouteDrift(routes.routes)).toEqual({
      undescribed: ['GET /forgotten', 'POST /passing'],
      stray: ['ALL /everything', 'POST /passing'],
    });
  });

  it('describe a route on the handler that answers it, once, and never middleware', () => {
    const routes = new Hono();
    expect(() => describeRoute(ping, routes)).toThrow(/follows the route/);
    expect(() =>
      describeRoute(
        ping,
        routes.use('/everything', (_c, next) => next()),
      ),
    ).toThrow(/follows the route/);
    const answer = () => new Response(null, { status: 204 });
    describeRoute(ping, routes.get('/ping', answer));
    expect(() => describeRoute(ping, routes.post('/ping', answer))).toThrow(/already carries/);
  });

  it('give each operation its own operationId, and only the path parameters its path has', () => {
    const operations = operationsOf(doc);
    expect(operations).toHaveLength(55);
    const ids = operations.map(([, , operation]) => at(operation, 'operationId'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, method, operation] of operations) {
      const parameters = at(operation, 'parameters');
      const inPath = (Array.isArray(parameters) ? parameters : [])
        .filter((parameter) => at(parameter, 'in') === 'path')
        .map((parameter) => at(parameter, 'name'));
      const template = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      expect(inPath, `${method} ${path}`).toEqual(template);
    }
  });

  it('leave out the redirects and the docs page assets', () => {
    const paths = Object.keys(Object(at(doc, 'paths')));
    expect(paths).not.toContain('/fmetoken');
    expect(paths).not.toContain('/fmerest/apidoc/v3');
    expect(paths.filter((path) => path.includes('/assets/'))).toEqual([]);
  });
});

describe('GET /fmerest/v3/openapi.json', () => {
  it('is an OpenAPI 3.1 document served without credentials', () => {
    expect(at(doc, 'openapi')).toBe('3.1.0');
    // OpenAPI 3.1's default dialect is JSON Schema 2020-12, what the converter targets; Swagger UI rejects any other.
    expect(at(doc, 'jsonSchemaDialect')).toBeUndefined();
    expect(at(doc, 'info', 'title')).toBe('tokenward API');
    expect(at(doc, 'info', 'version')).toBe('tokenward 0.1.0');
  });

  it('lists the tags in the order of TAGS', () => {
    expect(at(doc, 'tags')).toEqual(Object.values(TAGS).map((name) => ({ name })));
  });

  it('resolves every $ref, and none points at a $defs the document does not have', () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(deref(doc, { $ref: ref }), ref).toBeTypeOf('object');
    }
  });

  it('carries the create-token body rules from CreateTokenBodySchema', () => {
    const body = deref(
      doc,
      at(doc, 'paths', '/fmerest/v3/tokens', 'post', 'requestBody', 'content', 'application/json', 'schema'),
    );
    expect(at(doc, 'paths', '/fmerest/v3/tokens', 'post', 'requestBody', 'required')).toBe(true);
    expect(at(body, 'type')).toBe('object');
    expect(at(body, 'additionalProperties')).toBe(false);
    expect(at(body, 'required')).toEqual(['name']);
    expect(at(body, 'properties', 'name')).toEqual({
      type: 'string',
      minLength: 1,
      maxLength: TOKEN_NAME_MAX,
    });
    expect(at(body, 'properties', 'description', 'maxLength')).toBe(1024);
    expect(at(body, 'properties', 'expirationTimeout')).toMatchObject({ type: 'integer', minimum: 1 });
    expect(at(body, 'properties', 'expirationDate', 'format')).toBe('date-time');
    expect(at(body, 'properties', 'permissions', 'maxItems')).toBe(200);
  });

  it('turns the list query schema into query parameters, as the strings they are sent as', () => {
    const parameters = at(doc, 'paths', '/fmerest/v3/tokens', 'get', 'parameters');
    expect(Array.isArray(parameters)).toBe(true);
    const limit = Array.isArray(parameters) ? parameters.find((p) => at(p, 'name') === 'limit') : undefined;
    expect(limit).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'string', pattern: '^-?\\d{1,9}$' },
      description: 'How many tokens to return; -1 for all.',
    });
    const names = Array.isArray(parameters) ? parameters.map((p) => at(p, 'name')) : [];
    expect([...names].sort()).toEqual(['after', 'limit', 'offset', 'status', 'type', 'user']);
    const after = Array.isArray(parameters) ? parameters.find((p) => at(p, 'name') === 'after') : undefined;
    expect(after).toMatchObject({ in: 'query', required: false, schema: { type: 'string' } });
    const ok = at(doc, 'paths', '/fmerest/v3/tokens', 'get', 'responses', '200');
    expect(at(ok, 'headers', 'Link', 'description')).toContain('rel="next"');
    const type = Array.isArray(parameters) ? parameters.find((p) => at(p, 'name') === 'type') : undefined;
    expect(at(type, 'schema', 'enum')).toEqual(['USER', 'SESSION']);
  });

  it('makes {user} and {name} required path parameters', () => {
    const parameters = at(doc, 'paths', '/fmerest/v3/tokens/{user}/{name}', 'put', 'parameters');
    expect(parameters).toEqual([
      {
        name: 'user',
        in: 'path',
        required: true,
        schema: { type: 'string' },
        description: 'The user who owns the token.',
      },
      {
        name: 'name',
        in: 'path',
        required: true,
        schema: { type: 'string' },
        description: 'The token name.',
      },
    ]);
  });

  it('answers errors with the shared error body, whose codes are the closed set', () => {
    const unauthorized = at(doc, 'paths', '/fmerest/v3/tokens', 'get', 'responses', '401');
    expect(at(unauthorized, 'content', 'application/json', 'schema')).toEqual({
      $ref: '#/components/schemas/ErrorBody',
    });
    const errorBody = at(doc, 'components', 'schemas', 'ErrorBody');
    expect(at(errorBody, 'required')).toEqual(['message', 'code']);
    expect(at(errorBody, 'properties', 'code', 'enum')).toEqual([...SERVER_ERROR_CODES]);
  });

  it('describes responses with the schemas the server answers with', () => {
    const list = at(
      doc,
      'paths',
      '/fmerest/v3/tokens',
      'get',
      'responses',
      '200',
      'content',
      'application/json',
    );
    expect(list).toEqual({ schema: { $ref: '#/components/schemas/TokenList' } });
    expect(at(doc, 'components', 'schemas', 'TokenList', 'properties', 'items', 'items')).toEqual({
      $ref: '#/components/schemas/Token',
    });
    const token = at(doc, 'components', 'schemas', 'Token');
    expect(at(token, 'required')).toContain('lastUsedDate');
    expect(at(token, 'required')).not.toContain('permissions');
    expect(at(token, 'properties', 'lastUsedDate', 'anyOf')).toHaveLength(2);
    const created = at(doc, 'paths', '/fmerest/v3/tokens', 'post', 'responses', '201', 'content');
    expect(at(created, 'application/json', 'schema')).toEqual({ $ref: '#/components/schemas/CreatedToken' });
    expect(at(doc, 'components', 'schemas', 'CreatedToken', 'required')).toContain('token');
  });

  it('documents sign-in with the apidoc kind and the legacy token service', () => {
    const login = at(doc, 'paths', '/fmerest/v3/login', 'post');
    expect(
      at(deref(doc, at(login, 'requestBody', 'content', 'application/json', 'schema')), 'properties', 'kind'),
    ).toEqual({
      enum: ['web', 'apidoc'],
      type: 'string',
    });
    expect(at(login, 'security')).toEqual([{ basic: [] }, {}]);
    expect(at(doc, 'components', 'schemas', 'SessionToken', 'properties', 'type')).toEqual({
      const: 'SESSION',
    });

    const text = at(doc, 'paths', '/fmetoken/generate', 'get', 'responses', '200', 'content');
    expect(Object.keys(Object(text))).toEqual(['text/plain']);
    const form = at(doc, 'paths', '/fmetoken/service/generate.json', 'post', 'requestBody', 'content');
    expect(at(form, 'application/x-www-form-urlencoded', 'schema', 'properties', 'timeunit', 'enum')).toEqual(
      ['second', 'minute', 'hour', 'day'],
    );
    expect(at(doc, 'paths', '/fmetoken/', 'get', 'responses', '200', 'content', 'text/html')).toBeDefined();
  });

  it('documents forward authentication: repeated permission, X-Original-URI, and the X-Auth answer headers', () => {
    const verify = at(doc, 'paths', '/auth/verify', 'get');
    const parameters = at(verify, 'parameters');
    expect(parameters).toEqual([
      {
        name: 'permission',
        in: 'query',
        required: false,
        schema: { type: 'array', items: { type: 'string' } },
        description: 'A permission the caller must hold; repeat for several.',
      },
      expect.objectContaining({ name: 'X-Original-URI', in: 'header', required: false }),
    ]);
    expect(Object.keys(Object(at(verify, 'responses', '204', 'headers')))).toEqual([
      'X-Auth-User',
      'X-Auth-Token-Name',
      'X-Auth-Token-Type',
    ]);
    expect(at(verify, 'responses', '403', 'content', 'application/json', 'schema')).toEqual({
      $ref: '#/components/schemas/ErrorBody',
    });
  });

  it('documents the WWW-Authenticate challenge on every 401 and 403, insufficient_scope on the 403s', () => {
    const paths = Object(at(doc, 'paths')) as Record<string, Record<string, unknown>>;
    let forbidden = 0;
    for (const [path, methods] of Object.entries(paths))
      for (const method of Object.keys(methods)) {
        const responses = Object(at(doc, 'paths', path, method, 'responses')) as Record<string, unknown>;
        for (const status of ['401', '403'].filter((s) => s in responses)) {
          const challenge = String(
            at(doc, 'paths', path, method, 'responses', status, 'headers', 'WWW-Authenticate', 'description'),
          );
          expect(challenge).toContain('fmetoken realm="tokenward"');
          if (status === '403') {
            expect(challenge).toContain('error="insufficient_scope"');
            forbidden += 1;
          }
        }
      }
    expect(forbidden).toBeGreaterThan(20);
  });

  it('declares the fmetoken and Basic schemes and uses them where credentials are needed', () => {
    expect(at(doc, 'components', 'securitySchemes', 'fmetoken')).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
    });
    expect(at(doc, 'components', 'securitySchemes', 'basic')).toMatchObject({
      type: 'http',
      scheme: 'basic',
    });
    expect(at(doc, 'components', 'securitySchemes', 'fmetokenQuery')).toMatchObject({
      type: 'apiKey',
      in: 'query',
      name: 'fmetoken',
    });
    expect(at(doc, 'paths', '/fmerest/v3/tokens', 'get', 'security')).toEqual([
      { fmetoken: [] },
      { fmetokenQuery: [] },
      { basic: [] },
    ]);
    expect(at(doc, 'paths', '/fmeinfo/version', 'get', 'security')).toEqual([]);
  });

  it('documents 429 with Retry-After wherever a password may be checked, and nowhere else', () => {
    let limited = 0;
    for (const [path, method, operation] of operationsOf(doc)) {
      const security = JSON.stringify(at(operation, 'security'));
      const password = security.includes('basic') || (path.startsWith('/fmetoken/') && path !== '/fmetoken/');
      const tooMany = at(operation, 'responses', '429');
      // Reports of leaked values need no credential, and are limited per address all the same.
      if (path === '/fmerest/v3/tokens/revoke') {
        expect(at(tooMany, 'headers', 'Retry-After', 'description')).toBeTypeOf('string');
        continue;
      }
      if (!password) {
        expect(tooMany, `${method} ${path}`).toBeUndefined();
        continue;
      }
      limited += 1;
      expect(at(tooMany, 'content', 'application/json', 'schema'), `${method} ${path}`).toEqual({
        $ref: '#/components/schemas/ErrorBody',
      });
      expect(at(tooMany, 'headers', 'Retry-After', 'description')).toBeTypeOf('string');
    }
    expect(limited).toBe(46);
  });
});

describe('the FME compatibility surface in the document', () => {
  it('describes the health checks, the v4 calls and the token lookup', () => {
    for (const [path, method] of [
      ['/fmerest/v3/healthcheck', 'get'],
      ['/fmeapiv4/healthcheck/liveness', 'get'],
      ['/fmeapiv4/healthcheck/readiness', 'get'],
      ['/fmeapiv4/tokens', 'post'],
      ['/fmeapiv4/repositories', 'get'],
      ['/fmeapiv4/workspaces', 'get'],
      ['/fmetoken/service/view.json', 'post'],
    ] as const)
      expect(at(doc, 'paths', path, method, 'operationId'), `${method} ${path}`).toBeTypeOf('string');
    const created = at(doc, 'components', 'schemas', 'CreatedTokenV4');
    expect(at(created, 'required')).toEqual(expect.arrayContaining(['owner', 'customPermissions', 'token']));
    expect(at(doc, 'paths', '/fmeapiv4/tokens', 'post', 'responses', '400')).toBeDefined();
  });

  it('documents repository creation as JSON and as a form', () => {
    const content = at(doc, 'paths', '/fmerest/v3/repositories', 'post', 'requestBody', 'content');
    expect(Object.keys(Object(content)).sort()).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
  });
});

describe('describe()', () => {
  it('marks the query parameters the object schema requires, after the path parameters it describes', () => {
    const options = describeRouteOptions({
      ...ping,
      query: v.object({ verbose: v.optional(v.picklist(['yes'])), since: v.string() }),
      parameters: { id: 'The thing.' },
    });
    expect(options.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'The thing.' },
      { name: 'verbose', in: 'query', required: false, schema: { enum: ['yes'], type: 'string' } },
      { name: 'since', in: 'query', required: true, schema: { type: 'string' } },
    ]);
  });

  it('describes a path parameter the path does not have, which the drift check above then refuses', async () => {
    const routes = new Hono();
    describeRoute(
      { ...ping, parameters: { nmae: 'A typo.' } },
      routes.get('/ping', (c) => c.body(null, 204)),
    );
    const document = await generateOpenApiDocument(routes, '1');
    expect(at(document, 'paths', '/ping', 'get', 'parameters', '0', 'in')).toBe('path');
  });

  it('refuses a schema it cannot express instead of dropping the rule', async () => {
    expect(() => describeRouteOptions({ ...ping, query: v.object({ at: v.date() }) })).toThrow(/date/);
    const routes = new Hono();
    const body = {
      mediaType: 'application/json',
      schema: v.object({ at: v.date() }),
      required: true,
    } as const;
    describeRoute(
      { ...ping, body },
      routes.post('/ping', (c) => c.body(null, 204)),
    );
    await expect(generateOpenApiDocument(routes, '1')).rejects.toThrow(/date/);
  });

  it('publishes each schema named with v.metadata({ ref }) once, and every one is used', () => {
    const names = Object.keys(Object(at(doc, 'components', 'schemas')));
    expect(names).toHaveLength(38);
    const refs = new Set(collectRefs(at(doc, 'paths')).concat(collectRefs(at(doc, 'components'))));
    for (const name of names) expect(refs, name).toContain(`#/components/schemas/${name}`);
  });
});
