// The popup's layout: connect until signed in, then the token screens.
import { usePopup } from './popup-context';
import { AccountBar, ConnectView, CreatedView, NewTokenView, TokensView } from './popup-views';

export function PopupApp() {
  return (
    <main class="page popup">
      <header class="top">
        <h1>tokenward</h1>
        <AccountBar />
      </header>
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
      return <NewTokenView />;
    case 'created':
      return <CreatedView />;
    default:
      return <TokensView />;
  }
}
