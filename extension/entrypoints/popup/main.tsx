// Popup entry: wires storage, messaging and browser APIs into the shared state and actions, and renders.
import { render } from 'preact';
import { createPopupActions } from '../../popup/popup-actions';
import { PopupApp } from '../../popup/popup-app';
import { PopupContext } from '../../popup/popup-context';
import { createPopupState } from '../../popup/popup-state';
import { createPageDeps, startPageTimers } from '../../utils/page-deps';
import '../../ui/app.css';

const state = createPopupState();
const actions = createPopupActions(state, createPageDeps());

const root = document.getElementById('app');
if (root === null) throw new Error('popup.html has no #app element.');
render(
  <PopupContext.Provider value={{ state, actions }}>
    <PopupApp />
  </PopupContext.Provider>,
  root,
);
void actions.load();
startPageTimers(actions);
