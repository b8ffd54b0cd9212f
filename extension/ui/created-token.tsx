// The value of a new token, shown once, with Copy, Download and the choice to keep it for injection.
import type { CreatedToken } from '../../shared/schemas/token';
import { absoluteDate, expiryText } from '../core/time-text';

export interface CreatedTokenProps {
  token: CreatedToken;
  now: number;
  copied: boolean;
  kept: boolean;
  error: string | null;
  onCopy: () => void;
  onDownload: () => void;
  onKeep: (kept: boolean) => void;
  onDone: () => void;
}

export function CreatedTokenPanel(props: CreatedTokenProps) {
  const { token } = props;
  return (
    <section class="created" aria-labelledby="created-title">
      <h2 id="created-title">Token “{token.name}” created</h2>
      <p class="hint created-expiry">
        {token.enabled ? 'Enabled' : 'Disabled'}; {expiryText(token.expirationDate, token.expired, props.now)}{' '}
        ({absoluteDate(token.expirationDate)}).
      </p>
      <p class="warning">Copy the value now: it is shown only this once.</p>
      <output class="token-value" aria-label="Token value">
        {token.token}
      </output>
      <div class="row">
        <button type="button" onClick={props.onCopy}>
          {props.copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" class="ghost" onClick={props.onDownload}>
          Download .txt
        </button>
      </div>
      <label class="check keep">
        <input
          type="checkbox"
          checked={props.kept}
          onChange={(event) => props.onKeep(event.currentTarget.checked)}
        />
        <span>
          Keep for injection
          <small>
            Held in this browser session only (unless you keep values on this device); choose it in a rule
            under Injection.
          </small>
        </span>
      </label>
      {props.error && (
        <p class="form-error" role="alert">
          {props.error}
        </p>
      )}
      <button type="button" class="ghost done" onClick={props.onDone}>
        Done
      </button>
    </section>
  );
}
