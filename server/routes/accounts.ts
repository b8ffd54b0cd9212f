// User administration: /fmerest/v3/security/accounts. The rules are the account service's.
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import {
  AccountListSchema,
  AccountSchema,
  CreateAccountBodySchema,
  UpdateAccountBodySchema,
} from '../../shared/schemas/account';
import { PageQuerySchema } from '../../shared/schemas/common';
import type { AccountService } from '../accounts/account-service';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import type { ClientAddress } from '../http/client-address';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import { PAGE_PARAMETERS } from '../page';
import { jsonBody, query } from '../validation';

export interface AccountRoutesDeps {
  accounts: AccountService;
  clientAddress: ClientAddress;
  authenticate: Authenticate;
}

const ACCOUNT_PARAMETERS = { name: 'The user name, URL-encoded.' } as const;

export function createAccountRoutes({ accounts, clientAddress, authenticate }: AccountRoutesDeps) {
  const routes = new Hono<AuthEnv>();
  routes.use(authenticate);

  describe(
    {
      operationId: 'listAccounts',
      summary: 'List users',
      description:
        'Needs `usermanagement:access`. By name; without `limit` and `offset` every user is listed and both ' +
        'are echoed as -1.',
      tag: TAGS.security,
      security: 'fmetoken-or-basic',
      query: PageQuerySchema,
      parameters: PAGE_PARAMETERS,
      responses: { 200: json('The users, by name.', AccountListSchema), ...errorResponses(401, 403, 422) },
    },
    routes.get('/', query(PageQuerySchema), async (c) =>
      c.json(await accounts.list(c.var.auth, c.req.valid('query'))),
    ),
  );

  describe(
    {
      operationId: 'createAccount',
      summary: 'Create a user',
      description: 'Needs `usermanagement:manage`. Roles default to `fmeuser`.',
      tag: TAGS.security,
      security: 'fmetoken-or-basic',
      body: { mediaType: 'application/json', schema: CreateAccountBodySchema, required: true },
      responses: {
        201: json('The new user.', AccountSchema),
        ...errorResponses(400, 401, 403, 409, 415, 422),
      },
    },
    routes.post(
      '/',
      createMiddleware<AuthEnv>(async (c, next) => {
        await accounts.mayCreate(c.var.auth);
        await next();
      }),
      ...jsonBody(CreateAccountBodySchema),
      async (c) => c.json(await accounts.create(c.var.auth, c.req.valid('json')), 201),
    ),
  );

  describe(
    {
      operationId: 'getAccount',
      summary: 'Get a user',
      description: 'Your own account, or any with `usermanagement:access`.',
      tag: TAGS.security,
      security: 'fmetoken-or-basic',
      parameters: ACCOUNT_PARAMETERS,
      responses: { 200: json('The user.', AccountSchema), ...errorResponses(401, 403, 404) },
    },
    routes.get('/:name', async (c) => c.json(await accounts.get(c.var.auth, c.req.param('name')))),
  );

  describe(
    {
      operationId: 'updateAccount',
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
    routes.put(
      '/:name',
      createMiddleware<AuthEnv>(async (c, next) => {
        await accounts.mayUpdate(c.var.auth, c.req.param('name') ?? '');
        await next();
      }),
      ...jsonBody(UpdateAccountBodySchema),
      async (c) => {
        await accounts.update(c.var.auth, c.req.param('name'), c.req.valid('json'), () =>
          clientAddress.of(c),
        );
        return c.body(null, 204);
      },
    ),
  );

  describe(
    {
      operationId: 'deleteAccount',
      summary: 'Delete a user',
      description: 'Needs `usermanagement:manage`. Every token of the user stops working at once.',
      tag: TAGS.security,
      security: 'fmetoken-or-basic',
      parameters: ACCOUNT_PARAMETERS,
      responses: { 204: { description: 'Deleted.' }, ...errorResponses(401, 403, 404, 409) },
    },
    routes.delete('/:name', async (c) => {
      await accounts.remove(c.var.auth, c.req.param('name'));
      return c.body(null, 204);
    }),
  );

  return routes;
}
