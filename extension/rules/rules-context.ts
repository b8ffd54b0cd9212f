// Hands the injection rules' state and actions to the components of the popup and the options page.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { RulesActions } from './rules-actions';
import type { RulesState } from './rules-state';

export interface Rules {
  state: RulesState;
  actions: RulesActions;
  /** The popup offers tab-scoped rules; the options page has no tab of its own. */
  inPopup: boolean;
}

export const RulesContext = createContext<Rules | null>(null);

export function useRules(): Rules {
  const value = useContext(RulesContext);
  if (value === null) throw new Error('useRules() needs a <RulesContext.Provider> above it.');
  return value;
}
