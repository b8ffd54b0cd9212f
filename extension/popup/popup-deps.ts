// What the popup's and options page's actions need from the outside world, as plain functions and items.
import type { ApiError, Result } from '../../shared/api-client';
import type { MessageRequest, MessageResponse, MessageType } from '../background/messages';
import type { SignOut, UiPrefs, ValueItem } from '../utils/storage-items';

export type Send = <K extends MessageType>(type: K, data: MessageRequest<K>) => Promise<MessageResponse<K>>;

export interface PopupDeps {
  /** The active server. */
  serverUrl: ValueItem<string>;
  savedServers: ValueItem<string[]>;
  uiPrefs: ValueItem<UiPrefs>;
  /** Why the background last dropped each server's credential; every open page follows it. */
  signOuts: {
    watch(listener: (next: Record<string, SignOut>, before: Record<string, SignOut>) => void): () => void;
  };
  send: Send;
  /** Resolves true when the user grants access to the match pattern. */
  requestOrigin(pattern: string): Promise<boolean>;
  copyText(text: string): Promise<void>;
  /** Saves `text` as a file, without putting it in a URL anyone could read back. */
  downloadText(fileName: string, text: string): void;
  now(): number;
}

const NO_ANSWER: ApiError = {
  code: 'BAD_RESPONSE',
  status: 0,
  message: "tokenward's background did not answer.",
};

/** A message whose answer never came (the background was reloaded, say) reads as a failed Result. */
export function guard<T>(answer: Promise<Result<T>>): Promise<Result<T>> {
  return answer.catch(() => ({ ok: false, error: NO_ANSWER }));
}
