// What the popup's and options page's actions need from the outside world, as plain functions and items.
import type { Send } from '../../core/messages';
import type { SignOut, UiPrefs, ValueItem } from '../../core/storage-items';

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
