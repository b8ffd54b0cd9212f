// The copy a Duplicate makes, asked in place under its row (popup list and options table alike): its name and
// when it expires, by default after as long as the original was made to live.
import type { Token } from '../../shared/schemas/token';
import { type DuplicateDraft, type DuplicateExpiry, EXPIRY_PRESETS } from '../core/model';
import { duration } from '../core/time-text';
import { lifetimeSeconds } from '../core/token-draft';
import { useFocusOnOpen } from './focus-on-open';

export interface DuplicatePromptProps {
  source: Token;
  draft: DuplicateDraft;
  busy: boolean;
  onChange: (patch: Partial<DuplicateDraft>) => void;
  onSubmit: () => void;
  onCancel: () => void;
}

function expiryOf(value: string): DuplicateExpiry {
  if (value === 'same' || value === 'date') return value;
  return EXPIRY_PRESETS.find((preset) => preset.id === value)?.id ?? 'same';
}

export function DuplicatePrompt({ source, draft, busy, onChange, onSubmit, onCancel }: DuplicatePromptProps) {
  const first = useFocusOnOpen<HTMLInputElement>();
  return (
    <form
      class="row-prompt duplicate-prompt"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
      onKeyDown={(event) => event.key === 'Escape' && onCancel()}
    >
      <input
        aria-label="Name of the copy"
        value={draft.name}
        maxLength={128}
        ref={first}
        onInput={(event) => onChange({ name: event.currentTarget.value })}
      />
      <label class="duplicate-expiry">
        <span>Expires after</span>
        <select
          aria-label="The copy expires after"
          value={draft.expiry}
          onChange={(event) => onChange({ expiry: expiryOf(event.currentTarget.value) })}
        >
          <option value="same">{duration(lifetimeSeconds(source))}, as the original</option>
          {EXPIRY_PRESETS.map((preset) => (
            <option key={preset.id} value={preset.id}>
              {preset.label}
            </option>
          ))}
          <option value="date">On a date…</option>
        </select>
        {draft.expiry === 'date' && (
          <input
            type="date"
            aria-label="Expiration date of the copy"
            value={draft.date}
            onInput={(event) => onChange({ date: event.currentTarget.value })}
          />
        )}
      </label>
      <span class="confirm-buttons">
        <button type="submit" class="small" disabled={busy}>
          Create copy
        </button>
        <button type="button" class="small ghost" onClick={onCancel}>
          Cancel
        </button>
      </span>
    </form>
  );
}
