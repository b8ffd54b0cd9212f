// The options page's token table: every token loaded at once, searched and sorted here, and bulk actions.
import type { Token } from '../../shared/schemas/token';
import { guard } from '../popup/popup-deps';
import { createTokenListActions, type TokenListDeps } from '../popup/token-list-actions';
import { tokenKey } from '../popup/token-list-state';
import { errorText } from '../ui/error-text';
import type { SortColumn } from './token-table-model';
import type { TokenTableState } from './token-table-state';

export type BulkAction = 'enable' | 'disable' | 'remove';

const VERBS: Record<BulkAction, string> = { enable: 'Enabling', disable: 'Disabling', remove: 'Removing' };
/** Requests in flight at once during a bulk action: quick, without flooding the server. */
const BULK_CONCURRENCY = 4;

export function createTokenTableActions(state: TokenTableState, deps: Omit<TokenListDeps, 'pageSize'>) {
  const list = createTokenListActions(state.list, { ...deps, pageSize: -1 });

  function selectedTokens(): Token[] {
    const view = state.list.list.value;
    if (view.kind !== 'ready') return [];
    return view.items.filter((token) => state.selected.value.has(tokenKey(token)));
  }

  /** Whether the action applies to the token: expired or current ones cannot be switched. */
  function applies(action: BulkAction, token: Token): boolean {
    if (action === 'remove') return !token.current;
    if (token.expired || token.current) return false;
    return token.enabled !== (action === 'enable');
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

    /** Enables, disables or removes every selected token it applies to, then reloads the table. */
    async bulk(action: BulkAction): Promise<void> {
      if (state.bulk.value) return;
      const targets = selectedTokens().filter((token) => applies(action, token));
      if (targets.length === 0) return;
      state.list.notice.value = null;
      state.bulk.value = { done: 0, total: targets.length, verb: VERBS[action] };
      const failures: string[] = [];
      const queue = [...targets];
      const worker = async () => {
        for (let token = queue.shift(); token; token = queue.shift()) {
          const failure = await act(action, token);
          if (failure) failures.push(`${token.name}: ${failure}`);
          const bulk = state.bulk.value;
          if (bulk) state.bulk.value = { ...bulk, done: bulk.done + 1 };
        }
      };
      await Promise.all(Array.from({ length: BULK_CONCURRENCY }, worker));
      state.bulk.value = null;
      const done = targets.length - failures.length;
      const past = { enable: 'Enabled', disable: 'Disabled', remove: 'Removed' }[action];
      state.list.notice.value =
        failures.length === 0
          ? { tone: 'ok', text: `${past} ${done} token${done === 1 ? '' : 's'}.` }
          : { tone: 'error', text: `${past} ${done}; ${failures.length} failed. ${failures[0]}` };
      if (action === 'remove') state.selected.value = new Set();
      await list.refresh();
    },
  };
}

export type TokenTableActions = ReturnType<typeof createTokenTableActions>;
