// One token table of the options page (My tokens or All tokens): its rows, search, sort and selection.
import { signal } from '@preact/signals';
import { createTokenListState } from './token-list-state';
import type { TableSort } from './token-table-model';

export function createTokenTableState() {
  return {
    list: createTokenListState(),
    search: signal(''),
    sort: signal<TableSort>({ column: 'expires', descending: false }),
    /** Selected rows by tokenKey; kept across reloads, pruned to rows that still exist. */
    selected: signal<ReadonlySet<string>>(new Set()),
    /** A bulk action is running: "Disabling 3 of 12…". */
    bulk: signal<{ done: number; total: number; verb: string } | null>(null),
  };
}

export type TokenTableState = ReturnType<typeof createTokenTableState>;
