// Hands the injection rules' state and actions to the components of the popup and the options page.
import type { ReadonlySignal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Token } from '../../../shared/schemas/token';
import type { RulesActions } from './rules-actions';
import type { RulesState } from './rules-state';

/** What the rules need of the page around them; the page's wiring hands it in from the token manager. */
export interface RulesPage {
  /** The server the page works with. */
  server: ReadonlySignal<string>;
  signedIn: ReadonlySignal<boolean>;
  /** The page's clock: "expires in" and "ago" move with it. */
  now: ReadonlySignal<number>;
  /**
   * "Add it to <token>": the edit form of that token with the permissions ticked for review. A string says why
   * it cannot be done here.
   */
  addPermissions(token: Token, permissions: string[]): Promise<string | null>;
}

export interface Rules {
  state: RulesState;
  actions: RulesActions;
  /** The popup offers tab-scoped rules; the options page has no tab of its own. */
  inPopup: boolean;
  page: RulesPage;
}

export const RulesContext = createContext<Rules | null>(null);

export function useRules(): Rules {
  const value = useContext(RulesContext);
  if (value === null) throw new Error('useRules() needs a <RulesContext.Provider> above it.');
  return value;
}
