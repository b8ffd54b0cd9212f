// Popup entry: wires storage, messaging and permissions into the popup's state and renders it.
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { sendMessage } from '../../background/messages';
import { createPopupActions } from '../../popup/popup-actions';
import { PopupApp } from '../../popup/popup-app';
import { PopupContext } from '../../popup/popup-context';
import { createPopupState } from '../../popup/popup-state';
import { serverUrlItem } from '../../utils/storage-items';
import '../../popup/popup.css';

const state = createPopupState();
const actions = createPopupActions(state, {
  serverUrl: serverUrlItem,
  checkServer: (url) => sendMessage('checkServer', { url }),
  requestOrigin: (pattern) => browser.permissions.request({ origins: [pattern] }),
});

const root = document.getElementById('app');
if (root === null) throw new Error('popup.html has no #app element.');
render(
  <PopupContext.Provider value={{ state, actions }}>
    <PopupApp />
  </PopupContext.Provider>,
  root,
);
void actions.load();
