// The All Tokens view's actions: filter by owner, type and status; enable, disable and remove anyone's token.
import type { TokenType } from '../../shared/schemas/token';
import type { Send } from '../popup/popup-deps';
import { createTokenListActions } from '../popup/token-list-actions';
import type { AllTokensState } from './all-tokens-state';

export interface AllTokensDeps {
  send: Send;
  server(): string;
  unauthorized(): void;
}

export function createAllTokensActions(state: AllTokensState, deps: AllTokensDeps) {
  const list = createTokenListActions(state.list, {
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
  return {
    list,
    setOwner(owner: string): void {
      state.owner.value = owner;
    },
    async setType(type: TokenType | ''): Promise<void> {
      state.type.value = type;
      await list.reload();
    },
    async setStatus(status: 'active' | 'expired' | ''): Promise<void> {
      state.status.value = status;
      await list.reload();
    },
  };
}

export type AllTokensActions = ReturnType<typeof createAllTokensActions>;
