// Hands the options page's tables (My tokens, All tokens) and their actions to its components.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AllTokensActions } from './all-tokens-actions';
import type { AllTokensState } from './all-tokens-state';
import type { TokenTableActions } from './token-table-actions';
import type { TokenTableState } from './token-table-state';

export interface AllTokens {
  state: AllTokensState;
  actions: AllTokensActions;
  /** The signed-in user's own tokens, every type and status, in the same table. */
  mine: { state: TokenTableState; actions: TokenTableActions };
}

export const AllTokensContext = createContext<AllTokens | null>(null);

export function useAllTokens(): AllTokens {
  const value = useContext(AllTokensContext);
  if (value === null) throw new Error('useAllTokens() needs an <AllTokensContext.Provider> above it.');
  return value;
}
