// A token's leases in its details: how many are live and when one was last used, and ending them all (asked first).
import type { LeaseSummary } from '../../shared/schemas/lease';
import { lastUsedText } from '../core/time-text';
import { RowPrompt } from './confirm-prompt';
import { plural } from './plural';

export type LeaseSummaryState =
  | { kind: 'loading' }
  | { kind: 'failed'; message: string }
  | { kind: 'ready'; summary: LeaseSummary };

export interface LeaseSummaryProps {
  state: LeaseSummaryState;
  now: number;
  confirming: boolean;
  busy: boolean;
  onAsk: () => void;
  onCancel: () => void;
  onEnd: () => void;
}

export function LeaseSummaryView({
  state,
  now,
  confirming,
  busy,
  onAsk,
  onCancel,
  onEnd,
}: LeaseSummaryProps) {
  if (state.kind === 'loading') return <span class="muted">Loading…</span>;
  if (state.kind === 'failed') return <span role="alert">{state.message}</span>;
  const { live, lastUsedDate } = state.summary;
  const used = lastUsedDate === null ? 'never used' : lastUsedText(lastUsedDate, now);
  const text =
    live === 0
      ? `none live${lastUsedDate === null ? '' : ` (${used})`}`
      : `${plural(live, 'live lease')}, ${used}`;
  return (
    <div class="lease-summary">
      <span>{text}</span>
      {live > 0 &&
        (confirming ? (
          <RowPrompt
            confirmLabel={`Yes, end ${live === 1 ? 'it' : 'them'}`}
            busy={busy}
            onConfirm={onEnd}
            onCancel={onCancel}
          >
            End {live === 1 ? 'its lease' : `all ${live} leases`}? Whatever sends {live === 1 ? 'it' : 'them'}{' '}
            is refused from now on; the token itself keeps working.
          </RowPrompt>
        ) : (
          <button type="button" class="small ghost danger-text" disabled={busy} onClick={onAsk}>
            End all leases
          </button>
        ))}
    </div>
  );
}
