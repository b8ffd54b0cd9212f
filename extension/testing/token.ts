// A token as the server lists it, for tests: an enabled API token with all permissions, changed by `extra`.
import type { Token } from '../../shared/schemas/token';

export function aToken(extra: Partial<Token> = {}): Token {
  return {
    name: 'ci',
    description: '',
    user: 'admin',
    type: 'USER',
    source: 'api',
    enabled: true,
    expired: false,
    restricted: false,
    createdDate: '2026-11-22T10:00:00Z',
    lastSaveDate: '2026-11-22T10:00:00Z',
    expirationDate: '2026-11-29T10:00:00Z',
    lastUsedDate: null,
    current: false,
    ...extra,
  };
}
