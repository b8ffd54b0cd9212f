// The new-token form: name, description, expiry, enabled, and All Permissions or a picked set.
import type { PermissionCatalogue } from '../../shared/schemas/permissions';
import type { Loadable } from '../popup/popup-state';
import { EXPIRY_PRESETS, type ExpiryChoice, type TokenDraft } from '../popup/token-draft';
import { PermissionPicker } from './permission-picker';

export interface TokenFormProps {
  draft: TokenDraft;
  catalogue: Loadable<PermissionCatalogue>;
  held: string[];
  missing: string[];
  error: string | null;
  busy: boolean;
  onChange: (patch: Partial<TokenDraft>) => void;
  onSubmit: () => void;
  onGrant: () => void;
  onCancel: () => void;
  onRetryCatalogue: () => void;
}

export function TokenForm(props: TokenFormProps) {
  const { draft, catalogue, onChange } = props;
  return (
    <form
      class="token-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      <label for="token-name">Name</label>
      <input
        id="token-name"
        maxLength={128}
        value={draft.name}
        onInput={(event) => onChange({ name: event.currentTarget.value })}
      />
      <label for="token-description">Description</label>
      <textarea
        id="token-description"
        rows={2}
        maxLength={1024}
        value={draft.description}
        onInput={(event) => onChange({ description: event.currentTarget.value })}
      />
      <label for="token-expiry">Expires after</label>
      <div class="row">
        <select
          id="token-expiry"
          value={draft.expiry}
          onChange={(event) => {
            const expiry = EXPIRY_PRESETS.find((p) => p.id === event.currentTarget.value)?.id ?? 'date';
            onChange({ expiry: expiry as ExpiryChoice });
          }}
        >
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
            aria-label="Expiration date"
            value={draft.date}
            onInput={(event) => onChange({ date: event.currentTarget.value })}
          />
        )}
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(event) => onChange({ enabled: event.currentTarget.checked })}
        />
        Enabled
      </label>
      <fieldset class="permissions-choice">
        <legend>Permissions</legend>
        <label class="check">
          <input
            type="radio"
            name="restricted"
            checked={!draft.restricted}
            onChange={() => onChange({ restricted: false })}
          />
          All Permissions
        </label>
        <label class="check">
          <input
            type="radio"
            name="restricted"
            checked={draft.restricted}
            onChange={() => onChange({ restricted: true })}
          />
          Choose permissions
        </label>
      </fieldset>
      {draft.restricted &&
        (catalogue.kind === 'ready' ? (
          <PermissionPicker
            catalogue={catalogue.value}
            held={props.held}
            general={draft.general}
            repositories={draft.repositories}
            onGeneral={(general) => onChange({ general })}
            onRepositories={(repositories) => onChange({ repositories })}
          />
        ) : catalogue.kind === 'failed' ? (
          <div class="placeholder error">
            <p role="alert">{catalogue.message}</p>
            <button type="button" class="small" onClick={props.onRetryCatalogue}>
              Try again
            </button>
          </div>
        ) : (
          <p class="placeholder">Loading permissions…</p>
        ))}
      {props.missing.length > 0 && (
        <div class="offer" role="alert">
          <p class="offer-text">
            These permissions also need <strong>{props.missing.join(', ')}</strong>.
          </p>
          <button type="button" onClick={props.onGrant} disabled={props.busy}>
            Grant additional permissions
          </button>
        </div>
      )}
      {props.error && (
        <p class="form-error" role="alert">
          {props.error}
        </p>
      )}
      <div class="row spread">
        <button type="submit" disabled={props.busy}>
          {props.busy ? 'Creating…' : 'Create token'}
        </button>
        <button type="button" class="ghost" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
