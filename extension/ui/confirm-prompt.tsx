// "Really?" under a row before it is disabled or removed; for the current session it says this signs you out.
import { confirmText } from './current-marker';

export interface ConfirmPromptProps {
  kind: 'disable' | 'remove';
  token: { current: boolean; type: 'USER' | 'SESSION' };
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmPrompt({ kind, token, busy, onConfirm, onCancel }: ConfirmPromptProps) {
  return (
    <form
      class="row-prompt"
      onSubmit={(event) => {
        event.preventDefault();
        onConfirm();
      }}
      onKeyDown={(event) => event.key === 'Escape' && onCancel()}
    >
      <span class="confirm-text">{confirmText(kind, token)}</span>
      <span class="confirm-buttons">
        <button type="submit" class="small danger" disabled={busy}>
          {kind === 'remove' ? 'Yes, remove' : 'Yes, disable'}
        </button>
        <button type="button" class="small ghost" ref={(button) => button?.focus()} onClick={onCancel}>
          Cancel
        </button>
      </span>
    </form>
  );
}
