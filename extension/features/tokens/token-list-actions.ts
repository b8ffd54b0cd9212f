// Acting on one token list: load pages, enable/disable, duplicate (asks for a name), remove (asks first).
import type { ApiError } from '../../../shared/api-client';
import type { CreatedToken, Token, TokenType } from '../../../shared/schemas/token';
import { guard, type Send } from '../../core/messages';
import type { DuplicateDraft } from '../../core/model';
import { duplicateBody, duplicateDraftOf } from '../../core/token-draft';
import { errorText } from '../../ui/error-text';
import { type RowPrompt, type TokenListState, tokenKey } from './token-list-state';

export const PAGE_SIZE = 50;

export interface ListQuery {
  type?: TokenType;
  status?: 'active' | 'expired';
  /** Another user or `*`: the All Tokens view. */
  user?: string;
}

export interface TokenListDeps {
  send: Send;
  server(): string;
  query(): ListQuery;
  /** The credential lapsed: the page asks the user to sign in again. */
  unauthorized(): void;
  /** A duplicate was made: its value is shown once. */
  created(token: CreatedToken): void;
  /** Rows per request; -1 loads every matching token at once (the options page's table). */
  pageSize?: number;
  /** The clock a copy's expiry date is checked against; Date.now when left out. */
  now?(): number;
}

export function createTokenListActions(state: TokenListState, deps: TokenListDeps) {
  let latestLoad = 0;

  function fail(error: ApiError): void {
    if (error.code === 'UNAUTHORIZED') {
      deps.unauthorized();
      return;
    }
    state.notice.value = { tone: 'error', text: errorText(error, deps.server()) };
  }

  function setBusy(key: string, busy: boolean): void {
    const next = new Set(state.busyRows.value);
    if (busy) next.add(key);
    else next.delete(key);
    state.busyRows.value = next;
  }

  function replaceRows(update: (items: Token[]) => Token[], countChange = 0): void {
    const list = state.list.value;
    if (list.kind !== 'ready') return;
    state.list.value = { ...list, items: update(list.items), totalCount: list.totalCount + countChange };
  }

  async function fetchPage(offset: number) {
    return guard(
      deps.send('listTokens', {
        server: deps.server(),
        limit: deps.pageSize ?? PAGE_SIZE,
        offset,
        ...deps.query(),
      }),
    );
  }

  async function refresh(): Promise<void> {
    const id = ++latestLoad;
    // Keep the rows on screen while reloading; show "Loading" only when there is nothing yet.
    if (state.list.value.kind !== 'ready') state.list.value = { kind: 'loading' };
    const page = await fetchPage(0);
    if (id !== latestLoad) return;
    if (page.ok) {
      state.list.value = { kind: 'ready', items: page.value.items, totalCount: page.value.totalCount };
      // A question the user is answering stays open while its token is still listed (a refresh the page started
      // on its own must not take it away between reading it and pressing Yes).
      const asked = state.prompt.value?.key;
      if (asked !== undefined && !page.value.items.some((token) => tokenKey(token) === asked))
        state.prompt.value = null;
    } else if (page.error.code === 'UNAUTHORIZED') deps.unauthorized();
    else state.list.value = { kind: 'failed', message: errorText(page.error, deps.server()) };
  }

  return {
    refresh,

    /** Clears the list before its filter changes, so rows of the old filter never show under the new one. */
    async reload(): Promise<void> {
      state.list.value = { kind: 'loading' };
      state.notice.value = null;
      await refresh();
    },

    async loadMore(): Promise<void> {
      const list = state.list.value;
      if (list.kind !== 'ready' || state.loadingMore.value) return;
      const id = latestLoad;
      state.loadingMore.value = true;
      const page = await fetchPage(list.items.length);
      state.loadingMore.value = false;
      if (id !== latestLoad) return;
      if (!page.ok) return fail(page.error);
      const seen = new Set(list.items.map(tokenKey));
      replaceRows((items) => [...items, ...page.value.items.filter((t) => !seen.has(tokenKey(t)))]);
    },

    async toggle(token: Token): Promise<void> {
      const key = tokenKey(token);
      const enabled = !token.enabled;
      setBusy(key, true);
      state.notice.value = null;
      const answer = await guard(
        deps.send('setTokenEnabled', { server: deps.server(), user: token.user, name: token.name, enabled }),
      );
      setBusy(key, false);
      state.prompt.value = null;
      if (!answer.ok) return fail(answer.error);
      replaceRows((items) => items.map((t) => (tokenKey(t) === key ? { ...t, enabled } : t)));
      state.notice.value = { tone: 'ok', text: `${enabled ? 'Enabled' : 'Disabled'} "${token.name}".` };
    },

    ask(token: Token, kind: RowPrompt['kind']): void {
      state.notice.value = null;
      state.prompt.value = { key: tokenKey(token), kind };
      if (kind === 'duplicate') state.duplicate.value = duplicateDraftOf(token);
    },

    details(token: Token): void {
      const key = tokenKey(token);
      state.expanded.value = state.expanded.value === key ? null : key;
    },

    cancel(): void {
      state.prompt.value = null;
    },

    editDuplicate(patch: Partial<DuplicateDraft>): void {
      state.duplicate.value = { ...state.duplicate.value, ...patch };
    },

    async duplicate(token: Token): Promise<void> {
      const checked = duplicateBody(token, state.duplicate.value, deps.now?.() ?? Date.now());
      if (!checked.ok) {
        state.notice.value = { tone: 'error', text: checked.message };
        return;
      }
      const { name: newName, expirationTimeout, expirationDate } = checked.body;
      const key = tokenKey(token);
      setBusy(key, true);
      const answer = await guard(
        deps.send('duplicateToken', {
          server: deps.server(),
          user: token.user,
          name: token.name,
          newName,
          ...(expirationTimeout !== undefined && { expirationTimeout }),
          ...(expirationDate !== undefined && { expirationDate }),
        }),
      );
      setBusy(key, false);
      if (!answer.ok) return fail(answer.error);
      state.prompt.value = null;
      deps.created(answer.value);
      await refresh();
    },

    async remove(token: Token): Promise<void> {
      const key = tokenKey(token);
      setBusy(key, true);
      const answer = await guard(
        deps.send('removeToken', { server: deps.server(), user: token.user, name: token.name }),
      );
      setBusy(key, false);
      state.prompt.value = null;
      if (!answer.ok && answer.error.code !== 'TOKEN_NOT_FOUND') return fail(answer.error);
      replaceRows((items) => items.filter((t) => tokenKey(t) !== key), -1);
      state.notice.value = { tone: 'ok', text: `Removed "${token.name}".` };
    },
  };
}

export type TokenListActions = ReturnType<typeof createTokenListActions>;
