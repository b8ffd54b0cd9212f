// Search and sort of the options page's table.
import { describe, expect, it } from 'vitest';
import type { Token } from '../../../shared/schemas/token';
import { bulkSkip, visibleRows } from './token-table-model';

function token(name: string, user: string, extra: Partial<Token> = {}): Token {
  return {
    name,
    user,
    description: '',
    type: 'USER',
    source: 'api',
    enabled: true,
    expired: false,
    restricted: false,
    createdDate: '2026-11-01T00:00:00Z',
    lastSaveDate: '2026-11-01T00:00:00Z',
    expirationDate: '2026-12-01T00:00:00Z',
    lastUsedDate: null,
    current: false,
    ...extra,
  };
}

const rows = [
  token('deploy 10', 'bob', { expirationDate: '2026-12-10T00:00:00Z', lastUsedDate: '2026-11-20T00:00:00Z' }),
  token('deploy 9', 'alice', { expirationDate: '2026-12-05T00:00:00Z', enabled: false }),
  token('Reports', 'carol', { description: 'nightly DEPLOY check', expired: true }),
];

describe('visibleRows', () => {
  it('sorts names naturally and flips with the direction', () => {
    const names = (sorted: Token[]) => sorted.map((t) => t.name);
    expect(names(visibleRows(rows, '', { column: 'name', descending: false }))).toEqual([
      'deploy 9',
      'deploy 10',
      'Reports',
    ]);
    expect(names(visibleRows(rows, '', { column: 'name', descending: true }))).toEqual([
      'Reports',
      'deploy 10',
      'deploy 9',
    ]);
    expect(names(visibleRows(rows, '', { column: 'expires', descending: false }))[0]).toBe('Reports');
    expect(names(visibleRows(rows, '', { column: 'lastUsed', descending: true }))[0]).toBe('deploy 10');
    expect(names(visibleRows(rows, '', { column: 'status', descending: false }))).toEqual([
      'deploy 9',
      'deploy 10',
      'Reports',
    ]);
  });

  it('searches name, owner and description in any case', () => {
    expect(visibleRows(rows, 'deploy', { column: 'user', descending: false }).map((t) => t.user)).toEqual([
      'alice',
      'bob',
      'carol',
    ]);
    expect(visibleRows(rows, ' ALICE ', { column: 'name', descending: false })).toHaveLength(1);
    expect(visibleRows(rows, 'nobody', { column: 'name', descending: false })).toEqual([]);
  });
});

describe('bulkSkip', () => {
  it('leaves a token reported as leaked out of a bulk enable, and says why', () => {
    const leaked = token('leaked', 'admin', {
      enabled: false,
      exposed: true,
      exposedDate: '2026-11-22T09:30:00Z',
    });
    expect(bulkSkip('enable', leaked)).toBe('reported as leaked: enable it on its own row');
    expect(bulkSkip('remove', leaked)).toBeNull();
    expect(bulkSkip('enable', token('off', 'admin', { enabled: false }))).toBeNull();
  });
});
