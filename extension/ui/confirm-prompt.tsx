// "Really?" under a row before something is disabled, removed or ended; for the current session it says this
// signs you out.
import type { ComponentChildren } from 'preact';
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

export interface ConfirmPromptProps {
  kind: 'disable' | 'remove';
  token: { current: boolean; type: 'USER' | 'SESSION' };
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmPrompt({ kind, token, busy, onConfirm, onCancel }: ConfirmPromptProps) {
  return (
    <RowPrompt
      confirmLabel={kind === 'remove' ? 'Yes, remove' : 'Yes, disable'}
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      {confirmText(kind, token)}
    </RowPrompt>
  );
}
