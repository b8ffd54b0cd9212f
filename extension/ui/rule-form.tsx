// The rule editor: which token, URL patterns, optional request types, whose requests, and the broad-pattern check.
import { RESOURCE_TYPES, type ResourceType, type TokenRef } from '../../shared/schemas/injection-rules';
import { tokenKey } from '../core/dnr-rules';
import type { RuleDraft } from '../core/model';
import { ANY_PAGE_WARNING, BROAD_WARNING } from '../core/url-patterns';
import { useFocusOnOpen } from './focus-on-open';
import { resourceTypeLabel } from './resource-types';
import { UrlCheck } from './url-check';

export interface RuleFormProps {
  draft: RuleDraft;
  /** The draft's pattern box, one pattern a line. */
  patterns: string[];
  held: TokenRef[];
  broad: boolean;
  error: string | null;
  /** Waiting for the browser's permission prompt: what to do there. */
  waiting: string | null;
  busy: boolean;
  offerThisTab: boolean;
  onChange: (patch: Partial<RuleDraft>) => void;
  onSubmit: () => void;
  onCancel: () => void;
  onPaste: () => void;
  /** The URL of the tab the page speaks about, for the URL check. */
  tabUrl: () => Promise<string | undefined>;
}

/** The draft as the URL check sees it: its patterns as typed, the token chosen (or a placeholder). */
function draftCandidate(draft: RuleDraft, patterns: string[], held: TokenRef[]) {
  const token = held.find((ref) => tokenKey(ref) === draft.token) ?? {
    server: '',
    user: '',
    name: 'no token yet',
  };
  const resourceTypes = draft.resourceTypes.length > 0 ? draft.resourceTypes : undefined;
  return {
    rule: { id: draft.id ?? 0, token, patterns, ...(resourceTypes && { resourceTypes }) },
    status: undefined,
  };
}

export function RuleForm(props: RuleFormProps) {
  const { draft, onChange } = props;
  const first = useFocusOnOpen<HTMLSelectElement>();
  const toggleType = (type: ResourceType, on: boolean) =>
    onChange({
      resourceTypes: on
        ? [...draft.resourceTypes, type]
        : draft.resourceTypes.filter((other) => other !== type),
    });
  return (
    <form
      class="rule-form"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
      onKeyDown={(event) => event.key === 'Escape' && props.onCancel()}
    >
      <label>
        Token
        <select
          ref={first}
          value={draft.token}
          onChange={(event) => onChange({ token: event.currentTarget.value })}
        >
          <option value="">Choose a token…</option>
          {props.held.map((ref) => (
            <option key={tokenKey(ref)} value={tokenKey(ref)}>
              {ref.name} ({ref.user}, {ref.server})
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="link" onClick={props.onPaste}>
        Paste the value of a token created elsewhere
      </button>
      <label>
        URL patterns
        <textarea
          rows={3}
          spellcheck={false}
          placeholder={'api.example.com/v1\n127.0.0.1:3000\n/^https:\\/\\/api\\.example\\.com\\/v[12]\\//'}
          value={draft.patterns}
          onInput={(event) => onChange({ patterns: event.currentTarget.value })}
        />
        <small>
          One per line: host, optional port (none means 80/443) and path prefix (whole segments, case
          matters); no scheme means http and https; <code>*.</code> for subdomains; or a /regular expression/
          starting <code>^https:\/\/host\/</code>.
        </small>
      </label>
      <UrlCheck
        draft
        candidates={[draftCandidate(draft, props.patterns, props.held)]}
        tabUrl={props.tabUrl}
      />
      <fieldset class="types">
        <legend>Request types (none ticked: all)</legend>
        {RESOURCE_TYPES.map((type) => (
          <label key={type} class="check">
            <input
              type="checkbox"
              checked={draft.resourceTypes.includes(type)}
              onChange={(event) => toggleType(type, event.currentTarget.checked)}
            />
            <span>{resourceTypeLabel(type)}</span>
          </label>
        ))}
      </fieldset>
      <fieldset class="pages">
        <legend>Send the token on requests from</legend>
        <label class="check">
          <input
            type="radio"
            name="pages"
            checked={draft.pages === 'own'}
            onChange={() => onChange({ pages: 'own' })}
          />
          <span>
            Its own site
            <small>
              Pages on the site of the URL, and addresses you open yourself: typed, bookmarked, or a link you
              follow (GET and HEAD only).
            </small>
          </span>
        </label>
        <label class="check">
          <input
            type="radio"
            name="pages"
            checked={draft.pages === 'listed'}
            onChange={() => onChange({ pages: 'listed' })}
          />
          <span>Only pages on these hosts</span>
        </label>
        {draft.pages === 'listed' && (
          <input
            aria-label="Only from pages on"
            placeholder="app.example.com, other hosts comma-separated"
            spellcheck={false}
            value={draft.initiators}
            onInput={(event) => onChange({ initiators: event.currentTarget.value })}
          />
        )}
        <label class="check">
          <input
            type="radio"
            name="pages"
            checked={draft.pages === 'any'}
            onChange={() => onChange({ pages: 'any' })}
          />
          <span>Any page</span>
        </label>
        {draft.pages === 'any' && (
          <label class="check warning">
            <input
              type="checkbox"
              checked={draft.anyPageConfirmed}
              onChange={(event) => onChange({ anyPageConfirmed: event.currentTarget.checked })}
            />
            <span>{ANY_PAGE_WARNING} I understand.</span>
          </label>
        )}
      </fieldset>
      {props.offerThisTab && (
        <label class="check">
          <input
            type="checkbox"
            checked={draft.thisTab}
            onChange={(event) => onChange({ thisTab: event.currentTarget.checked })}
          />
          <span>Only in this tab (until it closes)</span>
        </label>
      )}
      {props.broad && (
        <label class="check warning">
          <input
            type="checkbox"
            checked={draft.allowBroad}
            onChange={(event) => onChange({ allowBroad: event.currentTarget.checked })}
          />
          <span>{BROAD_WARNING} I understand.</span>
        </label>
      )}
      {props.waiting && (
        <p class="form-waiting" role="status">
          {props.waiting}
        </p>
      )}
      {props.error && (
        <p class="form-error" role="alert">
          {props.error}
        </p>
      )}
      <div class="row">
        <button type="submit" disabled={props.busy}>
          Save rule
        </button>
        <button type="button" class="ghost" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
