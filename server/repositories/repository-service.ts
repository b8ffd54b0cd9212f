// The rules of the sample API's repositories and items, shared by the v3 and v4 routes.
import { holdsPermission } from '../../shared/permissions';
import type { CreateRepositoryBody } from '../../shared/schemas/repository';
import type { Authenticated } from '../auth/authenticate';
import type { Authorizer } from '../auth/authorize';
import { apiError } from '../errors';
import { type ItemRecord, NameTakenError, type RepositoryRecord, type Store } from '../store/store';
import { type Clock, epochSeconds } from '../time';

export type RepositoryLevel = 'read' | 'write' | 'run' | 'download' | 'manage';

export interface RepositoryServiceDeps {
  store: Store;
  clock: Clock;
  authorizer: Authorizer;
}

/**
 * FME's answer for an object that is missing or that the caller may not read: the same 404 either way, so
 * that names of repositories a caller cannot see do not leak through a different status.
 */
export function notFoundOrHidden(caller: Authenticated) {
  return apiError(
    404,
    'NOT_FOUND',
    `Unauthorized request by user ${caller.user.name} due to lack of proper permissions or the object does not exist.`,
  );
}

export function createRepositoryService({ store, clock, authorizer }: RepositoryServiceDeps) {
  /** 403 naming `repository/<name>:<level>` when the caller lacks it (they can see the repository). */
  async function requireLevel(caller: Authenticated, repository: RepositoryRecord, level: RepositoryLevel) {
    await authorizer.demand(caller, `repository/${repository.name}:${level}`);
  }

  /** The repository, when it exists and the caller may read it (404 otherwise), and holds `level` (403). */
  async function find(
    caller: Authenticated,
    name: string,
    level: RepositoryLevel = 'read',
  ): Promise<RepositoryRecord> {
    const repository = await store.findRepository(name.normalize('NFC'));
    if (!repository || !(await authorizer.holds(caller, `repository/${repository.name}:read`)))
      throw notFoundOrHidden(caller);
    if (level !== 'read') await requireLevel(caller, repository, level);
    return repository;
  }

  return {
    find,
    requireLevel,

    async listReadable(caller: Authenticated): Promise<RepositoryRecord[]> {
      const held = await authorizer.ofCaller(caller);
      return (await store.listRepositories()).filter((r) =>
        holdsPermission(held, `repository/${r.name}:read`),
      );
    },

    async findItem(caller: Authenticated, repository: RepositoryRecord, name: string): Promise<ItemRecord> {
      const item = await store.findItem(repository.id, name.normalize('NFC'));
      if (!item) throw notFoundOrHidden(caller);
      return item;
    },

    listItems(repository: RepositoryRecord, type?: string): Promise<ItemRecord[]> {
      return store.listItems(repository.id, type);
    },

    /** Needs `repositories:create` (required by the route); the creator may manage what they create. */
    async create(caller: Authenticated, body: CreateRepositoryBody): Promise<RepositoryRecord> {
      try {
        return await store.createRepository({
          name: body.name,
          description: body.description ?? '',
          ownerId: caller.user.id,
          createdAt: epochSeconds(clock),
        });
      } catch (error) {
        if (error instanceof NameTakenError) {
          throw apiError(409, 'NAME_TAKEN', `A repository named "${body.name}" exists.`, { field: 'name' });
        }
        throw error;
      }
    },

    async remove(caller: Authenticated, name: string): Promise<void> {
      const repository = await find(caller, name, 'manage');
      if (!(await store.deleteRepository(repository.id))) throw notFoundOrHidden(caller);
    },

    /** Owner ids to names, read once per request that shows repositories or items. */
    async ownerNames(): Promise<Map<number, string>> {
      return new Map((await store.listUsers()).map((user) => [user.id, user.name]));
    },
  };
}

export type RepositoryService = ReturnType<typeof createRepositoryService>;
