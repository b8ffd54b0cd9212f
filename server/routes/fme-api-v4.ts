// /fmeapiv4: the v4 calls FME clients are known to make, on the same services and permission checks as v3.
import type { Context } from 'hono';
import { Hono } from 'hono';
import type * as v from 'valibot';
import {
  type CreatedTokenV4,
  CreatedTokenV4Schema,
  CreateTokenV4BodySchema,
  type RepositoryV4List,
  RepositoryV4ListQuerySchema,
  RepositoryV4ListSchema,
  RepositoryV4Schema,
  type WorkspaceV4List,
  WorkspaceV4ListQuerySchema,
  WorkspaceV4ListSchema,
  WorkspaceV4Schema,
} from '../../shared/schemas/fme-v4';
import type { Token } from '../../shared/schemas/token';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import { type Authorizer, fullCredentialFirst, Permission } from '../auth/authorize';
import { ApiError, apiError, validationFailed } from '../errors';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import { PAGE_PARAMETERS, page } from '../page';
import { readCreateRepositoryBody } from '../repositories/create-repository-body';
import type { RepositoryService } from '../repositories/repository-service';
import { type OwnerNames, toRepositoryV4, toWorkspaceV4 } from '../repositories/repository-views';
import type { RepositoryRecord } from '../store/store';
import type { Clock } from '../time';
import type { TokenService } from '../tokens/token-service';
import { parseOr422, readJsonBody } from '../validation';
import { REPOSITORY_BODY, REPOSITORY_PARAMETERS } from './repositories';

export interface FmeApiV4RoutesDeps {
  clock: Clock;
  authenticate: Authenticate;
  tokens: TokenService;
  repositories: RepositoryService;
  authorizer: Authorizer;
}

/**
 * FME's v4 answers a parameter it does not accept with 400 "Parameter Validation Failed", not 422, and an object
 * that is missing or hidden from the caller with 403 (v3's 404, with the same words).
 */
async function asV4<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError && error.status === 422)
      throw apiError(400, error.code, 'Parameter Validation Failed', error.details);
    if (error instanceof ApiError && error.status === 404) throw apiError(403, 'FORBIDDEN', error.message);
    throw error;
  }
}

/** The token service names v3's fields; a v4 client sent the expiry as `secondsToExpiry`. */
async function withV4FieldNames<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const fields = error instanceof ApiError ? (error.details?.fields as Record<string, string>) : undefined;
    if (fields?.expirationTimeout === undefined) throw error;
    const { expirationTimeout, ...others } = fields;
    throw validationFailed({ ...others, secondsToExpiry: expirationTimeout });
  }
}

function queryOf<S extends v.GenericSchema<unknown, unknown>>(c: Context, schema: S) {
  return asV4(() => parseOr422(schema, c.req.query()));
}

/** v3's second-precision `...Z` dates as v4 writes them, with milliseconds. */
const withMillis = (date: string): string => new Date(Date.parse(date)).toISOString();

function toCreatedTokenV4(token: Token, value: string, nowMs: number): CreatedTokenV4 {
  return {
    name: token.name,
    description: token.description,
    owner: token.user,
    type: 'USER',
    customPermissions: token.restricted,
    ...(token.permissions === undefined ? {} : { permissions: token.permissions }),
    enabled: token.enabled,
    created: withMillis(token.createdDate),
    updated: withMillis(token.lastSaveDate),
    secondsToExpiry: Math.max(0, Math.floor((Date.parse(token.expirationDate) - nowMs) / 1000)),
    expiration: withMillis(token.expirationDate),
    token: value,
  };
}

/** `filterString` matches a name or description, ignoring case. */
function matches(filter: string | undefined, ...texts: string[]): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return texts.some((text) => text.toLowerCase().includes(needle));
}

export function createFmeApiV4Routes(deps: FmeApiV4RoutesDeps) {
  const { clock, authenticate, tokens, repositories, authorizer } = deps;
  const routes = new Hono<AuthEnv>();
  routes.use(authenticate);
  const access = authorizer.requirePermission(Permission.accessRepositories);

  describe(
    {
      operationId: 'createTokenV4',
      summary: 'Create an API token (FME API v4)',
      description:
        "As Safe's CLI signs in to a v4 server: the same rules as `POST /fmerest/v3/tokens`, with v4 names " +
        '(`customPermissions` for restricted, `secondsToExpiry`, `owner`, `created`, `updated`, `expiration`). ' +
        'Invalid parameters are 400 "Parameter Validation Failed" with `details`, as in FME v4.',
      tag: TAGS.v4,
      security: 'fmetoken-or-basic',
      body: { mediaType: 'application/json', schema: CreateTokenV4BodySchema, required: true },
      responses: {
        201: json('The new token, with its value in `token`.', CreatedTokenV4Schema),
        ...errorResponses(400, 401, 403, 409, 415),
      },
    },
    routes.post('/tokens', fullCredentialFirst, async (c) => {
      const body = await asV4(() => readJsonBody(c, CreateTokenV4BodySchema));
      const created = await asV4(() =>
        withV4FieldNames(() =>
          tokens.create(c.var.auth, {
            name: body.name,
            ...(body.description === undefined ? {} : { description: body.description }),
            ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
            ...(body.customPermissions === undefined ? {} : { restricted: body.customPermissions }),
            ...(body.permissions === undefined ? {} : { permissions: body.permissions }),
            ...(body.secondsToExpiry === undefined ? {} : { expirationTimeout: body.secondsToExpiry }),
          }),
        ),
      );
      c.header('Cache-Control', 'no-store');
      return c.json(toCreatedTokenV4(created.token, created.value, clock.now()), 201);
    }),
  );

  async function repositoryV4(record: RepositoryRecord, owners: OwnerNames) {
    return toRepositoryV4(record, owners, await repositories.listItems(record));
  }

  describe(
    {
      operationId: 'listRepositoriesV4',
      summary: 'List repositories (FME API v4)',
      description: 'The repositories the caller may read, with item counts. Needs `repositories:access`.',
      tag: TAGS.v4,
      security: 'fmetoken-or-basic',
      query: RepositoryV4ListQuerySchema,
      parameters: {
        ...PAGE_PARAMETERS,
        filterString: 'Only names or descriptions containing this (any case).',
      },
      responses: {
        200: json('Readable repositories.', RepositoryV4ListSchema),
        ...errorResponses(400, 401, 403),
      },
    },
    routes.get('/repositories', access, async (c) => {
      const { filterString, ...pageQuery } = await queryOf(c, RepositoryV4ListQuerySchema);
      const owners = await repositories.ownerNames();
      const readable = (await repositories.listReadable(c.var.auth)).filter((r) =>
        matches(filterString, r.name, r.description),
      );
      const all = await Promise.all(readable.map((record) => repositoryV4(record, owners)));
      return c.json(page(all, pageQuery) satisfies RepositoryV4List);
    }),
  );

  describe(
    {
      operationId: 'createRepositoryV4',
      summary: 'Create a repository (FME API v4)',
      description: 'Needs `repositories:create`; the creator may manage it.',
      tag: TAGS.v4,
      security: 'fmetoken-or-basic',
      body: REPOSITORY_BODY,
      responses: {
        201: json('The repository.', RepositoryV4Schema),
        ...errorResponses(400, 401, 403, 409, 415),
      },
    },
    routes.post('/repositories', authorizer.requirePermission(Permission.createRepositories), async (c) => {
      const body = await asV4(() => readCreateRepositoryBody(c));
      const record = await repositories.create(c.var.auth, body);
      return c.json(await repositoryV4(record, await repositories.ownerNames()), 201);
    }),
  );

  describe(
    {
      operationId: 'getRepositoryV4',
      summary: 'Get a repository (FME API v4)',
      description:
        'Needs `repository/{repo}:read`; a repository the caller cannot read is 403, as a missing one (FME v4).',
      tag: TAGS.v4,
      security: 'fmetoken-or-basic',
      parameters: REPOSITORY_PARAMETERS,
      responses: { 200: json('The repository.', RepositoryV4Schema), ...errorResponses(401, 403, 404) },
    },
    routes.get('/repositories/:repo', access, async (c) => {
      const record = await asV4(() => repositories.find(c.var.auth, c.req.param('repo')));
      return c.json(await repositoryV4(record, await repositories.ownerNames()));
    }),
  );

  describe(
    {
      operationId: 'deleteRepositoryV4',
      summary: 'Delete a repository (FME API v4)',
      description: 'Needs `repository/{repo}:manage`.',
      tag: TAGS.v4,
      security: 'fmetoken-or-basic',
      parameters: REPOSITORY_PARAMETERS,
      responses: { 204: { description: 'Deleted, with its items.' }, ...errorResponses(401, 403, 404) },
    },
    routes.delete('/repositories/:repo', access, async (c) => {
      await asV4(() => repositories.remove(c.var.auth, c.req.param('repo')));
      return c.body(null, 204);
    }),
  );

  describe(
    {
      operationId: 'listWorkspacesV4',
      summary: 'List workspaces (FME API v4)',
      description: 'The workspaces of `repository`, or of every repository the caller may read.',
      tag: TAGS.v4,
      security: 'fmetoken-or-basic',
      query: WorkspaceV4ListQuerySchema,
      parameters: {
        ...PAGE_PARAMETERS,
        repository: 'Only this repository.',
        filterString: 'Only names, titles or descriptions containing this (any case).',
      },
      responses: { 200: json('Workspaces.', WorkspaceV4ListSchema), ...errorResponses(400, 401, 403, 404) },
    },
    routes.get('/workspaces', access, async (c) => {
      const { repository, filterString, ...pageQuery } = await queryOf(c, WorkspaceV4ListQuerySchema);
      const scope =
        repository === undefined
          ? await repositories.listReadable(c.var.auth)
          : [await asV4(() => repositories.find(c.var.auth, repository))];
      const owners = await repositories.ownerNames();
      const lists = await Promise.all(
        scope.map(async (record) =>
          (await repositories.listItems(record, 'WORKSPACE')).map((item) =>
            toWorkspaceV4(record, item, owners),
          ),
        ),
      );
      const all = lists.flat().filter((w) => matches(filterString, w.name, w.title, w.description));
      return c.json(page(all, pageQuery) satisfies WorkspaceV4List);
    }),
  );

  describe(
    {
      operationId: 'getWorkspaceV4',
      summary: 'Get a workspace (FME API v4)',
      tag: TAGS.v4,
      security: 'fmetoken-or-basic',
      parameters: { ...REPOSITORY_PARAMETERS, name: 'The workspace (item) name, URL-encoded.' },
      responses: { 200: json('The workspace.', WorkspaceV4Schema), ...errorResponses(401, 403, 404) },
    },
    routes.get('/workspaces/:repo/:name', access, async (c) => {
      const repository = await asV4(() => repositories.find(c.var.auth, c.req.param('repo')));
      const item = await asV4(() => repositories.findItem(c.var.auth, repository, c.req.param('name')));
      return c.json(toWorkspaceV4(repository, item, await repositories.ownerNames()));
    }),
  );

  return routes;
}
