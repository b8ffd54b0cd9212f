// The small user icon beside the session (or token) this browser is signed in with, and its words for screen readers.
import { absoluteDate } from '../core/time-text';

/** What the marker says, also used in confirmations: disabling or removing it signs this browser out. */
export function currentLabel(type: 'USER' | 'SESSION'): string {
  return type === 'SESSION' ? 'your current session' : 'the token this browser is signed in with';
}

export function CurrentMarker({ type }: { type: 'USER' | 'SESSION' }) {
  const label = currentLabel(type);
  return (
    <span class="current-marker" title={`This is ${label}`}>
      <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14" focusable="false">
        <circle cx="8" cy="4.75" r="3" fill="currentColor" />
        <path d="M2 14.5c0-3.2 2.7-5.25 6-5.25s6 2.05 6 5.25z" fill="currentColor" />
      </svg>
      <span class="visually-hidden">({label})</span>
    </span>
  );
}

/**
 * The question before disabling or removing a token (for the current one, that it signs this browser out), or
 * before enabling one reported as leaked (its value is public).
 */
export function confirmText(
  kind: 'disable' | 'remove' | 'enable',
  token: { current: boolean; type: 'USER' | 'SESSION'; exposedDate?: string | null },
) {
  if (kind === 'enable')
    return `Enable it again? It was reported as leaked${token.exposedDate ? ` on ${absoluteDate(token.exposedDate)}` : ''}: whoever has seen its value can use it. Duplicate gives a new value instead.`;
  const verb = kind === 'disable' ? 'Disable' : 'Remove';
  if (token.current)
    return `${verb} ${currentLabel(token.type)}? This signs you out; you will sign in again.`;
  return kind === 'disable'
    ? 'Disable it? It stops working at once.'
    : 'Remove it? It stops working at once.';
}
