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

export function StatusLine({ status }: { status: PopupStatus }) {
  return (
    <p class={`status status-${TONES[status.kind]}`} role="status" aria-live="polite">
      {statusText(status)}
    </p>
  );
}
