// The All Tokens view (administrators): its filters and its list.
import { signal } from '@preact/signals';
import type { TokenType } from '../../shared/schemas/token';
import { createTokenListState } from '../popup/token-list-state';

export function createAllTokensState() {
  return {
    /** A user name; empty means every user. */
    owner: signal(''),
    type: signal<TokenType | ''>(''),
    status: signal<'active' | 'expired' | ''>(''),
    list: createTokenListState(),
  };
}

export type AllTokensState = ReturnType<typeof createAllTokensState>;
