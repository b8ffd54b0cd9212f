// The server URL field and its Save & check button.
export interface ServerFormProps {
  value: string;
  onInput: (value: string) => void;
  onSubmit: () => void;
  /** Esc: leave the form (adding a server from the signed-in view). */
  onCancel?: () => void;
}

export function ServerForm({ value, onInput, onSubmit, onCancel }: ServerFormProps) {
  return (
    <form
      class="server-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && onCancel) {
          event.preventDefault();
          onCancel();
        }
      }}
    >
      <label for="server-url">Server URL</label>
      <div class="row">
        <input
          id="server-url"
          type="url"
          inputMode="url"
          spellcheck={false}
          autocomplete="off"
          placeholder="http://127.0.0.1:8787"
          value={value}
          onInput={(event) => onInput(event.currentTarget.value)}
        />
        <button type="submit">Save &amp; check</button>
      </div>
    </form>
  );
}
