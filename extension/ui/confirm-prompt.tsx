// "Really?" under a row before something is disabled, removed or ended; for the current session it says this
// signs you out.
import type { ComponentChildren } from 'preact';
import type { Token } from '../../shared/schemas/token';
import { confirmText } from './current-marker';
import { useFocusOnOpen } from './focus-on-open';

export interface RowPromptProps {
  /** What happens if the user says yes. */
  children: ComponentChildren;
  /** The yes button's label: says what it does ("Yes, remove"). */
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A question in place, answered by a danger button or Cancel (focused, so Enter never destroys by accident). */
export function RowPrompt({ children, confirmLabel, busy, onConfirm, onCancel }: RowPromptProps) {
  const cancel = useFocusOnOpen<HTMLButtonElement>();
  return (
    <form
      class="row-prompt"
      onSubmit={(event) => {
        event.preventDefault();
        onConfirm();
      }}
      onKeyDown={(event) => event.key === 'Escape' && onCancel()}
    >
      <span class="confirm-text">{children}</span>
      <span class="confirm-buttons">
        <button type="submit" class="small danger" disabled={busy}>
          {confirmLabel}
        </button>
        <button type="button" class="small ghost" ref={cancel} onClick={onCancel}>
          Cancel
        </button>
      </span>
    </form>
  );
}

/**
 * The question a click on Enable or Disable asks first, or null to act at once: switching off the session this
 * browser is signed in with signs it out; switching on a token reported as leaked puts a public value to work.
 */
export function toggleQuestion(
  token: Pick<Token, 'current' | 'enabled' | 'exposed'>,
): 'disable' | 'enable' | null {
  if (token.enabled) return token.current ? 'disable' : null;
  return token.exposed ? 'enable' : null;
}

const YES = { disable: 'Yes, disable', remove: 'Yes, remove', enable: 'Yes, enable' } as const;

export interface ConfirmPromptProps {
  kind: 'disable' | 'remove' | 'enable';
  token: { current: boolean; type: 'USER' | 'SESSION'; exposedDate?: string | null };
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmPrompt({ kind, token, busy, onConfirm, onCancel }: ConfirmPromptProps) {
  return (
    <RowPrompt confirmLabel={YES[kind]} busy={busy} onConfirm={onConfirm} onCancel={onCancel}>
      {confirmText(kind, token)}
    </RowPrompt>
  );
}
