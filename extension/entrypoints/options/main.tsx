// Options page entry: the popup's state and actions at full size, plus the All Tokens view.
import { render } from 'preact';
import { createAllTokensActions } from '../../options/all-tokens-actions';
import { createAllTokensState } from '../../options/all-tokens-state';
import { OptionsApp } from '../../options/options-app';
import { AllTokensContext } from '../../options/options-context';
import { createPopupActions } from '../../popup/popup-actions';
import { PopupContext } from '../../popup/popup-context';
import { createPopupState } from '../../popup/popup-state';
import { createRulesActions } from '../../rules/rules-actions';
import { RulesContext } from '../../rules/rules-context';
import { createRulesState } from '../../rules/rules-state';
import { createPageDeps, createRulesDeps, startPageTimers } from '../../utils/page-deps';
import '../../ui/app.css';

const deps = createPageDeps();
const state = createPopupState();
const actions = createPopupActions(state, deps);
const rulesState = createRulesState();
const rulesActions = createRulesActions(rulesState, createRulesDeps(deps, state, false));
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
    <RulesContext.Provider value={{ state: rulesState, actions: rulesActions, inPopup: false }}>
      <AllTokensContext.Provider value={{ state: allState, actions: allActions }}>
        <OptionsApp />
      </AllTokensContext.Provider>
    </RulesContext.Provider>
  </PopupContext.Provider>,
  root,
);
void actions.load();
startPageTimers(actions);
// Rule states change in the background (a refresh, an expiry, a 401): show them while the view is open.
setInterval(() => {
  if (state.screen.value === 'rules' && document.visibilityState === 'visible') void rulesActions.load();
}, 1_000);
