// One line telling whether the configured server can be reached.
import type { PopupStatus } from '../core/model';
import { statusText } from './status-text';

const TONES: Record<PopupStatus['kind'], string> = {
  idle: 'idle',
  checking: 'pending',
  connected: 'ok',
  failed: 'error',
  problem: 'error',
};

export interface StatusLineProps {
  status: PopupStatus;
  /** Shown when the user removed the browser's access to the server: asks for it again. */
  onGrantAccess?: () => void;
}

export function StatusLine({ status, onGrantAccess }: StatusLineProps) {
  const removed = status.kind === 'failed' && status.error.code === 'HOST_ACCESS_REMOVED';
  return (
    <>
      <p class={`status status-${TONES[status.kind]}`} role="status" aria-live="polite">
        {statusText(status)}
      </p>
      {removed && onGrantAccess && (
        <button type="button" class="small" onClick={onGrantAccess}>
          Grant access again
        </button>
      )}
    </>
  );
}
