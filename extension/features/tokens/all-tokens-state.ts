// The All Tokens view (administrators): its filters and its table.
import { signal } from '@preact/signals';
import type { TokenType } from '../../../shared/schemas/token';
import { createTokenTableState } from './token-table-state';

export function createAllTokensState() {
  return {
    /** A user name; empty means every user. */
    owner: signal(''),
    type: signal<TokenType | ''>(''),
    status: signal<'active' | 'expired' | ''>(''),
    table: createTokenTableState(),
  };
}

export type AllTokensState = ReturnType<typeof createAllTokensState>;
