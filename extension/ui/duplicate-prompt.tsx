// The name of a token's copy, asked in place under its row (popup list and options table alike).

export interface DuplicatePromptProps {
  name: string;
  busy: boolean;
  onName: (name: string) => void;
  onSubmit: () => void;
  onCancel: () => void;
}

export function DuplicatePrompt({ name, busy, onName, onSubmit, onCancel }: DuplicatePromptProps) {
  return (
    <form
      class="row-prompt"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
      onKeyDown={(event) => event.key === 'Escape' && onCancel()}
    >
      <input
        aria-label="Name of the copy"
        value={name}
        maxLength={128}
        ref={(input) => input?.focus()}
        onInput={(event) => onName(event.currentTarget.value)}
      />
      <button type="submit" class="small" disabled={busy}>
        Create copy
      </button>
      <button type="button" class="small ghost" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
