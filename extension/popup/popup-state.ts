// Popup state as signals: the URL being edited, whether storage has loaded, and the last check's status.
import { signal } from '@preact/signals';
import type { ApiError } from '../../shared/api-client';
import type { Version } from '../../shared/schemas/info';

export type PopupStatus =
  | { kind: 'idle' }
  | { kind: 'checking'; url: string }
  | { kind: 'connected'; url: string; version: Version }
  | { kind: 'failed'; url: string; error: ApiError }
  /** Nothing was sent: the URL is invalid, permission was refused, or the background did not answer. */
  | { kind: 'problem'; message: string };

export function createPopupState() {
  return {
    urlInput: signal(''),
    loaded: signal(false),
    status: signal<PopupStatus>({ kind: 'idle' }),
  };
}

export type PopupState = ReturnType<typeof createPopupState>;
