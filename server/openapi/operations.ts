// Every route the server documents, with the same valibot schemas the routes validate and answer with.
import * as v from 'valibot';
import {
  AccountListSchema,
  AccountSchema,
  CreateAccountBodySchema,
  UpdateAccountBodySchema,
} from '../../shared/schemas/account';
import { AuditEventSchema, AuditListSchema, AuditQuerySchema } from '../../shared/schemas/audit';
import { ErrorBodySchema } from '../../shared/schemas/error';
import {
  CreatedTokenV4Schema,
  CreateTokenV4BodySchema,
  RepositoryV4ListQuerySchema,
  RepositoryV4ListSchema,
  RepositoryV4Schema,
  WorkspaceV4ListQuerySchema,
  WorkspaceV4ListSchema,
  WorkspaceV4Schema,
} from '../../shared/schemas/fme-v4';
import { HealthQuerySchema, HealthSchema, InfoSchema, VersionSchema } from '../../shared/schemas/info';
import { PermissionCatalogueSchema } from '../../shared/schemas/permissions';
import {
  CreateRepositoryBodySchema,
  ItemListQuerySchema,
  ItemListSchema,
  ItemQuerySchema,
  ItemSchema,
  RepositoryListQuerySchema,
  RepositoryListSchema,
  RepositorySchema,
} from '../../shared/schemas/repository';
import {
  LoginBodySchema,
  LoginQuerySchema,
  MeSchema,
  SessionTokenSchema,
  TokenServiceParamsSchema,
  TokenServiceResponseSchema,
  TokenServiceViewSchema,
} from '../../shared/schemas/session';
import {
  CreatedTokenSchema,
  CreateTokenBodySchema,
  DuplicateTokenBodySchema,
  ListTokensQuerySchema,
  TokenListSchema,
  TokenSchema,
  UpdateTokenBodySchema,
} from '../../shared/schemas/token';
import {
  type ApiOperation,
  type ApiResponse,
  errorResponses,
  type UndocumentedRoute,
  type ValibotSchema,
} from './api-operation';

/** Schemas published under components/schemas and referenced by name wherever they appear. */
export const COMPONENT_SCHEMAS: Readonly<Record<string, ValibotSchema>> = {
  Token: TokenSchema,
  CreatedToken: CreatedTokenSchema,
  TokenList: TokenListSchema,
  CreateTokenBody: CreateTokenBodySchema,
  UpdateTokenBody: UpdateTokenBodySchema,
  DuplicateTokenBody: DuplicateTokenBodySchema,
  LoginBody: LoginBodySchema,
  SessionToken: SessionTokenSchema,
  Me: MeSchema,
  TokenServiceResponse: TokenServiceResponseSchema,
  Version: VersionSchema,
  Info: InfoSchema,
  Health: HealthSchema,
  ErrorBody: ErrorBodySchema,
  PermissionCatalogue: PermissionCatalogueSchema,
  Account: AccountSchema,
  AccountList: AccountListSchema,
  CreateAccountBody: CreateAccountBodySchema,
  UpdateAccountBody: UpdateAccountBodySchema,
  Repository: RepositorySchema,
  RepositoryList: RepositoryListSchema,
  CreateRepositoryBody: CreateRepositoryBodySchema,
  Item: ItemSchema,
  ItemList: ItemListSchema,
  AuditEvent: AuditEventSchema,
  AuditList: AuditListSchema,
  TokenServiceView: TokenServiceViewSchema,
  CreateTokenV4Body: CreateTokenV4BodySchema,
  CreatedTokenV4: CreatedTokenV4Schema,
  RepositoryV4: RepositoryV4Schema,
  RepositoryV4List: RepositoryV4ListSchema,
  WorkspaceV4: WorkspaceV4Schema,
  WorkspaceV4List: WorkspaceV4ListSchema,
};

const TAGS = {
  tokens: 'Tokens',
  sessions: 'Sessions',
  server: 'Server',
  tokenService: 'Token service (legacy)',
  docs: 'Documentation',
  security: 'Users and permissions',
  repositories: 'Repositories (sample API)',
  v4: 'FME API v4 (the calls FME clients make)',
} as const;

// Schemas for answers that are not JSON: they have no valibot schema in shared/ because nothing parses them.
const TextSchema = v.string();
const OpenApiDocumentSchema = v.record(v.string(), v.unknown());
// GET /auth/verify reads its repeated `permission` parameter directly (it checks each against the catalogue).
const BytesSchema = v.string();
const ACCOUNT_PARAMETERS = { name: 'The user name, URL-encoded.' } as const;
const REPOSITORY_PARAMETERS = { repo: 'The repository name, URL-encoded.' } as const;
const ITEM_PARAMETERS = { ...REPOSITORY_PARAMETERS, item: 'The item name, URL-encoded.' } as const;

const PAGE_PARAMETERS = {
  limit: 'How many to return; -1 (or none) for all.',
  offset: 'How many to skip; -1 (or none) for none.',
} as const;

const REPOSITORY_BODY = {
  mediaType: 'application/json',
  schema: CreateRepositoryBodySchema,
  required: true,
  also: [{ mediaType: 'application/x-www-form-urlencoded', schema: CreateRepositoryBodySchema }],
} as const;

function healthOperation(operationId: string, path: string, summary: string): ApiOperation {
  return {
    operationId,
    method: 'GET',
    path,
    summary,
    description: 'No credentials needed; any sent are ignored.',
    tag: TAGS.server,
    security: 'none',
    responses: {
      200: json('The server and its store answer.', HealthSchema),
      503: json('The store does not answer.', HealthSchema),
    },
  };
}

const ForwardAuthQuerySchema = v.object({ permission: v.optional(v.array(v.string())) });

const TOKEN_PATH_PARAMETERS = {
  user: 'The user who owns the token.',
  name: 'The token name.',
};

function json(description: string, schema: ValibotSchema): ApiResponse {
  return { description, content: { mediaType: 'application/json', schema } };
}

const TOKEN_SERVICE_PARAMETERS = {
  user: 'The user name.',
  password: "The user's password.",
  expiration: 'How long the token lives, in `timeunit`s (default: 5 minutes; at most 2 years).',
  timeunit: 'The unit of `expiration` (default: minute).',
};

function tokenServiceOperations(path: string, answer: 'text' | 'json'): ApiOperation[] {
  const ok: ApiResponse =
    answer === 'json'
      ? json('A new `tokenservice` session token.', TokenServiceResponseSchema)
      : {
          description: 'The value of a new `tokenservice` session token.',
          content: { mediaType: 'text/plain', schema: TextSchema },
        };
  const id = `${path.includes('/service/') ? 'service' : 'generate'}${answer === 'json' ? 'Json' : 'Text'}`;
  const responses = { 200: ok, ...errorResponses(401, 422) };
  const description =
    'For old FME clients: trades a user name and password for a short-lived session token. ' +
    'New applications should create API tokens.';
  return [
    {
      operationId: `getTokenService_${id}`,
      method: 'GET',
      path,
      summary: `Generate a session token (${answer === 'json' ? 'JSON' : 'plain text'}), query parameters`,
      description,
      tag: TAGS.tokenService,
      security: 'none',
      query: TokenServiceParamsSchema,
      parameters: TOKEN_SERVICE_PARAMETERS,
      responses,
    },
    {
      operationId: `postTokenService_${id}`,
      method: 'POST',
      path,
      summary: `Generate a session token (${answer === 'json' ? 'JSON' : 'plain text'}), form fields`,
      description: `${description} Query parameters are accepted too; a form field wins over the same parameter.`,
      tag: TAGS.tokenService,
      security: 'none',
      body: {
        mediaType: 'application/x-www-form-urlencoded',
        schema: TokenServiceParamsSchema,
        required: true,
      },
      responses,
    },
  ];
}

/** FMEServer.js's token lookup: a form (or query) with the user and password, the token in the header. */
function tokenViewOperations(): ApiOperation[] {
  const base = {
    path: '/fmetoken/service/view.json',
    summary: 'Look up a token (legacy token service)',
    description:
      'Whether the token the request carries (`Authorization: fmetoken token=<value>`) belongs to `user` ' +
      'and is enabled and unexpired. A check, not a use; the value is never sent back.',
    tag: TAGS.tokenService,
    security: 'none',
    responses: { 200: json('The token.', TokenServiceViewSchema), ...errorResponses(401, 404, 422) },
  } as const;
  return [
    {
      ...base,
      operationId: 'getTokenServiceView',
      method: 'GET',
      query: TokenServiceParamsSchema,
      parameters: TOKEN_SERVICE_PARAMETERS,
    },
    {
      ...base,
      operationId: 'postTokenServiceView',
      method: 'POST',
      body: {
        mediaType: 'application/x-www-form-urlencoded',
        schema: TokenServiceParamsSchema,
        required: true,
      },
    },
  ];
}

export const API_OPERATIONS: readonly ApiOperation[] = [
  {
    operationId: 'listTokens',
    method: 'GET',
    path: '/fmerest/v3/tokens',
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
      after:
        'The `next` cursor of the previous page: the page after it, found by a seek, not by skipping ' +
        '(offset must be 0 or absent). The `Link` header (`rel="next"`) carries the next page’s URL.',
    },
    responses: { 200: json('A page of tokens.', TokenListSchema), ...errorResponses(401, 403, 422) },
  },
  {
    operationId: 'createToken',
    method: 'POST',
    path: '/fmerest/v3/tokens',
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
  {
    operationId: 'getToken',
    method: 'GET',
    path: '/fmerest/v3/tokens/{user}/{name}',
    summary: 'Get a token',
    tag: TAGS.tokens,
    security: 'fmetoken-or-basic',
    parameters: TOKEN_PATH_PARAMETERS,
    responses: { 200: json('The token (never its value).', TokenSchema), ...errorResponses(401, 403, 404) },
  },
  {
    operationId: 'updateToken',
    method: 'PUT',
    path: '/fmerest/v3/tokens/{user}/{name}',
    summary: 'Update a token',
    description:
      'A partial update. On a session token only `enabled` can change, and not once it has expired.',
    tag: TAGS.tokens,
    security: 'fmetoken-or-basic',
    parameters: TOKEN_PATH_PARAMETERS,
    body: { mediaType: 'application/json', schema: UpdateTokenBodySchema, required: true },
    responses: { 204: { description: 'Updated.' }, ...errorResponses(400, 401, 403, 404, 409, 415, 422) },
  },
  {
    operationId: 'deleteToken',
    method: 'DELETE',
    path: '/fmerest/v3/tokens/{user}/{name}',
    summary: 'Delete a token',
    tag: TAGS.tokens,
    security: 'fmetoken-or-basic',
    parameters: TOKEN_PATH_PARAMETERS,
    responses: { 204: { description: 'Deleted.' }, ...errorResponses(401, 403, 404) },
  },
  {
    operationId: 'duplicateToken',
    method: 'POST',
    path: '/fmerest/v3/tokens/{user}/{name}/duplicate',
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
  {
    operationId: 'login',
    method: 'POST',
    path: '/fmerest/v3/login',
    summary: 'Sign in',
    description:
      'With Basic authentication (and `kind` in the query) or with `{user, password, kind}` in the body. ' +
      '`web` sessions last 30 minutes and renew while used; `apidoc` tokens last 1 hour.',
    tag: TAGS.sessions,
    security: 'password',
    query: LoginQuerySchema,
    parameters: { kind: 'The kind of session, when signing in with Basic authentication (default: web).' },
    body: { mediaType: 'application/json', schema: LoginBodySchema, required: false },
    responses: {
      201: json('The new session token.', SessionTokenSchema),
      ...errorResponses(400, 401, 415, 422),
    },
  },
  {
    operationId: 'logout',
    method: 'POST',
    path: '/fmerest/v3/logout',
    summary: 'Sign out',
    description: 'Removes the session token the request is authenticated with.',
    tag: TAGS.sessions,
    security: 'fmetoken-or-basic',
    responses: {
      204: { description: 'Signed out; the token no longer works.' },
      ...errorResponses(400, 401),
    },
  },
  {
    operationId: 'getMe',
    method: 'GET',
    path: '/fmerest/v3/security/me',
    summary: 'Who am I',
    description: 'The caller, their roles and effective permissions, and the token of this request.',
    tag: TAGS.sessions,
    security: 'fmetoken-or-basic',
    responses: { 200: json('The caller.', MeSchema), ...errorResponses(401) },
  },
  {
    operationId: 'verifyForwardAuth',
    method: 'GET',
    path: '/auth/verify',
    summary: 'Forward authentication',
    description:
      'For nginx `auth_request` or Traefik `ForwardAuth`: checks the credentials of the request it receives ' +
      '(the Authorization header, or an `fmetoken` in the URL given by `X-Original-URI`) and that the caller ' +
      'holds every `permission` asked for.',
    tag: TAGS.sessions,
    security: 'fmetoken-or-basic',
    query: ForwardAuthQuerySchema,
    headers: { 'X-Original-URI': 'The URL the client asked the proxy for; its `fmetoken` parameter counts.' },
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
  {
    operationId: 'getVersion',
    method: 'GET',
    path: '/fmeinfo/version',
    summary: 'Server version',
    description:
      'FME clients choose REST v3 or v4 by `buildNumber` (below 22337 by default: v3 for every command of ' +
      "Safe's CLI; FME_BUILD_NUMBER changes it). Any credential sent is ignored.",
    tag: TAGS.server,
    security: 'none',
    responses: { 200: json('The server build and version.', VersionSchema) },
  },
  healthOperation('getHealth', '/healthz', 'Health check'),
  {
    ...healthOperation('getHealthcheckV3', '/fmerest/v3/healthcheck', 'Health check (FME REST v3)'),
    query: HealthQuerySchema,
    parameters: { ready: 'FME asks whether the server is ready to run jobs; tokenward answers the same.' },
  },
  healthOperation('getLivenessV4', '/fmeapiv4/healthcheck/liveness', 'Liveness (FME API v4)'),
  healthOperation('getReadinessV4', '/fmeapiv4/healthcheck/readiness', 'Readiness (FME API v4)'),
  {
    operationId: 'getInfo',
    method: 'GET',
    path: '/fmerest/v3/info',
    summary: 'Server information',
    tag: TAGS.server,
    security: 'fmetoken-or-basic',
    responses: {
      200: json('Version, current time (FME format, UTC) and time zone (+0000).', InfoSchema),
      ...errorResponses(401),
    },
  },
  ...tokenServiceOperations('/fmetoken/generate', 'text'),
  ...tokenServiceOperations('/fmetoken/service/generate', 'text'),
  ...tokenServiceOperations('/fmetoken/generate.json', 'json'),
  ...tokenServiceOperations('/fmetoken/service/generate.json', 'json'),
  {
    operationId: 'getTokenServicePage',
    method: 'GET',
    path: '/fmetoken/',
    summary: 'Token service form',
    description: 'An HTML form that posts to the token service.',
    tag: TAGS.tokenService,
    security: 'none',
    responses: { 200: { description: 'The form.', content: { mediaType: 'text/html', schema: TextSchema } } },
  },
  {
    operationId: 'getPermissionCatalogue',
    method: 'GET',
    path: '/fmerest/v3/security/permissions',
    summary: 'The permission catalogue',
    description: 'Categories, levels, labels and dependencies, and what each built-in role grants.',
    tag: TAGS.security,
    security: 'fmetoken-or-basic',
    responses: { 200: json('The catalogue.', PermissionCatalogueSchema), ...errorResponses(401) },
  },
  {
    operationId: 'listAuditEvents',
    method: 'GET',
    path: '/fmerest/v3/security/audit',
    summary: 'The audit trail of token events',
    description:
      'Created, enabled, disabled, updated, duplicated, removed, expired and failed uses. Your own tokens by ' +
      'default; `user` names another user (or `*` for all), which needs `usermanagement:manage`. Newest first.',
    tag: TAGS.security,
    security: 'fmetoken-or-basic',
    query: AuditQuerySchema,
    responses: { 200: json('Events.', AuditListSchema), ...errorResponses(401, 403, 422) },
  },
  {
    operationId: 'listAccounts',
    method: 'GET',
    path: '/fmerest/v3/security/accounts',
    summary: 'List users',
    description: 'Needs `usermanagement:access`.',
    tag: TAGS.security,
    security: 'fmetoken-or-basic',
    responses: { 200: json('Every user.', AccountListSchema), ...errorResponses(401, 403) },
  },
  {
    operationId: 'createAccount',
    method: 'POST',
    path: '/fmerest/v3/security/accounts',
    summary: 'Create a user',
    description: 'Needs `usermanagement:manage`. Roles default to `fmeuser`.',
    tag: TAGS.security,
    security: 'fmetoken-or-basic',
    body: { mediaType: 'application/json', schema: CreateAccountBodySchema, required: true },
    responses: { 201: json('The new user.', AccountSchema), ...errorResponses(400, 401, 403, 409, 415, 422) },
  },
  {
    operationId: 'getAccount',
    method: 'GET',
    path: '/fmerest/v3/security/accounts/{name}',
    summary: 'Get a user',
    description: 'Your own account, or any with `usermanagement:access`.',
    tag: TAGS.security,
    security: 'fmetoken-or-basic',
    parameters: ACCOUNT_PARAMETERS,
    responses: { 200: json('The user.', AccountSchema), ...errorResponses(401, 403, 404) },
  },
  {
    operationId: 'updateAccount',
    method: 'PUT',
    path: '/fmerest/v3/security/accounts/{name}',
    summary: 'Update a user',
    description:
      "Roles, enabled and other users' passwords need `usermanagement:manage`. Your own password needs " +
      '`currentPassword`, and ends your other sessions.',
    tag: TAGS.security,
    security: 'fmetoken-or-basic',
    parameters: ACCOUNT_PARAMETERS,
    body: { mediaType: 'application/json', schema: UpdateAccountBodySchema, required: true },
    responses: { 204: { description: 'Updated.' }, ...errorResponses(400, 401, 403, 404, 409, 415, 422) },
  },
  {
    operationId: 'deleteAccount',
    method: 'DELETE',
    path: '/fmerest/v3/security/accounts/{name}',
    summary: 'Delete a user',
    description: 'Needs `usermanagement:manage`. Every token of the user stops working at once.',
    tag: TAGS.security,
    security: 'fmetoken-or-basic',
    parameters: ACCOUNT_PARAMETERS,
    responses: { 204: { description: 'Deleted.' }, ...errorResponses(401, 403, 404, 409) },
  },
  {
    operationId: 'listRepositories',
    method: 'GET',
    path: '/fmerest/v3/repositories',
    summary: 'List repositories',
    description:
      'Needs `repositories:access`; lists the repositories the caller may read. Without `limit` and ' +
      '`offset` every one is listed and both are echoed as -1.',
    tag: TAGS.repositories,
    security: 'fmetoken-or-basic',
    query: RepositoryListQuerySchema,
    parameters: PAGE_PARAMETERS,
    responses: {
      200: json('Readable repositories.', RepositoryListSchema),
      ...errorResponses(401, 403, 422),
    },
  },
  {
    operationId: 'createRepository',
    method: 'POST',
    path: '/fmerest/v3/repositories',
    summary: 'Create a repository',
    description:
      'Needs `repositories:create`; the creator may manage it. JSON, or a form as FME clients send it.',
    tag: TAGS.repositories,
    security: 'fmetoken-or-basic',
    body: REPOSITORY_BODY,
    responses: {
      201: json('The repository.', RepositorySchema),
      ...errorResponses(400, 401, 403, 409, 415, 422),
    },
  },
  {
    operationId: 'getRepository',
    method: 'GET',
    path: '/fmerest/v3/repositories/{repo}',
    summary: 'Get a repository',
    description: 'Needs `repository/{repo}:read`.',
    tag: TAGS.repositories,
    security: 'fmetoken-or-basic',
    parameters: REPOSITORY_PARAMETERS,
    responses: { 200: json('The repository.', RepositorySchema), ...errorResponses(401, 403, 404) },
  },
  {
    operationId: 'deleteRepository',
    method: 'DELETE',
    path: '/fmerest/v3/repositories/{repo}',
    summary: 'Delete a repository',
    description: 'Needs `repository/{repo}:manage`.',
    tag: TAGS.repositories,
    security: 'fmetoken-or-basic',
    parameters: REPOSITORY_PARAMETERS,
    responses: { 204: { description: 'Deleted, with its items.' }, ...errorResponses(401, 403, 404) },
  },
  {
    operationId: 'listItems',
    method: 'GET',
    path: '/fmerest/v3/repositories/{repo}/items',
    summary: 'List the items of a repository',
    description:
      'Needs `repository/{repo}:read`. `type` filters, for example `WORKSPACE`. Without `limit` and ' +
      '`offset` every item is listed and both are echoed as -1.',
    tag: TAGS.repositories,
    security: 'fmetoken-or-basic',
    parameters: { ...REPOSITORY_PARAMETERS, ...PAGE_PARAMETERS },
    query: ItemListQuerySchema,
    responses: { 200: json('The items.', ItemListSchema), ...errorResponses(401, 403, 404, 422) },
  },
  {
    operationId: 'uploadItem',
    method: 'POST',
    path: '/fmerest/v3/repositories/{repo}/items',
    summary: 'Upload an item',
    description:
      'Needs `repository/{repo}:write`. The bytes as the body with `Content-Disposition: attachment; ' +
      'filename="<name>"`, or a multipart form with a `file` field. Size-limited.',
    tag: TAGS.repositories,
    security: 'fmetoken-or-basic',
    parameters: REPOSITORY_PARAMETERS,
    headers: { 'Content-Disposition': 'attachment; filename="<item name>"' },
    body: { mediaType: 'application/octet-stream', schema: BytesSchema, required: true },
    responses: { 201: json('The stored item.', ItemSchema), ...errorResponses(401, 403, 404, 409, 413, 422) },
  },
  {
    operationId: 'getItem',
    method: 'GET',
    path: '/fmerest/v3/repositories/{repo}/items/{item}',
    summary: 'Get an item, or its contents',
    description:
      'Metadata with `repository/{repo}:read`; the bytes (`Accept: application/octet-stream` or ' +
      '`?accept=contents`) also need `repository/{repo}:download`.',
    tag: TAGS.repositories,
    security: 'fmetoken-or-basic',
    parameters: ITEM_PARAMETERS,
    query: ItemQuerySchema,
    responses: {
      200: json('The item (or its bytes, as application/octet-stream).', ItemSchema),
      ...errorResponses(401, 403, 404, 422),
    },
  },
  {
    operationId: 'deleteItem',
    method: 'DELETE',
    path: '/fmerest/v3/repositories/{repo}/items/{item}',
    summary: 'Delete an item',
    description: 'Needs `repository/{repo}:write`.',
    tag: TAGS.repositories,
    security: 'fmetoken-or-basic',
    parameters: ITEM_PARAMETERS,
    responses: { 204: { description: 'Deleted.' }, ...errorResponses(401, 403, 404) },
  },
  {
    operationId: 'getOpenApiDocument',
    method: 'GET',
    path: '/fmerest/v3/openapi.json',
    summary: 'This OpenAPI document',
    tag: TAGS.docs,
    security: 'none',
    responses: { 200: json('The OpenAPI 3.1 document.', OpenApiDocumentSchema) },
  },
  {
    operationId: 'getApiDocumentation',
    method: 'GET',
    path: '/fmerest/apidoc/v3/',
    summary: 'Interactive API documentation',
    description: 'This page; its *Get Token* button signs in for a 1-hour `apidoc` token.',
    tag: TAGS.docs,
    security: 'none',
    responses: { 200: { description: 'The page.', content: { mediaType: 'text/html', schema: TextSchema } } },
  },
  ...tokenViewOperations(),
  {
    operationId: 'createTokenV4',
    method: 'POST',
    path: '/fmeapiv4/tokens',
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
  {
    operationId: 'listRepositoriesV4',
    method: 'GET',
    path: '/fmeapiv4/repositories',
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
  {
    operationId: 'createRepositoryV4',
    method: 'POST',
    path: '/fmeapiv4/repositories',
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
  {
    operationId: 'getRepositoryV4',
    method: 'GET',
    path: '/fmeapiv4/repositories/{repo}',
    summary: 'Get a repository (FME API v4)',
    description:
      'Needs `repository/{repo}:read`; a repository the caller cannot read is 404, as a missing one.',
    tag: TAGS.v4,
    security: 'fmetoken-or-basic',
    parameters: REPOSITORY_PARAMETERS,
    responses: { 200: json('The repository.', RepositoryV4Schema), ...errorResponses(401, 403, 404) },
  },
  {
    operationId: 'deleteRepositoryV4',
    method: 'DELETE',
    path: '/fmeapiv4/repositories/{repo}',
    summary: 'Delete a repository (FME API v4)',
    description: 'Needs `repository/{repo}:manage`.',
    tag: TAGS.v4,
    security: 'fmetoken-or-basic',
    parameters: REPOSITORY_PARAMETERS,
    responses: { 204: { description: 'Deleted, with its items.' }, ...errorResponses(401, 403, 404) },
  },
  {
    operationId: 'listWorkspacesV4',
    method: 'GET',
    path: '/fmeapiv4/workspaces',
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
  {
    operationId: 'getWorkspaceV4',
    method: 'GET',
    path: '/fmeapiv4/workspaces/{repo}/{name}',
    summary: 'Get a workspace (FME API v4)',
    tag: TAGS.v4,
    security: 'fmetoken-or-basic',
    parameters: { ...REPOSITORY_PARAMETERS, name: 'The workspace (item) name, URL-encoded.' },
    responses: { 200: json('The workspace.', WorkspaceV4Schema), ...errorResponses(401, 403, 404) },
  },
];

export const UNDOCUMENTED_ROUTES: readonly UndocumentedRoute[] = [
  { method: 'GET', path: '/fmetoken', reason: 'redirects to /fmetoken/' },
  { method: 'GET', path: '/fmerest/apidoc/v3', reason: 'redirects to /fmerest/apidoc/v3/' },
  { method: 'GET', path: '/fmerest/apidoc/v3/assets/{file}', reason: 'scripts and styles of the docs page' },
];
