// @vitest-environment happy-dom
// The connect screen says why the sign-in form shows, once: a reason the status line already gives is not
// repeated under it.

import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Send } from '../../core/messages';
import { savedServersItem, serverUrlItem, signOutsItem, uiPrefsItem } from '../../core/storage-items';
import { createPopupActions } from './popup-actions';
import { PopupContext } from './popup-context';
import type { PopupDeps } from './popup-deps';
import { createPopupState } from './popup-state';
import { ConnectView } from './popup-views';

afterEach(cleanup);
beforeEach(() => fakeBrowser.reset());

const SERVER = 'http://tokenward.example:8787';

function renderConnect(reason: string, check: { code: 'HOST_ACCESS_REMOVED' | 'NETWORK' } | null) {
  const state = createPopupState();
  const deps: PopupDeps = {
    serverUrl: serverUrlItem,
    savedServers: savedServersItem,
    uiPrefs: uiPrefsItem,
    signOuts: signOutsItem,
    send: (async () => ({ ok: true, value: null })) as Send,
    requestOrigin: vi.fn(async () => true),
    copyText: vi.fn(async () => {}),
    downloadText: vi.fn(),
    now: () => Date.now(),
  };
  const actions = createPopupActions(state, deps);
  state.loaded.value = true;
  state.server.value = SERVER;
  state.servers.value = [SERVER];
  state.connection.value = { kind: 'signedOut', reason };
  state.status.value =
    check === null
      ? { kind: 'checking', url: SERVER }
      : { kind: 'failed', url: SERVER, error: { ...check, message: 'raw', status: 0 } };
  render(
    <PopupContext.Provider value={{ state, actions }}>
      <ConnectView />
    </PopupContext.Provider>,
  );
}

const said = (text: string) =>
  [...document.querySelectorAll('[role="status"], [role="alert"]')].filter(
    (node) => node.textContent === text,
  ).length;

describe('the connect screen', () => {
  it.each([
    [
      'HOST_ACCESS_REMOVED',
      `Access to ${SERVER} was removed in the browser, so tokenward cannot reach the server.`,
    ],
    ['NETWORK', `The server at ${SERVER} is unreachable.`],
  ] as const)('says %s once when the sign-in and the check failed alike', (code, text) => {
    renderConnect(text, { code });
    expect(said(text)).toBe(1);
  });

  it('still says why the sign-in form shows when the status line says something else', () => {
    const ended = `Your sign-in to ${SERVER} has ended; sign in again.`;
    renderConnect(ended, null);
    expect(screen.getByRole('alert').textContent).toBe(ended);
    expect(screen.getByRole('status').textContent).toBe('Checking…');
  });
});
