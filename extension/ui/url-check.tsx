// "Does this URL match?": type a URL or take the current tab's, see which rule and token apply, or why none does.
import { useState } from 'preact/hooks';
import { type CheckedCandidate, explainUrl, tokenText } from '../core/url-explain';
import { resourceTypesText } from './resource-types';
import { ruleStatusText } from './rule-row';
import './explain.css';

export interface UrlCheckProps {
  candidates: readonly CheckedCandidate[];
  /** In the rule form: the draft is checked, which applies once saved. */
  draft?: boolean;
  /** The URL of the tab the page speaks about, for "use this tab's URL". */
  tabUrl: () => Promise<string | undefined>;
}

function limits(candidate: CheckedCandidate): string {
  const { rule } = candidate;
  const parts = [
    rule.resourceTypes && `only ${resourceTypesText(rule.resourceTypes)}`,
    rule.initiators
      ? `only from pages on ${rule.initiators.join(', ')}`
      : rule.anyPage
        ? 'from any page'
        : 'from its own site’s pages and the addresses you open',
    rule.tabId !== undefined && 'only in its tab',
  ].filter(Boolean);
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

export function UrlCheck({ candidates, draft = false, tabUrl }: UrlCheckProps) {
  const [url, setUrl] = useState('');
  const [noTab, setNoTab] = useState(false);
  const result = url.trim() === '' ? undefined : explainUrl(url, candidates);
  return (
    <div class="url-check">
      <label>
        Does this URL match?
        <span class="row">
          <input
            type="url"
            spellcheck={false}
            placeholder="https://api.example.com/v1/items"
            value={url}
            onInput={(event) => setUrl(event.currentTarget.value)}
          />
          <button
            type="button"
            class="small ghost"
            onClick={() =>
              void tabUrl().then((tabUrl) => {
                setNoTab(tabUrl === undefined);
                if (tabUrl) setUrl(tabUrl);
              })
            }
          >
            Current tab
          </button>
        </span>
      </label>
      {noTab && <p class="hint">The current tab's URL is not readable here (no access to its site).</p>}
      {result && (
        <div class="url-check-result" role="status">
          {result.kind === 'invalid' && <p>{result.message}</p>}
          {result.kind === 'matched' && (
            <>
              {result.injecting.map((candidate) => (
                <p key={candidate.rule.id} class="url-check-yes">
                  {draft ? 'Matches' : 'Sends'} <strong>{tokenText(candidate.rule.token)}</strong>: pattern{' '}
                  <code>{result.patterns[candidate.rule.id]}</code>
                  {limits(candidate)}.
                </p>
              ))}
              {result.stopped.map((candidate) => (
                <p key={candidate.rule.id} class="url-check-no">
                  <code>{result.patterns[candidate.rule.id]}</code> matches, but its rule with{' '}
                  <strong>{tokenText(candidate.rule.token)}</strong> does not inject:{' '}
                  {ruleStatusText(candidate.status)}
                </p>
              ))}
            </>
          )}
          {result.kind === 'none' && (
            <p class="url-check-no">
              {draft ? 'No pattern here matches.' : 'No rule matches: no token is sent.'}
              {result.nearest && (
                <>
                  {' '}
                  Closest: <code>{result.nearest.pattern}</code>
                  {!draft && <> ({tokenText(result.nearest.rule.token)})</>} — {result.nearest.why.join('; ')}
                  .
                </>
              )}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
