// Background service worker: answers the UI's messages; all server calls and all held secrets live here.
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { createApiClient } from '../../shared/api-client';
import { createMessageHandlers, registerMessageHandlers } from '../background/message-handlers';
import { credentialsItem, keptTokensItem } from '../utils/storage-items';

export default defineBackground(() => {
  const handlers = createMessageHandlers({
    createApiClient,
    fetch: (input, init) => fetch(input, init),
    timeoutMs: 5_000,
    credentials: credentialsItem,
    keptTokens: keptTokensItem,
  });
  registerMessageHandlers(browser.runtime.onMessage, handlers);
});
