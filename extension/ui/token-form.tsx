// The token form, new or edited in place: name, description, expiry, enabled, All Permissions or a picked set.

import type { ComponentChildren } from 'preact';
import type { PermissionCatalogue } from '../../shared/schemas/permissions';
import type { Token } from '../../shared/schemas/token';
import { EXPIRY_PRESETS, type ExpiryChoice, type Loadable, type TokenDraft } from '../core/model';
import { absoluteDate } from '../core/time-text';
import { useFocusOnOpen } from './focus-on-open';
import { permissionLabel } from './permission-label';
import { PermissionPicker } from './permission-picker';

export interface TokenFormProps {
  draft: TokenDraft;
  /** The token being edited (or renewed, when expired); null for a new token. */
  editing: Token | null;
  /** Permissions just added by "Grant additional permissions", for the user to review. */
  granted: string[];
  catalogue: Loadable<PermissionCatalogue>;
  held: string[];
  /** Repository names to offer in the picker. */
  knownRepositories: string[];
  missing: string[];
  error: string | null;
  busy: boolean;
  onChange: (patch: Partial<TokenDraft>) => void;
  onSubmit: () => void;
  onGrant: () => void;
  onCancel: () => void;
  onRetryCatalogue: () => void;
}

function submitLabel(editing: Token | null, busy: boolean): string {
  if (editing === null) return busy ? 'Creating…' : 'Create token';
  if (editing.expired) return busy ? 'Renewing…' : 'Renew and enable';
  return busy ? 'Saving…' : 'Save changes';
}

export function TokenForm(props: TokenFormProps) {
  const { draft, catalogue, onChange, editing } = props;
  // The first field the user can change takes the focus as the form opens.
  const first = useFocusOnOpen<HTMLInputElement & HTMLTextAreaElement>();
  return (
    <form
      class="token-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          props.onCancel();
        }
      }}
    >
      <label for="token-name">Name</label>
      <input
        id="token-name"
        ref={editing === null ? first : undefined}
        maxLength={128}
        value={draft.name}
        readOnly={editing !== null}
        title={editing !== null ? 'A token keeps its name; duplicate it to get another name.' : undefined}
        onInput={(event) => onChange({ name: event.currentTarget.value })}
      />
      <label for="token-description">Description</label>
      <textarea
        id="token-description"
        ref={editing !== null ? first : undefined}
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
            const chosen = event.currentTarget.value;
            const expiry: ExpiryChoice =
              chosen === 'keep' ? 'keep' : (EXPIRY_PRESETS.find((p) => p.id === chosen)?.id ?? 'date');
            onChange({ expiry });
          }}
        >
          {editing !== null && !editing.expired && (
            <option value="keep">Keep: {absoluteDate(editing.expirationDate)}</option>
          )}
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
      {editing?.expired && (
        <p class="hint">Expired {absoluteDate(editing.expirationDate)}. A new expiration enables it again.</p>
      )}
      {editing === null && (
        <label class="check">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(event) => onChange({ enabled: event.currentTarget.checked })}
          />
          <span>Enabled</span>
        </label>
      )}
      <fieldset class="permissions-choice">
        <legend>Permissions</legend>
        <label class="check">
          <input
            type="radio"
            name="restricted"
            checked={!draft.restricted}
            onChange={() => onChange({ restricted: false })}
          />
          <span>All Permissions</span>
        </label>
        <label class="check">
          <input
            type="radio"
            name="restricted"
            checked={draft.restricted}
            onChange={() => onChange({ restricted: true })}
          />
          <span>Choose permissions</span>
        </label>
      </fieldset>
      {draft.restricted &&
        (catalogue.kind === 'ready' ? (
          <PermissionPicker
            catalogue={catalogue.value}
            held={props.held}
            knownRepositories={props.knownRepositories}
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
      {/* The offer and the buttons stay at the bottom of the view: granting, then saving, never needs a scroll. */}
      <div class="form-footer">
        {props.missing.length > 0 && (
          <div class="offer" role="alert">
            <p class="offer-text">The permissions you picked also need:</p>
            <ul class="offer-list">
              {props.missing.map((permission) => (
                <li key={permission}>
                  {permissionLabel(permission)} <code>{permission}</code>
                </li>
              ))}
            </ul>
            <button type="button" onClick={props.onGrant} disabled={props.busy}>
              Grant additional permissions
            </button>
          </div>
        )}
        {props.granted.length > 0 && (
          // A notice per grant: each takes the focus from the button that went away with the offer.
          <GrantedNotice key={props.granted.join()}>
            Added {props.granted.map(permissionLabel).join(', ')}. Review the permissions, then{' '}
            {editing === null ? 'create the token' : 'save'}.
          </GrantedNotice>
        )}
        {props.error && (
          <p class="form-error" role="alert">
            {props.error}
          </p>
        )}
        <div class="row spread">
          <button type="submit" disabled={props.busy}>
            {submitLabel(editing, props.busy)}
          </button>
          <button type="button" class="ghost" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </form>
  );
}

/** What "Grant additional permissions" added; focused as it appears, so the next Tab reaches the submit button. */
function GrantedNotice({ children }: { children: ComponentChildren }) {
  const notice = useFocusOnOpen<HTMLParagraphElement>();
  return (
    <p class="notice notice-ok" role="status" tabIndex={-1} ref={notice}>
      {children}
    </p>
  );
}
