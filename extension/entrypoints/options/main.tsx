// Options page entry: the popup's state and actions at full size, plus the All Tokens view.
import { render } from 'preact';
import { createAllTokensActions } from '../../options/all-tokens-actions';
import { createAllTokensState } from '../../options/all-tokens-state';
import { OptionsApp } from '../../options/options-app';
import { AllTokensContext } from '../../options/options-context';
import { createPopupActions } from '../../popup/popup-actions';
import { PopupContext } from '../../popup/popup-context';
import { createPopupState } from '../../popup/popup-state';
import { createPageDeps, startPageTimers } from '../../utils/page-deps';
import '../../ui/app.css';

const deps = createPageDeps();
const state = createPopupState();
const actions = createPopupActions(state, deps);
const allState = createAllTokensState();
const allActions = createAllTokensActions(allState, {
  send: deps.send,
  server: () => state.server.value,
  unauthorized: actions.lapsed,
});

const root = document.getElementById('app');
if (root === null) throw new Error('options.html has no #app element.');
render(
  <PopupContext.Provider value={{ state, actions }}>
    <AllTokensContext.Provider value={{ state: allState, actions: allActions }}>
      <OptionsApp />
    </AllTokensContext.Provider>
  </PopupContext.Provider>,
  root,
);
void actions.load();
startPageTimers(actions);
