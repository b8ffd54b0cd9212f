// Copies everything from one store to an empty one (SQLite to PostgreSQL, say), through the store interface.
import type { Store, TokenUse } from '../store/store';

export interface CopyCounts {
  users: number;
  tokens: number;
  repositories: number;
  items: number;
  auditEvents: number;
}

export class TargetNotEmptyError extends Error {
  override name = 'TargetNotEmptyError';
}

/**
 * Users keep their password hashes and tokens their digests, so every password and token value keeps
 * working; a token keeps its exposure and every address it was used from. Sign-in failure counters are not copied: they only matter for an hour.
 */
export async function copyStore(from: Store, to: Store): Promise<CopyCounts> {
  if ((await to.countUsers()) > 0) {
    throw new TargetNotEmptyError('The target store already has users: copy into an empty database only.');
  }
  const counts: CopyCounts = { users: 0, tokens: 0, repositories: 0, items: 0, auditEvents: 0 };

  const userIds = new Map<number, number>();
  for (const user of await from.listUsers()) {
    const { id, ...rest } = user;
    userIds.set(id, (await to.createUser(rest)).id);
    counts.users++;
  }
  const newUserId = (id: number) => {
    const mapped = userIds.get(id);
    if (mapped === undefined) throw new Error(`The source refers to a user (${id}) it does not list.`);
    return mapped;
  };

  // Oldest first, so that lists (newest first) come out in the same order.
  const { items: tokens } = await from.listTokens({ now: 0, limit: -1, offset: 0 });
  for (const token of tokens.reverse()) {
    const { id, owner, lastUsedAt, lastUsedAddress, lastUsedClient, userId, ...rest } = token;
    const copied = await to.createToken({ ...rest, userId: newUserId(userId) });
    // Every place it was used from stays known (a later use from one is no new address), the last use last.
    const uses: TokenUse[] = (await from.listTokenAddresses(id)).map(({ address, firstUsedAt }) => ({
      id: copied.id,
      at: firstUsedAt,
      copied: { address, client: null },
    }));
    if (lastUsedAt !== null)
      uses.push({
        id: copied.id,
        at: lastUsedAt,
        copied: { address: lastUsedAddress, client: lastUsedClient },
      });
    if (uses.length > 0) await to.markTokensUsed(uses);
    counts.tokens++;
  }

  for (const repository of await from.listRepositories()) {
    const { id, ownerId, ...rest } = repository;
    const copied = await to.createRepository({
      ...rest,
      ownerId: ownerId === null ? null : newUserId(ownerId),
    });
    counts.repositories++;
    for (const item of await from.listItems(id)) {
      const content = await from.readItemContent(item.id);
      if (!content) continue;
      const { id: itemId, size, repositoryId, ...itemRest } = item;
      await to.createItem({ ...itemRest, repositoryId: copied.id, content });
      counts.items++;
    }
  }

  const { items: events } = await from.listAuditEvents({ limit: -1, offset: 0 });
  // Events of deleted accounts stay unowned; the rest follow their account to its new id.
  const oldestFirst = events
    .reverse()
    .map(({ id, ownerId, ...rest }) => ({ ...rest, ownerId: ownerId === null ? null : newUserId(ownerId) }));
  for (let start = 0; start < oldestFirst.length; start += 500) {
    await to.recordAuditEvents(oldestFirst.slice(start, start + 500));
  }
  counts.auditEvents = oldestFirst.length;
  return counts;
}
