// The popup's layout: connect until signed in, then the token screens.

import { PauseSwitch } from '../../features/rules/pause-switch';
import { TabOutcomes } from '../../features/rules/rule-outcome';
import { useRules } from '../../features/rules/rules-context';
import { RulesPanel } from '../../features/rules/rules-panel';
import { usePopup } from '../../features/tokens/popup-context';
import {
  AccountBar,
  ConnectView,
  CreatedView,
  NewTokenView,
  TokensView,
} from '../../features/tokens/popup-views';
import { Segmented } from '../../ui/segmented';

const POPUP_VIEWS = [
  { value: 'tokens', label: 'Tokens' },
  { value: 'rules', label: 'Injection' },
] as const;

export function PopupApp() {
  const { state, actions } = usePopup();
  const rules = useRules();
  const signedIn = state.connection.value.kind === 'signedIn' && !state.addingServer.value;
  return (
    <main class="page popup">
      <header class="top">
        <h1>tokenward</h1>
        <AccountBar />
      </header>
      {signedIn && <TabOutcomes />}
      {signedIn && (
        <nav class="views">
          <Segmented
            label="View"
            options={POPUP_VIEWS}
            value={state.screen.value === 'rules' ? 'rules' : 'tokens'}
            onChange={(view) => {
              actions.show(view);
              if (view === 'rules') void rules.actions.load();
            }}
          />
          <PauseSwitch />
        </nav>
      )}
      <ManagerBody />
    </main>
  );
}

/** What the signed-in user works with, or the connect form; shared by popup and options page. */
export function ManagerBody() {
  const { state } = usePopup();
  const connection = state.connection.value;
  if (connection.kind === 'unknown') return <p class="placeholder">Loading…</p>;
  if (connection.kind === 'signedOut' || state.addingServer.value) return <ConnectView />;
  switch (state.screen.value) {
    case 'new':
    case 'edit':
      return <NewTokenView />;
    case 'created':
      return <CreatedView />;
    case 'rules':
      return <RulesPanel />;
    default:
      return <TokensView />;
  }
}
