// Background service worker: answers the popup's messages; all server calls happen here.
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { createApiClient } from '../../shared/api-client';
import { createMessageHandlers, registerMessageHandlers } from '../background/message-handlers';

export default defineBackground(() => {
  const handlers = createMessageHandlers({
    createApiClient,
    fetch: (input, init) => fetch(input, init),
    timeoutMs: 5_000,
  });
  registerMessageHandlers(browser.runtime.onMessage, handlers);
});
