// What a page says is about the server and the sign-in it was said under. When either changes (another server,
// a sign-out, a sign-in), the notices of the old one are cleared, so that nothing speaks of a token or a rule of
// an account the page no longer shows.
import { effect, type Signal, untracked } from '@preact/signals';
import type { PopupState } from '../../features/tokens/popup-state';

export function clearOnAccountChange(state: PopupState, notices: readonly Signal<unknown>[]): void {
  let shown: string | undefined;
  effect(() => {
    const connection = state.connection.value;
    const account = JSON.stringify([
      state.server.value,
      connection.kind === 'signedIn' ? connection.value.user : null,
    ]);
    if (account === shown) return;
    const first = shown === undefined;
    shown = account;
    if (!first)
      untracked(() => {
        for (const notice of notices) notice.value = null;
      });
  });
}
