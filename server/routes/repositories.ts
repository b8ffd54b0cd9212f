// The protected sample API (SPEC §3.4): repositories and items, each route behind the permission it needs.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { holdsPermission } from '../../shared/permissions';
import {
  CreateRepositoryBodySchema,
  type Item,
  type ItemList,
  ItemListQuerySchema,
  ItemQuerySchema,
  type Repository,
  type RepositoryList,
  RepositoryNameSchema,
} from '../../shared/schemas/repository';
import type { AuthEnv, Authenticate } from '../auth/authenticate';
import { forbidden, type PermissionResolver, type RequirePermission } from '../auth/authorize';
import { apiError, validationFailed } from '../errors';
import { type ItemRecord, NameTakenError, type RepositoryRecord, type Store } from '../store/store';
import { type Clock, epochSeconds, toApiDate } from '../time';
import { jsonBody, parseOr422, query } from '../validation';

export interface RepositoryRoutesDeps {
  store: Store;
  clock: Clock;
  authenticate: Authenticate;
  permissions: PermissionResolver;
  requirePermission: RequirePermission;
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
  const { store, clock, authenticate, permissions, requirePermission } = deps;
  const routes = new Hono<AuthEnv>();
  routes.use(authenticate);

  const repositoryPermission = (level: string) =>
    requirePermission((c) => `repository/${c.req.param('repo') ?? ''}:${level}`);

  /** Owner ids to names, read once per request that shows repositories. */
  async function ownerNames(): Promise<Map<number, string>> {
    return new Map((await store.listUsers()).map((user) => [user.id, user.name]));
  }
  const toRepository = (record: RepositoryRecord, owners: Map<number, string>): Repository => ({
    name: record.name,
    description: record.description,
    owner: record.ownerId === null ? null : (owners.get(record.ownerId) ?? null),
    createdDate: toApiDate(record.createdAt),
  });
  const toItem = (repository: string, record: ItemRecord): Item => ({
    name: record.name,
    repository,
    type: record.type,
    contentType: record.contentType,
    size: record.size,
    lastModified: toApiDate(record.createdAt),
  });

  async function findRepository(name: string): Promise<RepositoryRecord> {
    const repository = await store.findRepository(name.normalize('NFC'));
    if (!repository) throw apiError(404, 'NOT_FOUND', `No repository named "${name}".`);
    return repository;
  }

  async function findItem(repository: RepositoryRecord, name: string): Promise<ItemRecord> {
    const item = await store.findItem(repository.id, name.normalize('NFC'));
    if (!item) throw apiError(404, 'NOT_FOUND', `No item named "${name}" in "${repository.name}".`);
    return item;
  }

  routes.get('/', requirePermission('repositories:access'), async (c) => {
    const held = await permissions.ofCaller(c.var.auth);
    const readable = (await store.listRepositories()).filter((r) =>
      holdsPermission(held, `repository/${r.name}:read`),
    );
    const owners = await ownerNames();
    const items = readable.map((record) => toRepository(record, owners));
    return c.json({ items, totalCount: items.length, limit: -1, offset: 0 } satisfies RepositoryList);
  });

  routes.post(
    '/',
    requirePermission('repositories:create'),
    ...jsonBody(CreateRepositoryBodySchema),
    async (c) => {
      const body = c.req.valid('json');
      try {
        const record = await store.createRepository({
          name: body.name,
          description: body.description ?? '',
          ownerId: c.var.auth.user.id,
          createdAt: epochSeconds(clock),
        });
        return c.json(toRepository(record, await ownerNames()), 201);
      } catch (error) {
        if (error instanceof NameTakenError) {
          throw apiError(409, 'NAME_TAKEN', `A repository named "${body.name}" exists.`, { field: 'name' });
        }
        throw error;
      }
    },
  );

  routes.get('/:repo', repositoryPermission('read'), async (c) =>
    c.json(toRepository(await findRepository(c.req.param('repo')), await ownerNames())),
  );

  routes.delete('/:repo', repositoryPermission('manage'), async (c) => {
    await store.deleteRepository((await findRepository(c.req.param('repo'))).id);
    return c.body(null, 204);
  });

  routes.get('/:repo/items', repositoryPermission('read'), query(ItemListQuerySchema), async (c) => {
    const repository = await findRepository(c.req.param('repo'));
    const records = await store.listItems(repository.id, c.req.valid('query').type);
    const items = records.map((record) => toItem(repository.name, record));
    return c.json({ items, totalCount: items.length, limit: -1, offset: 0 } satisfies ItemList);
  });

  routes.post(
    '/:repo/items',
    repositoryPermission('write'),
    bodyLimit({
      maxSize: deps.itemMaxBytes,
      onError: () => {
        throw apiError(413, 'PAYLOAD_TOO_LARGE', `Items may be at most ${deps.itemMaxBytes} bytes.`);
      },
    }),
    async (c) => {
      const repository = await findRepository(c.req.param('repo'));
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
        return c.json(toItem(repository.name, record), 201);
      } catch (error) {
        if (error instanceof NameTakenError) {
          throw apiError(409, 'NAME_TAKEN', `"${repository.name}" already has an item named "${itemName}".`);
        }
        throw error;
      }
    },
  );

  routes.get('/:repo/items/:item', repositoryPermission('read'), query(ItemQuerySchema), async (c) => {
    const repository = await findRepository(c.req.param('repo'));
    const item = await findItem(repository, c.req.param('item'));
    const wantsContents =
      c.req.valid('query').accept === 'contents' ||
      /^application\/octet-stream\b/i.test(c.req.header('Accept') ?? '');
    if (!wantsContents) return c.json(toItem(repository.name, item));
    const download = `repository/${repository.name}:download`;
    if (!holdsPermission(await permissions.ofCaller(c.var.auth), download)) throw forbidden(download);
    const content = await store.readItemContent(item.id);
    if (!content) throw apiError(404, 'NOT_FOUND', `No item named "${item.name}" in "${repository.name}".`);
    c.header('Content-Type', item.contentType);
    c.header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(item.name)}`);
    return c.body(Buffer.from(content));
  });

  routes.delete('/:repo/items/:item', repositoryPermission('write'), async (c) => {
    const repository = await findRepository(c.req.param('repo'));
    await store.deleteItem((await findItem(repository, c.req.param('item'))).id);
    return c.body(null, 204);
  });

  return routes;
}
