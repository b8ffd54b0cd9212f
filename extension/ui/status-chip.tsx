// A token's state as a small coloured chip: enabled, disabled or expired.
import type { Token } from '../../shared/schemas/token';

export function tokenStatus(token: Pick<Token, 'enabled' | 'expired'>): 'expired' | 'enabled' | 'disabled' {
  if (token.expired) return 'expired';
  return token.enabled ? 'enabled' : 'disabled';
}

export function StatusChip({ token }: { token: Pick<Token, 'enabled' | 'expired'> }) {
  const status = tokenStatus(token);
  return <span class={`chip chip-${status}`}>{status}</span>;
}
