// The options page's token table: every token loaded at once, searched and sorted here, and bulk actions.
import type { Token } from '../../../shared/schemas/token';
import { guard } from '../../core/messages';
import type { BulkAction, SortColumn } from '../../core/model';
import { errorText } from '../../ui/error-text';
import { createTokenListActions, type TokenListDeps } from './token-list-actions';
import { tokenKey } from './token-list-state';
import { type BulkOutcome, bulkReport, bulkSkip, visibleRows } from './token-table-model';
import type { TokenTableState } from './token-table-state';

export type { BulkAction } from '../../core/model';

const VERBS: Record<BulkAction, string> = { enable: 'Enabling', disable: 'Disabling', remove: 'Removing' };
/** Requests in flight at once during a bulk action: quick, without flooding the server. */
const BULK_CONCURRENCY = 4;

export function createTokenTableActions(state: TokenTableState, deps: Omit<TokenListDeps, 'pageSize'>) {
  const list = createTokenListActions(state.list, { ...deps, pageSize: -1 });

  function selectedTokens(): Token[] {
    const view = state.list.list.value;
    if (view.kind !== 'ready') return [];
    // The rows the table shows and the confirmation counts, in its order, so the report reads like the table.
    // Rows a search hides stay selected for later, but nothing is done to a row the user cannot see.
    return visibleRows(view.items, state.search.value, state.sort.value).filter((token) =>
      state.selected.value.has(tokenKey(token)),
    );
  }

  async function act(action: BulkAction, token: Token): Promise<string | null> {
    const ref = { server: deps.server(), user: token.user, name: token.name };
    const answer =
      action === 'remove'
        ? await guard(deps.send('removeToken', ref))
        : await guard(deps.send('setTokenEnabled', { ...ref, enabled: action === 'enable' }));
    if (answer.ok || (action === 'remove' && answer.error.code === 'TOKEN_NOT_FOUND')) return null;
    if (answer.error.code === 'UNAUTHORIZED') deps.unauthorized();
    return errorText(answer.error, deps.server());
  }

  return {
    list,

    setSearch(search: string): void {
      state.search.value = search;
    },

    /** A click on a column heading: sort by it, or flip the direction when it already sorts. */
    sortBy(column: SortColumn): void {
      const sort = state.sort.value;
      state.sort.value = { column, descending: sort.column === column ? !sort.descending : false };
    },

    select(token: Token, on: boolean): void {
      const next = new Set(state.selected.value);
      if (on) next.add(tokenKey(token));
      else next.delete(tokenKey(token));
      state.selected.value = next;
    },

    /** Selects exactly `tokens` (the visible rows), or nothing. */
    selectAll(tokens: readonly Token[], on: boolean): void {
      state.selected.value = new Set(on ? tokens.map(tokenKey) : []);
    },

    /**
     * Enables, disables or removes every selected token it applies to, then reloads the table and says what
     * became of each selected row. The token this browser is signed in with goes last: once it is off, every
     * other request would be refused.
     */
    async bulk(action: BulkAction): Promise<void> {
      if (state.bulk.value) return;
      const selected = selectedTokens();
      if (selected.length === 0) return;
      const outcomes: BulkOutcome[] = [];
      const targets: Token[] = [];
      for (const token of selected) {
        const why = bulkSkip(action, token);
        if (why === null) targets.push(token);
        else outcomes.push({ token, result: 'skipped', why });
      }
      const own = targets.filter((token) => token.current);
      const queue = targets.filter((token) => !token.current);
      state.list.notice.value = null;
      state.bulk.value = { done: 0, total: targets.length, verb: VERBS[action] };
      const run = async (token: Token) => {
        const failure = await act(action, token);
        outcomes.push(
          failure === null ? { token, result: 'done' } : { token, result: 'failed', why: failure },
        );
        const bulk = state.bulk.value;
        if (bulk) state.bulk.value = { ...bulk, done: bulk.done + 1 };
      };
      const worker = async () => {
        for (let token = queue.shift(); token; token = queue.shift()) await run(token);
      };
      await Promise.all(Array.from({ length: BULK_CONCURRENCY }, worker));
      for (const token of own) await run(token);
      state.bulk.value = null;
      const order = new Map(selected.map((token, index) => [tokenKey(token), index]));
      outcomes.sort((a, b) => (order.get(tokenKey(a.token)) ?? 0) - (order.get(tokenKey(b.token)) ?? 0));
      state.list.notice.value = bulkReport(action, outcomes);
      if (action === 'remove') {
        const next = new Set(state.selected.value);
        for (const token of selected) next.delete(tokenKey(token));
        state.selected.value = next;
      }
      await list.refresh();
    },
  };
}

export type TokenTableActions = ReturnType<typeof createTokenTableActions>;
