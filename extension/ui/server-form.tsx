// The server URL field and its Save & check button.
import { useEffect, useRef } from 'preact/hooks';

export interface ServerFormProps {
  value: string;
  onInput: (value: string) => void;
  onSubmit: () => void;
  /** Esc: leave the form (adding a server from the signed-in view). */
  onCancel?: () => void;
  /** The field takes the focus as the form opens: it is the one thing to do (first run, or adding a server). */
  focusOnOpen?: boolean;
}

export function ServerForm({ value, onInput, onSubmit, onCancel, focusOnOpen = false }: ServerFormProps) {
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focusOnOpen) field.current?.focus();
  }, []);
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
          ref={field}
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
