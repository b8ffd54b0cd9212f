// Injection in the popup and on the options page: the pause switch, the rules, the editor, a pasted value.

import { useEffect, useRef } from 'preact/hooks';
import {
  DEFAULT_LEASE_TTL_SECONDS,
  LEASE_TTL_MAX_SECONDS,
  LEASE_TTL_MIN_SECONDS,
} from '../../../shared/schemas/lease';
import { tokenKey } from '../../core/dnr-rules';
import type { ImportReport } from '../../core/messages';
import { tokenStatesItem } from '../../core/storage-items';
import { useFocusOnOpen } from '../../ui/focus-on-open';
import { useListFocus } from '../../ui/list-focus';
import { NoticeLine } from '../../ui/notice-line';
import { RuleForm } from '../../ui/rule-form';
import { RuleRow } from '../../ui/rule-row';
import { UrlCheck } from '../../ui/url-check';
import { currentTabUrl } from './current-tab';
import { ExpiryNoticeSetting, useStored } from './expiry-notice-setting';
import { PauseSwitch } from './pause-switch';
import { RuleOutcome, useRequestOutcomes } from './rule-outcome';
import { useRules } from './rules-context';
import { RulesUpdateNoticeLine } from './rules-update-notice';

export function RulesPanel() {
  const { state, actions, inPopup, page } = useRules();
  const tokenStates = useStored(tokenStatesItem, {});
  const outcomes = useRequestOutcomes();
  const view = state.view.value;
  const newRule = useRef<HTMLButtonElement>(null);
  const listFocus = useListFocus<HTMLUListElement>(newRule);
  if (view.kind === 'idle' || view.kind === 'loading') return <p class="placeholder">Loading…</p>;
  if (view.kind === 'failed') return <p class="notice notice-error">{view.message}</p>;
  const { rules, status, held } = view.value;
  const draft = state.draft.value;
  return (
    <section class="rules">
      {/* The popup has its pause in the header, in reach from every view: one switch per page. */}
      {!inPopup && <PauseSwitch />}
      <NoticeLine notice={state.notice.value} />
      <RulesUpdateNoticeLine />
      {state.paste.open.value && <PasteValue />}
      {draft ? (
        <RuleForm
          draft={draft}
          patterns={state.draftPatterns.value}
          held={held}
          broad={state.broad.value}
          error={state.draftError.value}
          waiting={state.waiting.value}
          busy={state.busy.value}
          offerThisTab={inPopup}
          onChange={actions.editDraft}
          onSubmit={() => void actions.save()}
          onCancel={actions.cancel}
          onPaste={() => actions.openPaste(true)}
          tabUrl={currentTabUrl}
        />
      ) : (
        <>
          <button type="button" class="new-token" ref={newRule} onClick={actions.newRule}>
            New rule
          </button>
          {rules.length > 0 && (
            <UrlCheck
              candidates={rules.map((rule) => ({ rule, status: status[String(rule.id)] }))}
              tabUrl={currentTabUrl}
            />
          )}
        </>
      )}
      {rules.length === 0 ? (
        <p class="placeholder">No injection rules yet.</p>
      ) : (
        <ul class="token-list" {...listFocus}>
          {rules.map((rule) => {
            const outcome = outcomes[String(rule.id)];
            return (
              <RuleRow
                key={rule.id}
                rule={rule}
                status={status[String(rule.id)]}
                onToggle={(enabled) => void actions.setRuleEnabled(rule, enabled)}
                onEdit={() => actions.edit(rule)}
                onRemove={() => void actions.remove(rule)}
                onGrantAccess={(origins) => void actions.grantAccess(origins)}
                outcome={outcome && <RuleOutcome outcome={outcome} now={page.now.value} />}
                now={page.now.value}
                expirationDate={tokenStates[tokenKey(rule.token)]?.expirationDate}
              />
            );
          })}
        </ul>
      )}
    </section>
  );
}

function PasteValue() {
  const { state, actions } = useRules();
  const { paste } = state;
  const { page } = useRules();
  // The owner is filled in already (the signed-in user): the name is the first thing to type.
  const name = useFocusOnOpen<HTMLInputElement>();
  return (
    <form
      class="paste-value"
      onSubmit={(event) => {
        event.preventDefault();
        void actions.bindValue();
      }}
      onKeyDown={(event) => event.key === 'Escape' && actions.openPaste(false)}
    >
      <p>
        A token created elsewhere on {page.server.value}: its value is checked with the server and held here;
        rules send leases minted with it, never the value.
      </p>
      <label>
        Owner
        <input value={paste.user.value} onInput={(event) => (paste.user.value = event.currentTarget.value)} />
      </label>
      <label>
        Token name
        <input
          ref={name}
          value={paste.name.value}
          onInput={(event) => (paste.name.value = event.currentTarget.value)}
        />
      </label>
      <label>
        Token value
        <input
          type="password"
          autocomplete="off"
          value={paste.value.value}
          onInput={(event) => (paste.value.value = event.currentTarget.value)}
        />
      </label>
      {paste.error.value && (
        <p class="form-error" role="alert">
          {paste.error.value}
        </p>
      )}
      <div class="row">
        <button type="submit">Check & keep</button>
        <button type="button" class="ghost" onClick={() => actions.openPaste(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Options page only: how often tokens are checked, where values live, and rules files. */
export function InjectionSettingsPanel() {
  const { state, actions } = useRules();
  const view = state.view.value;
  if (view.kind !== 'ready') return null;
  const { settings } = view.value;
  const report = state.importReport.value;
  return (
    <section class="injection-settings">
      <h2>Injection settings</h2>
      <label>
        Check tokens every (seconds)
        <input
          type="number"
          min={1}
          value={settings.refreshSeconds}
          onChange={(event) => void actions.setRefreshSeconds(Number(event.currentTarget.value))}
        />
      </label>
      <label>
        Lease lifetime (seconds)
        <input
          type="number"
          min={LEASE_TTL_MIN_SECONDS}
          max={LEASE_TTL_MAX_SECONDS}
          value={settings.leaseSeconds ?? DEFAULT_LEASE_TTL_SECONDS}
          onChange={(event) => void actions.setLeaseSeconds(Number(event.currentTarget.value))}
        />
        <small>
          Rules send a lease of their token, never the token: a captured header is refused once this has
          passed. Each lease is renewed at two thirds of its life.
        </small>
      </label>
      <ExpiryNoticeSetting />
      <label class="check warning">
        <input
          type="checkbox"
          checked={settings.keepValuesOnDevice}
          onChange={(event) => void actions.setKeepOnDevice(event.currentTarget.checked)}
        />
        <span>
          Keep token values on this device
          <small>
            Pasted values are written to this browser profile on disk, sealed under a key kept beside them, so
            their rules keep working after a restart (once a lease is minted with each); anyone with access to
            the profile can read them. Your own tokens need no value: their rules wait for your sign-in. Off:
            values are held in memory for this browser session only, and turning this off deletes the kept
            values and their key.
          </small>
        </span>
      </label>
      <div class="row">
        <button type="button" class="ghost" onClick={() => void actions.exportRules()}>
          Export rules
        </button>
        <label class="button ghost">
          Import rules…
          <input
            type="file"
            accept="application/json,.json"
            class="visually-hidden"
            onChange={async (event) => {
              // Kept before the awaits (the event's currentTarget is gone after them), and emptied so that the
              // same file, mended, can be chosen again.
              const input = event.currentTarget;
              const file = input.files?.[0];
              if (file) await actions.importRules(await file.text());
              input.value = '';
            }}
          />
        </label>
      </div>
      <small>Exported files name each token by server, owner and name; they never contain a value.</small>
      <NoticeLine notice={state.settingsNotice.value} />
      {report && <ImportReportView report={report} />}
    </section>
  );
}

/** How long after an import its report is kept in view while the rules above it settle (load, statuses). */
const REPORT_SETTLES_MS = 2_000;

/**
 * What an import did, rule by rule: brought into view as it appears, since a long report can end off screen, and
 * kept there while the imported rules arrive above it and push it down. After that the user scrolls freely.
 */
function ImportReportView({ report }: { report: ImportReport }) {
  const shown = useRef<HTMLDivElement>(null);
  const arrived = useRef(0);
  useEffect(() => {
    arrived.current = Date.now();
  }, [report]);
  useEffect(() => {
    if (Date.now() - arrived.current < REPORT_SETTLES_MS)
      shown.current?.scrollIntoView?.({ block: 'nearest' });
  });
  return (
    <div class="import-report" role="status" ref={shown}>
      <p>
        Imported {report.imported} rule{report.imported === 1 ? '' : 's'}
        {report.alreadyPresent.length > 0 && `; ${report.alreadyPresent.length} already here`}
        {report.errors.length > 0 && `; ${report.errors.length} refused`}.
      </p>
      <ul>
        {report.errors.map((error) => (
          <li key={error.index}>
            Rule {error.index}: {error.message}
          </li>
        ))}
        {report.unconfirmed.map((index) => (
          <li key={`confirm-${index}`}>
            Rule {index} can match more than one site: it was imported switched off. Edit it and confirm to
            use it.
          </li>
        ))}
        {report.alreadyPresent.map((index) => (
          <li key={`here-${index}`}>Rule {index} is here already: it was left out.</li>
        ))}
        {report.ownSiteOnly.map((index) => (
          <li key={`own-${index}`}>
            Rule {index} was for any page: it was imported for its own site&rsquo;s requests. Edit it and
            confirm <em>Any page</em> to widen it.
          </li>
        ))}
      </ul>
    </div>
  );
}
