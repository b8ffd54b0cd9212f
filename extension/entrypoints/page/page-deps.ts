// The browser side of PopupDeps for the popup and options pages: storage items, messaging, clipboard, files.
import { computed } from '@preact/signals';
import { browser } from 'wxt/browser';
import { sendMessage } from '../../core/messages';
import { savedServersItem, serverUrlItem, signOutsItem, uiPrefsItem } from '../../core/storage-items';
import type { RulesDeps } from '../../features/rules/rules-actions';
import type { RulesPage } from '../../features/rules/rules-context';
import { openAddPermissions } from '../../features/tokens/add-permissions';
import type { Popup } from '../../features/tokens/popup-context';
import type { PopupDeps } from '../../features/tokens/popup-deps';
import type { PopupState } from '../../features/tokens/popup-state';

/** A file download from a Blob URL: the value never appears in a URL, a history entry or a log. */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function createPageDeps(): PopupDeps {
  return {
    serverUrl: serverUrlItem,
    savedServers: savedServersItem,
    uiPrefs: uiPrefsItem,
    signOuts: signOutsItem,
    send: sendMessage,
    requestOrigin: (pattern) => browser.permissions.request({ origins: [pattern] }),
    copyText: (text) => navigator.clipboard.writeText(text),
    downloadText,
    now: () => Date.now(),
  };
}

/** The browser side of RulesDeps, around the popup's (or options page's) state. */
export function createRulesDeps(deps: PopupDeps, state: PopupState, inPopup: boolean): RulesDeps {
  return {
    send: deps.send,
    server: () => state.server.value,
    user: () => (state.connection.value.kind === 'signedIn' ? state.connection.value.value.user : undefined),
    async activeTabId() {
      if (!inPopup) return undefined;
      const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
      return tab?.id;
    },
    downloadText: deps.downloadText,
    // No await before the request (not even permissions.contains): it would end the click's user gesture,
    // and Chrome then refuses to show the prompt. Origins already granted resolve true without a prompt.
    requestOrigins: (origins) => browser.permissions.request({ origins }),
  };
}

/** The token manager's side of the rules: its server, sign-in and clock, and the way into a token's edit form. */
export function createRulesPage(popup: Popup): RulesPage {
  const { state } = popup;
  return {
    server: state.server,
    signedIn: computed(() => state.connection.value.kind === 'signedIn'),
    now: state.now,
    addPermissions: (token, permissions) => openAddPermissions(popup, token, permissions),
  };
}

/** While a page is open: a light authenticated call keeps a web session alive, and "expires in" ticks. */
export function startPageTimers(actions: { keepAlive(): Promise<void>; tick(): void }): void {
  // Renewal happens in a session's last 5 minutes; a call every 4 minutes always lands in that window.
  setInterval(() => void actions.keepAlive(), 4 * 60_000);
  setInterval(() => actions.tick(), 30_000);
  // Coming back to a page left open (a tab of the options page) checks at once.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      actions.tick();
      void actions.keepAlive();
    }
  });
}
