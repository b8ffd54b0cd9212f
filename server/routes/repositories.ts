// The protected sample API (SPEC §3.4): repositories and items, each route behind the permission it needs.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import {
  type ItemList,
  ItemListQuerySchema,
  ItemQuerySchema,
  type RepositoryList,
  RepositoryListQuerySchema,
  RepositoryNameSchema,
} from '../../shared/schemas/repository';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import { type Authorizer, Permission } from '../auth/authorize';
import { apiError, validationFailed } from '../errors';
import { readCreateRepositoryBody } from '../repositories/create-repository-body';
import type { RepositoryService } from '../repositories/repository-service';
import { page, toItem, toRepository } from '../repositories/repository-views';
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

  routes.get('/', access, query(RepositoryListQuerySchema), async (c) => {
    const { owner, ...pageQuery } = c.req.valid('query');
    const owners = await repositories.ownerNames();
    const all = (await repositories.listReadable(c.var.auth))
      .map((record) => toRepository(record, owners))
      .filter((repository) => owner === undefined || repository.owner === owner);
    return c.json(page(all, pageQuery) satisfies RepositoryList);
  });

  routes.post('/', authorizer.requirePermission(Permission.createRepositories), async (c) => {
    const record = await repositories.create(c.var.auth, await readCreateRepositoryBody(c));
    return c.json(toRepository(record, await repositories.ownerNames()), 201);
  });

  routes.get('/:repo', access, async (c) => {
    const record = await repositories.find(c.var.auth, c.req.param('repo'));
    return c.json(toRepository(record, await repositories.ownerNames()));
  });

  routes.delete('/:repo', access, async (c) => {
    await repositories.remove(c.var.auth, c.req.param('repo'));
    return c.body(null, 204);
  });

  routes.get('/:repo/items', access, query(ItemListQuerySchema), async (c) => {
    const { type, ...pageQuery } = c.req.valid('query');
    const repository = await repositories.find(c.var.auth, c.req.param('repo'));
    const owners = await repositories.ownerNames();
    // FMEServer.js sends `?type=` (empty) when no type is asked for: that means every type.
    const records = await repositories.listItems(repository, type || undefined);
    const all = records.map((record) => toItem(repository, record, owners));
    return c.json(page(all, pageQuery) satisfies ItemList);
  });

  // Before the size limit: a caller who may not write learns that (404 or 403), not the limit.
  const mayWrite = createMiddleware<AuthEnv>(async function mayWrite(c, next) {
    await repositories.find(c.var.auth, c.req.param('repo') ?? '', 'write');
    await next();
  });

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
          throw apiError(409, 'NAME_TAKEN', `"${repository.name}" already has an item named "${itemName}".`);
        }
        throw error;
      }
    },
  );

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
  });

  routes.delete('/:repo/items/:item', access, async (c) => {
    const repository = await repositories.find(c.var.auth, c.req.param('repo'), 'write');
    await store.deleteItem((await repositories.findItem(c.var.auth, repository, c.req.param('item'))).id);
    return c.body(null, 204);
  });

  return routes;
}
