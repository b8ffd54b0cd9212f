// One token: name, status chip, expiry and last use, the session marker, and its actions.
import type { Token } from '../../shared/schemas/token';
import type { RowPrompt } from '../popup/token-list-state';
import { StatusChip } from './status-chip';
import { expiryText, lastUsedText } from './time-text';

export interface TokenRowProps {
  token: Token;
  now: number;
  /** The All Tokens view names the owner and offers no duplicate: only owners may duplicate. */
  showOwner: boolean;
  busy: boolean;
  prompt: RowPrompt['kind'] | null;
  duplicateName: string;
  onToggle: () => void;
  onAsk: (kind: RowPrompt['kind']) => void;
  onCancel: () => void;
  onDuplicateName: (name: string) => void;
  onDuplicate: () => void;
  onRemove: () => void;
}

export function TokenRow(props: TokenRowProps) {
  const { token, now, showOwner, busy, prompt } = props;
  const canDuplicate = !showOwner && token.type === 'USER';
  // Expired session tokens can only be removed; expired API tokens need a new expiry to be enabled again.
  const canToggle = !token.expired && !token.current;
  const label = showOwner ? `${token.name} (${token.user})` : token.name;
  return (
    <li class={`token-row${busy ? ' busy' : ''}`} aria-label={label} aria-busy={busy}>
      <div class="token-head">
        <span class="token-name" title={token.description || token.name}>
          {token.name}
        </span>
        {token.current && <span class="chip chip-current">this session</span>}
        <StatusChip token={token} />
      </div>
      <div class="token-meta">
        {showOwner && <span class="owner">{token.user}</span>}
        {token.type === 'SESSION' && <span>{token.source}</span>}
        <span>{expiryText(token.expirationDate, token.expired, now)}</span>
        <span>{lastUsedText(token.lastUsedDate, now)}</span>
        {token.type === 'USER' && <span>{token.restricted ? 'restricted' : 'all permissions'}</span>}
      </div>
      {prompt === 'duplicate' ? (
        <form
          class="row-prompt"
          onSubmit={(event) => {
            event.preventDefault();
            props.onDuplicate();
          }}
        >
          <input
            aria-label="Name of the copy"
            value={props.duplicateName}
            maxLength={128}
            onInput={(event) => props.onDuplicateName(event.currentTarget.value)}
          />
          <button type="submit" class="small" disabled={busy}>
            Create copy
          </button>
          <button type="button" class="small ghost" onClick={props.onCancel}>
            Cancel
          </button>
        </form>
      ) : prompt === 'remove' ? (
        <div class="row-prompt">
          <span class="confirm-text">Remove it? It stops working at once.</span>
          <button type="button" class="small danger" disabled={busy} onClick={props.onRemove}>
            Yes, remove
          </button>
          <button type="button" class="small ghost" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      ) : (
        <div class="token-actions">
          {canToggle && (
            <button type="button" class="small ghost" disabled={busy} onClick={props.onToggle}>
              {token.enabled ? 'Disable' : 'Enable'}
            </button>
          )}
          {canDuplicate && (
            <button
              type="button"
              class="small ghost"
              disabled={busy}
              onClick={() => props.onAsk('duplicate')}
            >
              Duplicate
            </button>
          )}
          <button
            type="button"
            class="small ghost danger-text"
            disabled={busy}
            onClick={() => props.onAsk('remove')}
          >
            Remove
          </button>
        </div>
      )}
    </li>
  );
}
