// Popup entry: wires storage, messaging and browser APIs into the shared state and actions, and renders.
import { render } from 'preact';
import { createPopupActions } from '../../popup/popup-actions';
import { PopupApp } from '../../popup/popup-app';
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
const rulesActions = createRulesActions(rulesState, createRulesDeps(deps, state, true));

const root = document.getElementById('app');
if (root === null) throw new Error('popup.html has no #app element.');
render(
  <PopupContext.Provider value={{ state, actions }}>
    <RulesContext.Provider value={{ state: rulesState, actions: rulesActions, inPopup: true }}>
      <PopupApp />
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
