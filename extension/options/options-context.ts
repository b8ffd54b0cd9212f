// Hands the All Tokens state and actions to the options page's components.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AllTokensActions } from './all-tokens-actions';
import type { AllTokensState } from './all-tokens-state';

export interface AllTokens {
  state: AllTokensState;
  actions: AllTokensActions;
}

export const AllTokensContext = createContext<AllTokens | null>(null);

export function useAllTokens(): AllTokens {
  const value = useContext(AllTokensContext);
  if (value === null) throw new Error('useAllTokens() needs an <AllTokensContext.Provider> above it.');
  return value;
}
