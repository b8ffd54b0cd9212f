// The All Tokens view's actions: filter by owner, type and status; enable, disable and remove anyone's token.
import type { TokenType } from '../../../shared/schemas/token';
import type { Send } from '../../core/messages';
import type { AllTokensState } from './all-tokens-state';
import { createTokenTableActions } from './token-table-actions';

export interface AllTokensDeps {
  send: Send;
  server(): string;
  unauthorized(): void;
}

/** Typing in Owner refreshes after a pause, keeping the rows in place: a click on a row is never lost. */
const OWNER_DEBOUNCE_MS = 300;

export function createAllTokensActions(state: AllTokensState, deps: AllTokensDeps) {
  const table = createTokenTableActions(state.table, {
    send: deps.send,
    server: deps.server,
    query: () => ({
      user: state.owner.value.trim() || '*',
      ...(state.type.value && { type: state.type.value }),
      ...(state.status.value && { status: state.status.value }),
    }),
    unauthorized: deps.unauthorized,
    // Only owners may duplicate, and the All Tokens rows offer no Duplicate.
    created: () => {},
  });
  let ownerTimer: ReturnType<typeof setTimeout> | undefined;
  return {
    table,
    list: table.list,
    setOwner(owner: string): void {
      state.owner.value = owner;
      clearTimeout(ownerTimer);
      ownerTimer = setTimeout(() => void table.list.refresh(), OWNER_DEBOUNCE_MS);
    },
    async setType(type: TokenType | ''): Promise<void> {
      state.type.value = type;
      await table.list.refresh();
    },
    async setStatus(status: 'active' | 'expired' | ''): Promise<void> {
      state.status.value = status;
      await table.list.refresh();
    },
  };
}

export type AllTokensActions = ReturnType<typeof createAllTokensActions>;
