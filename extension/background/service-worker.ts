// The background's object graph: message handlers and injection lifecycle over storage, the server client
// and a DNR port. The entrypoint adds browser events; tests build the same graph with a fake DNR port.
import { browser } from 'wxt/browser';
import { createApiClient, HostAccessRemovedError } from '../../shared/api-client';
import type { HostAccessPort } from '../core/host-access';
import { createOutcomeRecorder, requestOutcomesItem } from '../core/request-outcomes';
import {
  credentialsItem,
  expiryNoticeSettingsItem,
  grantedOriginsItem,
  injectionSettingsItem,
  keptTokensItem,
  ruleStatusItem,
  rulesItem,
  signOutsItem,
  tokenStatesItem,
} from '../core/storage-items';
import type { KeyFile } from './device-seal';
import type { DnrPort } from './dnr-port';
import { createExpiryNotices, type ExpiryNotices, expiryNoticesSentItem } from './expiry-notices';
import { createInjectionLifecycle, type InjectionLifecycle } from './injection-lifecycle';
import { createBackground, registerMessageHandlers } from './message-handlers';
import { createRuleSync } from './rule-sync';

export interface ServiceWorkerDeps {
  dnr: DnrPort;
  now: () => number;
  /** How long a server call may take before it counts as unreachable. */
  timeoutMs: number;
  /** Where the key of values kept on this device lives; the origin's private file system when left out. */
  keyFile?: KeyFile;
  /** The browser's host permissions (`browser.permissions`). */
  access: HostAccessPort;
}

/** `fetch`, except that a failure to reach an origin whose host access the user removed says so. */
async function fetchWithAccess(
  access: HostAccessPort,
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (error) {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const granted = await access.contains({ origins: [`${url.origin}/*`] }).catch(() => true);
    if (!granted) throw new HostAccessRemovedError(url.origin);
    throw error;
  }
}

/** Builds the graph and starts answering the UI's messages; the caller starts injection (`start()`). */
export function createServiceWorker({
  dnr,
  now,
  timeoutMs,
  keyFile,
  access,
}: ServiceWorkerDeps): InjectionLifecycle & { notices: ExpiryNotices; checkAccess(): Promise<void> } {
  let lifecycle: InjectionLifecycle | undefined;
  const background = createBackground({
    createApiClient,
    fetch: (input, init) => fetchWithAccess(access, input, init),
    timeoutMs,
    credentials: credentialsItem,
    keptTokens: keptTokensItem,
    injection: {
      dnr,
      now,
      changed: async () => {
        await lifecycle?.changed();
      },
      ...(keyFile && { keyFile }),
    },
  });
  const notices = createExpiryNotices({
    rules: rulesItem,
    status: ruleStatusItem,
    tokens: tokenStatesItem,
    settings: expiryNoticeSettingsItem,
    sent: expiryNoticesSentItem,
    alarms: browser.alarms,
    notifications: browser.notifications,
    extend: (ref, seconds) =>
      background.handlers.updateToken({ ...ref, patch: { expirationTimeout: seconds } }),
    buttons: import.meta.env.BROWSER !== 'firefox',
    now,
  });
  // New thresholds on the options page: the next notice is rescheduled at once.
  expiryNoticeSettingsItem.watch(() => void notices.run().catch(() => undefined));
  const sync = createRuleSync({
    dnr,
    rules: rulesItem,
    settings: injectionSettingsItem,
    values: background.values,
    tokens: tokenStatesItem,
    confirmed: background.confirmed,
    leases: background.leases,
    status: ruleStatusItem,
    access,
    grantedOrigins: grantedOriginsItem,
    now,
  });
  lifecycle = createInjectionLifecycle({
    sync,
    checks: background.checks,
    rules: rulesItem,
    settings: injectionSettingsItem,
    tokens: tokenStatesItem,
    alarms: browser.alarms,
    badge: browser.action,
    tabs: browser.tabs,
    outcomes: createOutcomeRecorder({ outcomes: requestOutcomesItem, now }),
    notices,
    leases: background.leases,
    now,
  });
  // A sign-in (or sign-out) changes what can mint leases: rules waiting for it resume at once.
  credentialsItem.watch(() => void lifecycle?.changed().catch(() => undefined));
  // Why a sign-in ended is written just after it ends: leases minted with a sign-in the user ended stop then.
  signOutsItem.watch(() => void lifecycle?.changed().catch(() => undefined));
  registerMessageHandlers(browser.runtime.onMessage, background.handlers);
  const started = lifecycle;
  return {
    ...started,
    notices,
    /** A page opened: if a host grant was removed (or given back) since the last run, the rules say so now. */
    async checkAccess() {
      if (await sync.accessChanged()) await started.changed();
    },
    async start() {
      await background.values.tidy();
      await started.start();
    },
  };
}
