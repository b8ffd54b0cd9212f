// Options page entry: the popup's state and actions at full size, with the token tables and All Tokens.
import { effect, untracked } from '@preact/signals';
import { createAllTokensActions } from '../../features/tokens/all-tokens-actions';
import { AllTokensContext } from '../../features/tokens/all-tokens-context';
import { createAllTokensState } from '../../features/tokens/all-tokens-state';
import { createTokenTableActions } from '../../features/tokens/token-table-actions';
import { createTokenTableState } from '../../features/tokens/token-table-state';
import { clearOnAccountChange } from '../page/account-change';
import { mountPage } from '../page/mount-page';
import { OptionsApp } from './options-app';

mountPage({
  inPopup: false,
  wrap({ state, actions, deps }, app) {
    const allState = createAllTokensState();
    const allActions = createAllTokensActions(allState, {
      send: deps.send,
      server: () => state.server.value,
      unauthorized: actions.lapsed,
    });
    const mineState = createTokenTableState();
    const mineActions = createTokenTableActions(mineState, {
      send: deps.send,
      server: () => state.server.value,
      // The same views as the popup's: API or session tokens, active or expired.
      query: () => ({ type: state.tab.value, status: state.filter.value }),
      unauthorized: actions.lapsed,
      created: (token) => actions.showCreated(token),
    });
    clearOnAccountChange(state, [mineState.list.notice, allState.table.list.notice]);
    // The table follows the sign-in, and shows what the form just saved when the user comes back to it.
    effect(() => {
      const signedIn = state.connection.value.kind === 'signedIn';
      // Untracked: the refresh reads and writes the list, which must not re-run this effect.
      if (signedIn && state.screen.value === 'tokens') untracked(() => void mineActions.list.refresh());
    });
    return (
      <AllTokensContext.Provider
        value={{ state: allState, actions: allActions, mine: { state: mineState, actions: mineActions } }}
      >
        {app}
      </AllTokensContext.Provider>
    );
  },
  App: OptionsApp,
});
