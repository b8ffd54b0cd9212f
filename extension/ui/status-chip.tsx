// A token's state as a small coloured chip: enabled, disabled or expired; and a second, "leaked", once its value
// was reported as public.
import type { Token } from '../../shared/schemas/token';
import { absoluteDate } from '../core/time-text';

export function tokenStatus(token: Pick<Token, 'enabled' | 'expired'>): 'expired' | 'enabled' | 'disabled' {
  if (token.expired) return 'expired';
  return token.enabled ? 'enabled' : 'disabled';
}

export function StatusChip({ token }: { token: Pick<Token, 'enabled' | 'expired' | 'exposedDate'> }) {
  const status = tokenStatus(token);
  return (
    <>
      {token.exposedDate && (
        <span class="chip chip-leaked" title={`Reported as leaked on ${absoluteDate(token.exposedDate)}`}>
          leaked
        </span>
      )}
      <span class={`chip chip-${status}`}>{status}</span>
    </>
  );
}
