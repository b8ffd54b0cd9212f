// Background side of the message map: the handlers and the single onMessage listener that routes to them.
import * as v from 'valibot';
import type { ApiClient, ApiClientOptions } from '../../shared/api-client';
import type { InjectionRule, TokenRef } from '../../shared/schemas/injection-rules';
import { DEFAULT_LEASE_TTL_SECONDS } from '../../shared/schemas/lease';
import { type RuleStatus, type TokenState, tokenKey } from '../core/dnr-rules';
import {
  EnvelopeSchema,
  type MessageHandlers,
  type MessageResponse,
  type MessageType,
  messageSchemas,
} from '../core/messages';
import {
  confirmedTokensItem,
  type HeldLease,
  type InjectionSettings,
  injectionSettingsItem,
  type KeptToken,
  leasesItem,
  legacyDeviceTokensItem,
  ruleStatusItem,
  rulesItem,
  type Sealed,
  type SignOut,
  type StoredCredential,
  sealedTokensItem,
  signOutsItem,
  tokenStatesItem,
  type ValueItem,
} from '../core/storage-items';
import { createAccessHandlers } from './access-handlers';
import { createCredentialStore } from './credential-store';
import { createDeviceSeal, createOpfsKeyFile, type KeyFile } from './device-seal';
import { createBrowserDnrPort, type DnrPort } from './dnr-port';
import { createLeaseKeeper } from './lease-keeper';
import { createLeaseSummaryHandlers } from './lease-summary-handlers';
import { createRuleHandlers } from './rule-handlers';
import { createServerCalls } from './server-calls';
import { createSessionHandlers } from './session-handlers';
import { createTokenChecks } from './token-checks';
import { createTokenHandlers } from './token-handlers';
import { createValueStore } from './value-store';

export interface MessageHandlerDeps {
  createApiClient: (options: ApiClientOptions) => ApiClient;
  fetch: typeof fetch;
  /** A server that accepts the connection but never answers must not leave the popup "Checking…". */
  timeoutMs: number;
  /** Session storage: credential values per server. */
  credentials: ValueItem<Record<string, StoredCredential>>;
  /** Session storage: why each server's credential was last dropped; the storage item when left out. */
  signOuts?: ValueItem<Record<string, SignOut>>;
  /** Session storage: token values kept for injection. */
  keptTokens: ValueItem<KeptToken[]>;
  /** Injection rules and their storage; the storage items and the browser's DNR when left out. */
  injection?: Partial<InjectionDeps>;
}

export interface InjectionDeps {
  /** Local storage for sealed values, used only when the user opted in to keep them on this device. */
  device: ValueItem<Sealed | null>;
  /** Where older versions kept values in plain text. */
  legacyDevice: ValueItem<KeptToken[]>;
  /** The file holding the key the device values are sealed under. */
  keyFile: KeyFile;
  /** Tokens their server confirmed in this browser session. */
  confirmed: ValueItem<string[]>;
  settings: ValueItem<InjectionSettings>;
  rules: ValueItem<InjectionRule[]>;
  tokens: ValueItem<Record<string, TokenState>>;
  status: ValueItem<Record<string, RuleStatus>>;
  dnr: Pick<DnrPort, 'isRegexSupported'>;
  /** Session storage: the lease each bound token injects. */
  leases: ValueItem<Record<string, HeldLease>>;
  /** How long each lease lives, in seconds. */
  leaseTtlSeconds: number;
  /** Reconcile DNR rules, alarms and the badge after a change. */
  changed(): Promise<void>;
  now(): number;
}

/** Everything the background answers with, plus the parts the injection lifecycle shares. */
export function createBackground(deps: MessageHandlerDeps) {
  const credentials = createCredentialStore({
    credentials: deps.credentials,
    signOuts: deps.signOuts ?? signOutsItem,
    now: () => deps.injection?.now?.() ?? Date.now(),
  });
  const calls = createServerCalls({ ...deps, credentials });
  const injection: InjectionDeps = {
    device: sealedTokensItem,
    legacyDevice: legacyDeviceTokensItem,
    keyFile: createOpfsKeyFile(),
    confirmed: confirmedTokensItem,
    settings: injectionSettingsItem,
    rules: rulesItem,
    tokens: tokenStatesItem,
    status: ruleStatusItem,
    dnr: { isRegexSupported: (regex) => createBrowserDnrPort().isRegexSupported(regex) },
    leases: leasesItem,
    leaseTtlSeconds: DEFAULT_LEASE_TTL_SECONDS,
    changed: async () => {},
    now: () => Date.now(),
    ...deps.injection,
  };
  const values = createValueStore({
    session: deps.keptTokens,
    device: injection.device,
    legacy: injection.legacyDevice,
    seal: createDeviceSeal(injection.keyFile),
    settings: injection.settings,
  });
  const checks = createTokenChecks({
    calls,
    values,
    rules: injection.rules,
    tokens: injection.tokens,
    confirmed: injection.confirmed,
    now: injection.now,
  });
  const leases = createLeaseKeeper({
    calls,
    credentials,
    values,
    rules: injection.rules,
    settings: injection.settings,
    tokens: injection.tokens,
    leases: injection.leases,
    checks,
    ttlSeconds: injection.leaseTtlSeconds,
    now: injection.now,
  });
  /** A token changed on its server through the extension: learn its new state before the rules are rebuilt. */
  async function tokenChanged(ref: TokenRef): Promise<void> {
    // Its lease is minted again: a disabled token's lease stops now, a re-enabled one's rule resumes.
    leases.renew([tokenKey(ref)]);
    await checks.checkBound((other) => tokenKey(other) === tokenKey(ref));
    await injection.changed();
  }
  const handlers: MessageHandlers = {
    checkServer: ({ url }) => calls.client(url).version(),
    ...createAccessHandlers(calls),
    ...createSessionHandlers(calls, credentials),
    ...createTokenHandlers(calls, values, {
      tokenChanged,
      valuesChanged: injection.changed,
      valueKept: checks.confirm,
      switchedOff: credentials.endedIfOwn,
    }),
    ...createRuleHandlers({ ...injection, values, checks, calls, credentials, leases }),
    ...createLeaseSummaryHandlers(calls),
  };
  return { handlers, checks, values, calls, leases, confirmed: injection.confirmed };
}

export function createMessageHandlers(deps: MessageHandlerDeps): MessageHandlers {
  return createBackground(deps).handlers;
}

type SendResponse = (response?: unknown) => void;

/** The part of `browser.runtime.onMessage` the background needs. */
export interface OnMessagePort {
  addListener(
    listener: (message: unknown, sender: unknown, sendResponse: SendResponse) => boolean | undefined,
  ): void;
}

export function registerMessageHandlers(onMessage: OnMessagePort, handlers: MessageHandlers): void {
  // sendResponse + `return true` rather than returning a promise: it works in every Chrome and in
  // WXT's fake browser, which ignores promises returned by listeners.
  onMessage.addListener(function routeMessage(message, _sender, sendResponse) {
    const envelope = v.safeParse(EnvelopeSchema, message);
    if (!envelope.success) return false;
    const { type, data } = envelope.output;
    const answer = dispatch(type, data, handlers);
    if (answer === undefined) return false;
    answer.then(sendResponse, (error: unknown) => {
      console.error(`tokenward: the ${type} handler failed`, error);
      sendResponse(undefined);
    });
    return true;
  });
}

/** Runs the handler for a valid request; undefined (no answer) for an invalid one. */
function dispatch<K extends MessageType>(
  type: K,
  data: unknown,
  handlers: MessageHandlers,
): Promise<MessageResponse<K>> | undefined {
  const request = v.safeParse(messageSchemas[type].request, data);
  if (!request.success) {
    console.warn(`tokenward: ignored an invalid ${type} message: ${v.summarize(request.issues)}`);
    return undefined;
  }
  return handlers[type](request.output);
}
