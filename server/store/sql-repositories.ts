// Repositories and their items in the SQL store, one query per method for both dialects.
import * as v from 'valibot';
import { deleteById, type SqlDialect } from './sql-dialect';
import type { RepositoryStore } from './store';

const ITEM_COLUMNS = ['id', 'repository_id', 'name', 'type', 'content_type', 'size', 'created_at'] as const;

export function createRepositoryStore(dialect: SqlDialect): RepositoryStore {
  const { db, rows, write } = dialect;
  const parseRepository = (row: unknown) => v.parse(rows.RepositoryRowSchema, row);
  const parseItem = (row: unknown) => v.parse(rows.ItemRowSchema, row);
  const itemsOf = (repositoryId: number) =>
    db.selectFrom('items').select(ITEM_COLUMNS).where('repository_id', '=', repositoryId);
  return {
    createRepository: (repository) =>
      write(async (trx) =>
        parseRepository(
          await trx
            .insertInto('repositories')
            .values({
              name: repository.name,
              description: repository.description,
              owner_id: repository.ownerId,
              created_at: repository.createdAt,
            })
            .returningAll()
            .executeTakeFirst(),
        ),
      ),
    listRepositories: async () =>
      (await db.selectFrom('repositories').selectAll().orderBy('name').execute()).map(parseRepository),
    findRepository: async (name) => {
      const row = await db.selectFrom('repositories').selectAll().where('name', '=', name).executeTakeFirst();
      return row === undefined ? undefined : parseRepository(row);
    },
    listOwnedRepositoryNames: async (userId) => {
      const owned = db.selectFrom('repositories').select('name').where('owner_id', '=', userId);
      return (await owned.orderBy('name').execute()).map((row) => row.name);
    },
    deleteRepository: (id) => deleteById(dialect, 'repositories', id),

    createItem: (item) =>
      write(async (trx) =>
        parseItem(
          await trx
            .insertInto('items')
            .values({
              repository_id: item.repositoryId,
              name: item.name,
              type: item.type,
              content_type: item.contentType,
              size: item.content.byteLength,
              content: Buffer.from(item.content),
              created_at: item.createdAt,
            })
            .returning(ITEM_COLUMNS)
            .executeTakeFirst(),
        ),
      ),
    listItems: async (repositoryId, type) => {
      const items = itemsOf(repositoryId).orderBy('name');
      return (await (type === undefined ? items : items.where('type', '=', type)).execute()).map(parseItem);
    },
    findItem: async (repositoryId, name) => {
      const row = await itemsOf(repositoryId).where('name', '=', name).executeTakeFirst();
      return row === undefined ? undefined : parseItem(row);
    },
    readItemContent: async (id) => {
      const row = await db.selectFrom('items').select('content').where('id', '=', id).executeTakeFirst();
      if (row === undefined) return undefined;
      const content = v.parse(v.instance(Uint8Array), row.content);
      return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
    },
    deleteItem: (id) => deleteById(dialect, 'items', id),
  };
}
