// Turns a stored token into the Token shape of the API; the value is never part of it.
import type { Token } from '../../shared/schemas/token';
import type { TokenRecord } from '../store/store';
import { toApiDate } from '../time';

export function toToken(record: TokenRecord, now: number, currentTokenId: number | undefined): Token {
  const token: Token = {
    name: record.name,
    description: record.description,
    user: record.owner,
    type: record.type,
    source: record.source,
    enabled: record.enabled,
    expired: now >= record.expiresAt,
    restricted: record.restricted,
    createdDate: toApiDate(record.createdAt),
    lastSaveDate: toApiDate(record.savedAt),
    expirationDate: toApiDate(record.expiresAt),
    lastUsedDate: record.lastUsedAt === null ? null : toApiDate(record.lastUsedAt),
    current: record.id === currentTokenId,
    exposed: record.exposedAt !== null,
    exposedDate: record.exposedAt === null ? null : toApiDate(record.exposedAt),
    lastUsedAddress: record.lastUsedAddress,
    lastUsedClient: record.lastUsedClient,
  };
  if (record.restricted) token.permissions = record.permissions;
  return token;
}
