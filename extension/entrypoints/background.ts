// Background service worker: answers the UI's messages and keeps header injection in step with each token's life.
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { createBrowserDnrPort } from '../background/dnr-port';
import { watchPause } from '../background/pause-indicator';
import { createServiceWorker } from '../background/service-worker';
import { injectionSettingsItem } from '../core/storage-items';

export default defineBackground(() => {
  const report = (what: string) => (error: unknown) => console.error(`tokenward: ${what} failed`, error);
  const injection = createServiceWorker({
    dnr: createBrowserDnrPort(),
    now: () => Date.now(),
    timeoutMs: 5_000,
    access: browser.permissions,
  });

  // Listeners are added synchronously, so each of these events wakes a stopped service worker.
  browser.alarms.onAlarm.addListener((alarm) => void injection.onAlarm(alarm).catch(report('an alarm')));
  // Observation only (no blocking): a 401 or 403 on a request a rule matched is kept for the pages to explain
  // (the headers carry a 403's missing permissions), and a 401 asks the server about that token now.
  browser.webRequest.onCompleted.addListener(
    (details) => void injection.onResponse(details).catch(report('a 401/403 check')),
    { urls: ['http://*/*', 'https://*/*'] },
    ['responseHeaders'],
  );
  browser.tabs.onActivated.addListener(({ tabId }) => {
    void browser.tabs
      .get(tabId)
      .then((tab) => injection.badgeFor(tab))
      .catch(report('the badge'));
  });
  browser.tabs.onUpdated.addListener((tabId, change, tab) => {
    if (change.url !== undefined || change.status === 'complete')
      void injection.badgeFor({ id: tabId, ...(tab.url && { url: tab.url }) }).catch(report('the badge'));
    // A removal the background did not hear of (it was asleep, or the browser sent no event) shows when a page opens.
    if (change.status === 'loading') void injection.checkAccess().catch(report('the host access check'));
  });
  // Host access taken away (Firefox allows it even for the listed hosts) or given back: the rules say so.
  browser.permissions.onRemoved.addListener(() => void injection.changed().catch(report('host access')));
  browser.permissions.onAdded.addListener(() => void injection.changed().catch(report('host access')));
  browser.tabs.onRemoved.addListener(
    (tabId) => void injection.tabClosed(tabId).catch(report('closing a tab')),
  );
  // An expiry notice: its button (Chrome) or the notice itself (Firefox shows no buttons) extends the token.
  browser.notifications.onButtonClicked.addListener(
    (id) => void injection.notices.clicked(id).catch(report('extending a token')),
  );
  browser.notifications.onClicked.addListener((id) => {
    if (!injection.notices.isNotice(id)) return;
    if (import.meta.env.BROWSER === 'firefox')
      void injection.notices.clicked(id).catch(report('extending a token'));
    else void browser.runtime.openOptionsPage().catch(report('opening the options page'));
  });
  // The worker's console (and the Chromium tests) can press a notice's button: no notification centre headless.
  Object.assign(globalThis, { tokenward: { notices: injection.notices } });
  browser.runtime.onStartup.addListener(() => void injection.browserStarted().catch(report('start-up')));
  void injection.start().catch(report('reconciling the rules'));
  void watchPause(injectionSettingsItem, browser.action).catch(report('the pause indicator'));
});
