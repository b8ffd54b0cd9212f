// The options page's table as plain data: which rows a search keeps and in what order a column sorts them.
import type { Token } from '../../../shared/schemas/token';
import type { BulkAction, Notice, SortColumn, TableSort } from '../../core/model';
import { plural } from '../../ui/plural';
import { tokenStatus } from '../../ui/status-chip';

export type { SortColumn, TableSort } from '../../core/model';
export { SORT_COLUMNS } from '../../core/model';

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

/** What a bulk action did to one selected row. */
export type BulkOutcome =
  | { token: Token; result: 'done' }
  | { token: Token; result: 'skipped'; why: string }
  | { token: Token; result: 'failed'; why: string };

/** Why `action` does not apply to `token`, or null when it does. */
export function bulkSkip(action: BulkAction, token: Token): string | null {
  if (action === 'remove') return null;
  if (token.expired)
    return token.type === 'USER' ? 'expired: renew it to enable it' : 'expired: it can only be removed';
  if (token.enabled === (action === 'enable')) return `already ${action}d`;
  // Its value is public: enabling it again is a choice made on its own row, after a question.
  if (action === 'enable' && token.exposed) return 'reported as leaked: enable it on its own row';
  return null;
}

const PAST: Record<BulkAction, string> = { enable: 'Enabled', disable: 'Disabled', remove: 'Removed' };
const SHOWN_NAMES = 5;

function names(outcomes: readonly BulkOutcome[], detail: (outcome: BulkOutcome) => string): string {
  const shown = outcomes.slice(0, SHOWN_NAMES).map(detail);
  const rest = outcomes.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}

/** One sentence per outcome (done, skipped with why, failed with why) naming the rows: nothing is left out. */
export function bulkReport(action: BulkAction, outcomes: readonly BulkOutcome[]): Notice {
  const done = outcomes.filter((outcome) => outcome.result === 'done');
  const skipped = outcomes.filter((outcome) => outcome.result === 'skipped');
  const failed = outcomes.filter((outcome) => outcome.result === 'failed');
  const why = (outcome: BulkOutcome) =>
    outcome.result === 'done' ? outcome.token.name : `${outcome.token.name} (${outcome.why})`;
  const parts: string[] = [];
  if (done.length > 0)
    parts.push(`${PAST[action]} ${plural(done.length, 'token')}: ${names(done, (o) => o.token.name)}.`);
  else parts.push(`${PAST[action]} no token.`);
  if (skipped.length > 0) parts.push(`Unchanged: ${names(skipped, why)}.`);
  if (failed.length > 0) parts.push(`${plural(failed.length, 'failure')}: ${names(failed, why)}.`);
  return { tone: failed.length > 0 || done.length === 0 ? 'error' : 'ok', text: parts.join(' ') };
}
