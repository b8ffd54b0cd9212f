// The one mount function of the popup and the options page: state, actions, contexts, timers, rule updates.
import type { ComponentChildren, ComponentType } from 'preact';
import { render } from 'preact';
import { injectionSettingsItem, ruleStatusItem, rulesItem, tokenStatesItem } from '../../core/storage-items';
import { createRulesActions } from '../../features/rules/rules-actions';
import { RulesContext } from '../../features/rules/rules-context';
import { createRulesState } from '../../features/rules/rules-state';
import { createPopupActions, type PopupActions } from '../../features/tokens/popup-actions';
import { PopupContext } from '../../features/tokens/popup-context';
import type { PopupDeps } from '../../features/tokens/popup-deps';
import { createPopupState, type PopupState } from '../../features/tokens/popup-state';
import { clearOnAccountChange } from './account-change';
import { createPageDeps, createRulesDeps, createRulesPage, startPageTimers } from './page-deps';
import '../../ui/app.css';

export interface Page {
  state: PopupState;
  actions: PopupActions;
  deps: PopupDeps;
}

export interface MountOptions {
  inPopup: boolean;
  App: ComponentType;
  /** Extra providers around the app (the options page's tables). */
  wrap?: (page: Page, app: ComponentChildren) => ComponentChildren;
}

export function mountPage({ inPopup, App, wrap }: MountOptions): Page {
  const deps = createPageDeps();
  // The user is looking: every bound token is asked about now (before anything else is drawn), so one re-enabled
  // on the server resumes at once instead of at the next refresh.
  void deps.send('refreshTokens', {}).catch(() => undefined);
  const state = createPopupState();
  const actions = createPopupActions(state, deps);
  const rulesState = createRulesState();
  const rulesActions = createRulesActions(rulesState, createRulesDeps(deps, state, inPopup));
  const page = { state, actions, deps };
  const root = document.getElementById('app');
  if (root === null) throw new Error('The page has no #app element.');
  const app = <App />;
  render(
    <PopupContext.Provider value={{ state, actions }}>
      <RulesContext.Provider
        value={{
          state: rulesState,
          actions: rulesActions,
          inPopup,
          page: createRulesPage({ state, actions }),
        }}
      >
        {wrap ? wrap(page, app) : app}
      </RulesContext.Provider>
    </PopupContext.Provider>,
    root,
  );
  clearOnAccountChange(state, [
    state.notice,
    state.mine.notice,
    rulesState.notice,
    rulesState.settingsNotice,
    rulesState.importReport,
  ]);
  void actions.load();
  actions.watchSignOuts();
  startPageTimers(actions);
  // Rule states change in the background (a refresh, an expiry, a 401): storage changes redraw the view
  // while it shows, instead of polling every second.
  const reloadRules = () => {
    if (state.screen.value === 'rules') void rulesActions.load();
  };
  for (const item of [rulesItem, ruleStatusItem, tokenStatesItem, injectionSettingsItem])
    item.watch(reloadRules);
  return page;
}
