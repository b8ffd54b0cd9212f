// The popup's layout: reads state from context and passes plain props to the leaf components.

import { usePopup } from './popup-context';
import { ServerForm } from './server-form';
import { StatusLine } from './status-line';

export function PopupApp() {
  const { state, actions } = usePopup();
  return (
    <main class="popup">
      <header>
        <h1>tokenward</h1>
      </header>
      {/* The form waits for storage so a half-typed URL is never overwritten by the saved one. */}
      {state.loaded.value && (
        <ServerForm
          value={state.urlInput.value}
          onInput={actions.setUrlInput}
          onSubmit={() => void actions.save()}
        />
      )}
      <StatusLine status={state.status.value} />
    </main>
  );
}
