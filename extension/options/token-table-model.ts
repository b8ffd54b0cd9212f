// The options page's table as plain data: which rows a search keeps and in what order a column sorts them.
import type { Token } from '../../shared/schemas/token';
import { tokenStatus } from '../ui/status-chip';

export type SortColumn = 'name' | 'user' | 'type' | 'status' | 'expires' | 'lastUsed';
export interface TableSort {
  column: SortColumn;
  descending: boolean;
}

export const SORT_COLUMNS: readonly { column: SortColumn; label: string }[] = [
  { column: 'name', label: 'Name' },
  { column: 'user', label: 'Owner' },
  { column: 'type', label: 'Type' },
  { column: 'status', label: 'Status' },
  { column: 'expires', label: 'Expires' },
  { column: 'lastUsed', label: 'Last used' },
];

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function compare(a: Token, b: Token, column: SortColumn): number {
  switch (column) {
    case 'name':
      return collator.compare(a.name, b.name);
    case 'user':
      return collator.compare(a.user, b.user);
    case 'type':
      return a.type.localeCompare(b.type);
    case 'status':
      return tokenStatus(a).localeCompare(tokenStatus(b));
    case 'expires':
      return Date.parse(a.expirationDate) - Date.parse(b.expirationDate);
    case 'lastUsed':
      // Never used sorts before any use.
      return (
        (a.lastUsedDate ? Date.parse(a.lastUsedDate) : 0) - (b.lastUsedDate ? Date.parse(b.lastUsedDate) : 0)
      );
  }
}

/** The rows whose name, owner or description contain `search` (any case), sorted; ties by owner and name. */
export function visibleRows(items: readonly Token[], search: string, sort: TableSort): Token[] {
  const needle = search.trim().toLowerCase();
  const kept =
    needle === ''
      ? [...items]
      : items.filter((token) =>
          [token.name, token.user, token.description].some((text) => text.toLowerCase().includes(needle)),
        );
  const sign = sort.descending ? -1 : 1;
  return kept.sort(
    (a, b) =>
      sign * compare(a, b, sort.column) ||
      collator.compare(a.user, b.user) ||
      collator.compare(a.name, b.name),
  );
}
