// Background side of the message map: the handlers and the single onMessage listener that routes to them.
import * as v from 'valibot';
import type { ApiClient, ApiClientOptions } from '../../shared/api-client';
import type { KeptToken, StoredCredential, ValueItem } from '../utils/storage-items';
import { createCredentialStore } from './credential-store';
import {
  EnvelopeSchema,
  type MessageHandlers,
  type MessageResponse,
  type MessageType,
  messageSchemas,
} from './messages';
import { createServerCalls } from './server-calls';
import { createSessionHandlers } from './session-handlers';
import { createTokenHandlers } from './token-handlers';

export interface MessageHandlerDeps {
  createApiClient: (options: ApiClientOptions) => ApiClient;
  fetch: typeof fetch;
  /** A server that accepts the connection but never answers must not leave the popup "Checking…". */
  timeoutMs: number;
  /** Session storage: credential values per server. */
  credentials: ValueItem<Record<string, StoredCredential>>;
  /** Session storage: token values kept for injection. */
  keptTokens: ValueItem<KeptToken[]>;
}

export function createMessageHandlers(deps: MessageHandlerDeps): MessageHandlers {
  const credentials = createCredentialStore(deps.credentials);
  const calls = createServerCalls({ ...deps, credentials });
  return {
    checkServer: ({ url }) => calls.client(url).version(),
    ...createSessionHandlers(calls, credentials),
    ...createTokenHandlers(calls, deps.keptTokens),
  };
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
