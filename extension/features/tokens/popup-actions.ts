// Everything the popup (and the options page) can do, built from the connect, list and new-token actions.

import type { TokenType } from '../../../shared/schemas/token';
import { createConnectActions } from './connect-actions';
import { createLeaseActions } from './lease-actions';
import { createNewTokenActions } from './new-token-actions';
import type { PopupDeps } from './popup-deps';
import type { PopupState, Screen } from './popup-state';
import { createTokenListActions } from './token-list-actions';

export type { PopupDeps } from './popup-deps';

export function createPopupActions(state: PopupState, deps: PopupDeps) {
  const mine = createTokenListActions(state.mine, {
    send: deps.send,
    server: () => state.server.value,
    query: () => ({ type: state.tab.value, status: state.filter.value }),
    unauthorized: () => connect.lapsed(),
    created: (token) => newToken.show(token),
  });
  const newToken = createNewTokenActions(state, deps, {
    unauthorized: () => connect.lapsed(),
    changed: () => mine.refresh(),
  });
  const connect = createConnectActions(state, deps, {
    signedIn: async () => {
      state.catalogue.value = { kind: 'idle' };
      await mine.reload();
    },
  });

  async function savePrefs(): Promise<void> {
    await deps.uiPrefs.setValue({ tab: state.tab.value, status: state.filter.value });
  }

  return {
    ...connect,
    ...newToken,
    mine,
    leases: createLeaseActions(deps.send, () => state.server.value),
    /** Shows a new token's value once (after a duplicate made elsewhere, e.g. the options table). */
    showCreated: newToken.show,

    async setTab(tab: TokenType): Promise<void> {
      state.tab.value = tab;
      await savePrefs();
      await mine.reload();
    },

    async setFilter(filter: 'active' | 'expired'): Promise<void> {
      state.filter.value = filter;
      await savePrefs();
      await mine.reload();
    },

    /** The same choice for a page that lists the tokens its own way (the options page's table). */
    async chooseView(view: { tab?: TokenType; filter?: 'active' | 'expired' }): Promise<void> {
      if (view.tab) state.tab.value = view.tab;
      if (view.filter) state.filter.value = view.filter;
      await savePrefs();
    },

    show(screen: Screen): void {
      state.screen.value = screen;
    },

    tick(): void {
      state.now.value = deps.now();
    },
  };
}

export type PopupActions = ReturnType<typeof createPopupActions>;
