// One token: name, status chip, expiry and last use, the session marker, its actions and its details.

import type { ComponentChildren } from 'preact';
import type { Token } from '../../shared/schemas/token';
import type { DuplicateDraft, RowPrompt } from '../core/model';
import { absoluteDate, expiryText, lastUsedText } from '../core/time-text';
import { ConfirmPrompt, toggleQuestion } from './confirm-prompt';
import { CurrentMarker } from './current-marker';
import { DuplicatePrompt } from './duplicate-prompt';
import { StatusChip } from './status-chip';
import { TokenDetails } from './token-details';

export interface TokenRowProps {
  token: Token;
  now: number;
  /** The All Tokens view names the owner and offers no duplicate or edit: only owners may. */
  showOwner: boolean;
  busy: boolean;
  prompt: RowPrompt['kind'] | null;
  duplicate: DuplicateDraft;
  expanded: boolean;
  /** Why this sign-in cannot change tokens (a restricted API token); the actions show unavailable. */
  locked: string | null;
  onToggle: () => void;
  onAsk: (kind: RowPrompt['kind']) => void;
  onCancel: () => void;
  onDuplicateChange: (patch: Partial<DuplicateDraft>) => void;
  onDuplicate: () => void;
  onRemove: () => void;
  onEdit: () => void;
  onDetails: () => void;
  /** The token's leases, shown in its details. */
  leases?: ComponentChildren;
}

export function TokenRow(props: TokenRowProps) {
  const { token, now, showOwner, busy, prompt, locked } = props;
  const owned = !showOwner;
  const canDuplicate = owned && token.type === 'USER';
  // Expired session tokens can only be removed; an expired API token is enabled again by renewing it. The
  // current session can be switched off like any other, after a question: it signs this browser out.
  const canToggle = !token.expired;
  const canEdit = owned && token.type === 'USER';
  const label = showOwner ? `${token.name} (${token.user})` : token.name;
  const off = busy || locked !== null;
  const why = locked ?? undefined;
  return (
    <li class={`token-row${busy ? ' busy' : ''}`} aria-label={label} aria-busy={busy}>
      <div class="token-head">
        <span
          class="token-name"
          title={token.description ? `${token.name}: ${token.description}` : token.name}
        >
          {token.name}
        </span>
        {token.current && <CurrentMarker type={token.type} />}
        <StatusChip token={token} />
      </div>
      <div class="token-meta">
        {showOwner && <span class="owner">{token.user}</span>}
        {token.type === 'SESSION' && <span>{token.source}</span>}
        <span title={absoluteDate(token.expirationDate)}>
          {expiryText(token.expirationDate, token.expired, now)}
        </span>
        <span>{lastUsedText(token.lastUsedDate, now)}</span>
        {token.type === 'USER' && <span>{token.restricted ? 'restricted' : 'all permissions'}</span>}
      </div>
      {props.expanded && <TokenDetails token={token} now={now} leases={props.leases} />}
      {prompt === 'duplicate' ? (
        <DuplicatePrompt
          source={token}
          draft={props.duplicate}
          busy={busy}
          onChange={props.onDuplicateChange}
          onSubmit={() => props.onDuplicate()}
          onCancel={props.onCancel}
        />
      ) : prompt === 'remove' || prompt === 'disable' || prompt === 'enable' ? (
        <ConfirmPrompt
          kind={prompt}
          token={token}
          busy={busy}
          onConfirm={prompt === 'remove' ? props.onRemove : props.onToggle}
          onCancel={props.onCancel}
        />
      ) : (
        <div class="token-actions">
          <button type="button" class="small ghost" aria-expanded={props.expanded} onClick={props.onDetails}>
            {props.expanded ? 'Hide details' : 'Details'}
          </button>
          {canEdit && (
            <button type="button" class="small ghost" disabled={off} title={why} onClick={props.onEdit}>
              {token.expired ? 'Renew…' : 'Edit'}
            </button>
          )}
          {canToggle && (
            <button
              type="button"
              class="small ghost"
              disabled={off}
              title={why}
              onClick={() => {
                const question = toggleQuestion(token);
                if (question) props.onAsk(question);
                else props.onToggle();
              }}
            >
              {token.enabled ? 'Disable' : 'Enable'}
            </button>
          )}
          {canDuplicate && (
            <button
              type="button"
              class="small ghost"
              disabled={off}
              title={why}
              onClick={() => props.onAsk('duplicate')}
            >
              Duplicate
            </button>
          )}
          <button
            type="button"
            class="small ghost danger-text"
            disabled={off}
            title={why}
            onClick={() => props.onAsk('remove')}
          >
            Remove
          </button>
        </div>
      )}
    </li>
  );
}
