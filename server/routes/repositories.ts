// The protected sample API: repositories and items, each route behind the permission it needs.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import {
  CreateRepositoryBodySchema,
  type ItemList,
  ItemListQuerySchema,
  ItemListSchema,
  ItemQuerySchema,
  ItemSchema,
  type RepositoryList,
  RepositoryListQuerySchema,
  RepositoryListSchema,
  RepositoryNameSchema,
  RepositorySchema,
} from '../../shared/schemas/repository';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import { type Authorizer, Permission } from '../auth/authorize';
import { apiError, validationFailed } from '../errors';
import { describe, errorResponses, json } from '../openapi/describe';
import { TAGS } from '../openapi/tags';
import { PAGE_PARAMETERS, page } from '../page';
import { readCreateRepositoryBody } from '../repositories/create-repository-body';
import type { RepositoryService } from '../repositories/repository-service';
import { toItem, toRepository } from '../repositories/repository-views';
import { NameTakenError, type Store } from '../store/store';
import { type Clock, epochSeconds } from '../time';
import { parseOr422, query } from '../validation';

export interface RepositoryRoutesDeps {
  store: Store;
  clock: Clock;
  authenticate: Authenticate;
  repositories: RepositoryService;
  authorizer: Authorizer;
  /** Largest item upload, in bytes. */
  itemMaxBytes: number;
}

const ITEM_TYPES: Record<string, string> = {
  fmw: 'WORKSPACE',
  fmx: 'CUSTOM_FORMAT',
  fmxj: 'CUSTOM_FORMAT',
  fmt: 'CUSTOM_TRANSFORMER',
  fmxt: 'CUSTOM_TRANSFORMER',
  fmwt: 'TEMPLATE',
};

export const REPOSITORY_PARAMETERS = { repo: 'The repository name, URL-encoded.' } as const;
const ITEM_PARAMETERS = { ...REPOSITORY_PARAMETERS, item: 'The item name, URL-encoded.' } as const;
/** JSON, or a form as FME clients send it (v3 and v4 alike). */
export const REPOSITORY_BODY = {
  mediaType: 'application/json',
  schema: CreateRepositoryBodySchema,
  required: true,
  also: [{ mediaType: 'application/x-www-form-urlencoded', schema: CreateRepositoryBodySchema }],
} as const;

export function itemTypeOf(name: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return (extension && ITEM_TYPES[extension]) ?? 'FILE';
}

/** The file name of an upload: `Content-Disposition: attachment; filename="a.fmw"` (FME clients send this). */
function uploadFileName(disposition: string | undefined): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (star) {
    try {
      return decodeURIComponent(star);
    } catch {
      return undefined; // a broken %-encoding names nothing: the upload is refused as nameless (422)
    }
  }
  return /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;\s]+)/i.exec(disposition)?.slice(1).find(Boolean);
}

export function createRepositoryRoutes(deps: RepositoryRoutesDeps) {
  const { store, clock, authenticate, repositories, authorizer } = deps;
  const routes = new Hono<AuthEnv>();
  routes.use(authenticate);
  // Every route is about repositories: a caller without this general permission learns nothing more (403).
  const access = authorizer.requirePermission(Permission.accessRepositories);

  describe(
    {
      operationId: 'listRepositories',
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
    routes.get('/', access, query(RepositoryListQuerySchema), async (c) => {
      const { owner, ...pageQuery } = c.req.valid('query');
      const owners = await repositories.ownerNames();
      const all = (await repositories.listReadable(c.var.auth))
        .map((record) => toRepository(record, owners))
        .filter((repository) => owner === undefined || repository.owner === owner);
      return c.json(page(all, pageQuery) satisfies RepositoryList);
    }),
  );

  describe(
    {
      operationId: 'createRepository',
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
    routes.post('/', authorizer.requirePermission(Permission.createRepositories), async (c) => {
      const record = await repositories.create(c.var.auth, await readCreateRepositoryBody(c));
      return c.json(toRepository(record, await repositories.ownerNames()), 201);
    }),
  );

  describe(
    {
      operationId: 'getRepository',
      summary: 'Get a repository',
      description: 'Needs `repository/{repo}:read`.',
      tag: TAGS.repositories,
      security: 'fmetoken-or-basic',
      parameters: REPOSITORY_PARAMETERS,
      responses: { 200: json('The repository.', RepositorySchema), ...errorResponses(401, 403, 404) },
    },
    routes.get('/:repo', access, async (c) => {
      const record = await repositories.find(c.var.auth, c.req.param('repo'));
      return c.json(toRepository(record, await repositories.ownerNames()));
    }),
  );

  describe(
    {
      operationId: 'deleteRepository',
      summary: 'Delete a repository',
      description: 'Needs `repository/{repo}:manage`.',
      tag: TAGS.repositories,
      security: 'fmetoken-or-basic',
      parameters: REPOSITORY_PARAMETERS,
      responses: { 204: { description: 'Deleted, with its items.' }, ...errorResponses(401, 403, 404) },
    },
    routes.delete('/:repo', access, async (c) => {
      await repositories.remove(c.var.auth, c.req.param('repo'));
      return c.body(null, 204);
    }),
  );

  describe(
    {
      operationId: 'listItems',
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
    routes.get('/:repo/items', access, query(ItemListQuerySchema), async (c) => {
      const { type, ...pageQuery } = c.req.valid('query');
      const repository = await repositories.find(c.var.auth, c.req.param('repo'));
      const owners = await repositories.ownerNames();
      // FMEServer.js sends `?type=` (empty) when no type is asked for: that means every type.
      const records = await repositories.listItems(repository, type || undefined);
      const all = records.map((record) => toItem(repository, record, owners));
      return c.json(page(all, pageQuery) satisfies ItemList);
    }),
  );

  // Before the size limit: a caller who may not write learns that (404 or 403), not the limit.
  const mayWrite = createMiddleware<AuthEnv>(async function mayWrite(c, next) {
    await repositories.find(c.var.auth, c.req.param('repo') ?? '', 'write');
    await next();
  });

  describe(
    {
      operationId: 'uploadItem',
      summary: 'Upload an item',
      description:
        'Needs `repository/{repo}:write`. The bytes as the body with `Content-Disposition: attachment; ' +
        'filename="<name>"`, or a multipart form with a `file` field. Size-limited.',
      tag: TAGS.repositories,
      security: 'fmetoken-or-basic',
      parameters: REPOSITORY_PARAMETERS,
      headers: { 'Content-Disposition': 'attachment; filename="<item name>"' },
      body: { mediaType: 'application/octet-stream', schema: v.string(), required: true },
      responses: {
        201: json('The stored item.', ItemSchema),
        ...errorResponses(401, 403, 404, 409, 413, 422),
      },
    },
    routes.post(
      '/:repo/items',
      access,
      mayWrite,
      bodyLimit({
        maxSize: deps.itemMaxBytes,
        onError: () => {
          throw apiError(413, 'PAYLOAD_TOO_LARGE', `Items may be at most ${deps.itemMaxBytes} bytes.`);
        },
      }),
      async (c) => {
        const repository = await repositories.find(c.var.auth, c.req.param('repo'), 'write');
        const contentType = c.req.header('Content-Type') ?? 'application/octet-stream';
        let name: string | undefined;
        let content: Uint8Array;
        let storedType = contentType;
        if (/^multipart\/form-data\b/i.test(contentType)) {
          const form = await c.req.parseBody().catch(() => {
            throw apiError(400, 'BAD_REQUEST', 'The multipart body could not be read: check its boundary.');
          });
          const file = form.file;
          if (!(file instanceof File))
            throw validationFailed({ file: 'send the item as a form field named file' });
          name = file.name;
          content = new Uint8Array(await file.arrayBuffer());
          storedType = file.type || 'application/octet-stream';
        } else {
          name = uploadFileName(c.req.header('Content-Disposition'));
          content = new Uint8Array(await c.req.arrayBuffer());
        }
        const itemName = parseOr422(RepositoryNameSchema, name ?? '');
        try {
          const record = await store.createItem({
            repositoryId: repository.id,
            name: itemName,
            type: itemTypeOf(itemName),
            contentType: storedType,
            content,
            createdAt: epochSeconds(clock),
          });
          return c.json(toItem(repository, record, await repositories.ownerNames()), 201);
        } catch (error) {
          if (error instanceof NameTakenError) {
            throw apiError(
              409,
              'NAME_TAKEN',
              `"${repository.name}" already has an item named "${itemName}".`,
            );
          }
          throw error;
        }
      },
    ),
  );

  describe(
    {
      operationId: 'getItem',
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
    routes.get('/:repo/items/:item', access, query(ItemQuerySchema), async (c) => {
      const repository = await repositories.find(c.var.auth, c.req.param('repo'));
      const item = await repositories.findItem(c.var.auth, repository, c.req.param('item'));
      const wantsContents =
        c.req.valid('query').accept === 'contents' ||
        /^application\/octet-stream\b/i.test(c.req.header('Accept') ?? '');
      if (!wantsContents) return c.json(toItem(repository, item, await repositories.ownerNames()));
      await repositories.requireLevel(c.var.auth, repository, 'download');
      const content = await store.readItemContent(item.id);
      if (!content) throw apiError(404, 'NOT_FOUND', `No item named "${item.name}" in "${repository.name}".`);
      c.header('Content-Type', item.contentType);
      c.header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(item.name)}`);
      return c.body(Buffer.from(content));
    }),
  );

  describe(
    {
      operationId: 'deleteItem',
      summary: 'Delete an item',
      description: 'Needs `repository/{repo}:write`.',
      tag: TAGS.repositories,
      security: 'fmetoken-or-basic',
      parameters: ITEM_PARAMETERS,
      responses: { 204: { description: 'Deleted.' }, ...errorResponses(401, 403, 404) },
    },
    routes.delete('/:repo/items/:item', access, async (c) => {
      const repository = await repositories.find(c.var.auth, c.req.param('repo'), 'write');
      await store.deleteItem((await repositories.findItem(c.var.auth, repository, c.req.param('item'))).id);
      return c.body(null, 204);
    }),
  );

  return routes;
}
