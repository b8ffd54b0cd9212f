// Why a matched request was refused, on its rule and (popup) for the current tab: token, URL, status, what is missing.
import { useEffect, useState } from 'preact/hooks';
import type { RuleStatus } from '../../core/dnr-rules';
import type { TokenAccess } from '../../core/messages';
import { type RequestOutcome, requestOutcomesItem } from '../../core/request-outcomes';
import { ruleStatusItem } from '../../core/storage-items';
import { duration } from '../../core/time-text';
import { errorText } from '../../ui/error-text';
import { permissionLabel } from '../../ui/permission-label';
import { currentTabId } from './current-tab';
import { refusalAdvice, unauthorizedAdvice } from './refusal-advice';
import { useRules } from './rules-context';
import '../../ui/explain.css';

/** Every rule's last refusal, kept current: the page redraws as the background records one. */
export function useRequestOutcomes(): Record<string, RequestOutcome> {
  const [outcomes, setOutcomes] = useState<Record<string, RequestOutcome>>({});
  useEffect(() => {
    void requestOutcomesItem.getValue().then(setOutcomes);
    return requestOutcomesItem.watch((value) => setOutcomes(value ?? {}));
  }, []);
  return outcomes;
}

/** Why a rule is (not) injecting, kept current: after a 401 the token check says what became of the token. */
function useRuleStatus(ruleId: number): RuleStatus | undefined {
  const [status, setStatus] = useState<RuleStatus | undefined>(undefined);
  useEffect(() => {
    void ruleStatusItem.getValue().then((all) => setStatus(all[String(ruleId)]));
    return ruleStatusItem.watch((all) => setStatus(all?.[String(ruleId)]));
  }, [ruleId]);
  return status;
}

const STATUS_TEXT = { 401: '401 Unauthorized', 403: '403 Forbidden' } as const;

function agoText(at: number, now: number): string {
  const seconds = Math.max(0, (now - at) / 1000);
  return seconds < 60 ? 'just now' : `${duration(seconds)} ago`;
}

type Access =
  | { kind: 'loading' }
  | { kind: 'ready'; value: TokenAccess }
  | { kind: 'failed'; message: string };

/** What the refused token and its owner hold, asked once per refusal shown (a lookup, not a use of the token). */
function useAccess(outcome: RequestOutcome, wanted: boolean): Access {
  const rules = useRules();
  const [access, setAccess] = useState<Access>({ kind: 'loading' });
  const { server, user, name } = outcome.token;
  const here = rules.page.server.value;
  const signedIn = rules.page.signedIn.value;
  useEffect(() => {
    if (!wanted) return;
    if (server !== here) {
      setAccess({ kind: 'failed', message: `Switch to ${server} to see what “${name}” holds.` });
      return;
    }
    if (!signedIn) {
      setAccess({ kind: 'failed', message: `Sign in to ${server} to see what “${name}” holds.` });
      return;
    }
    let live = true;
    void rules.actions.describeAccess({ server, user, name }).then((answer) => {
      if (!live) return;
      setAccess(
        answer.ok
          ? { kind: 'ready', value: answer.value }
          : {
              kind: 'failed',
              message:
                answer.error.code === 'TOKEN_NOT_FOUND'
                  ? `The token “${name}” is no longer on the server.`
                  : errorText(answer.error, server),
            },
      );
    });
    return () => {
      live = false;
    };
  }, [wanted, server, user, name, here, signedIn, outcome.at]);
  return access;
}

export interface RuleOutcomeProps {
  outcome: RequestOutcome;
  now: number;
}

export function RuleOutcome({ outcome, now }: RuleOutcomeProps) {
  const { page } = useRules();
  const [problem, setProblem] = useState<string | null>(null);
  const required = outcome.required ?? [];
  const access = useAccess(outcome, outcome.status === 403 && required.length > 0);
  const finding = useRuleStatus(outcome.ruleId);
  const { name } = outcome.token;
  const advice =
    access.kind === 'ready' ? refusalAdvice(access.value.token, access.value.owner, required) : null;
  return (
    <div class="rule-outcome" role="status" data-status={outcome.status}>
      <p>
        <strong>{STATUS_TEXT[outcome.status]}</strong> {agoText(outcome.at, now)} with <q>{name}</q>
        <br />
        <span class="outcome-url" title={outcome.url}>
          {outcome.url}
        </span>
      </p>
      {outcome.status === 401 ? (
        <p class="hint outcome-advice">{unauthorizedAdvice(outcome.token, outcome.url, finding)}</p>
      ) : required.length === 0 ? (
        <p class="hint">The server refused it, without naming a permission.</p>
      ) : (
        <>
          <p class="outcome-missing">
            Missing:{' '}
            {required.map((permission, index) => (
              <span key={permission}>
                {index > 0 && ', '}
                <strong>{permissionLabel(permission)}</strong> <code>{permission}</code>
              </span>
            ))}
          </p>
          <p class="hint outcome-advice">
            {access.kind === 'loading'
              ? `Checking what “${name}” and its owner hold…`
              : access.kind === 'failed'
                ? access.message
                : advice?.text}
          </p>
          {access.kind === 'ready' && advice && advice.offer.length > 0 && (
            <button
              type="button"
              class="small"
              onClick={() => void page.addPermissions(access.value.token, advice.offer).then(setProblem)}
            >
              Add {advice.offer.length === 1 ? 'it' : 'them'} to {name}
            </button>
          )}
          {problem && <p class="notice notice-error">{problem}</p>}
        </>
      )}
    </div>
  );
}

/** Popup header: refusals on the current tab, newest first, each with its explanation. */
export function TabOutcomes() {
  const outcomes = useRequestOutcomes();
  const [tabId, setTabId] = useState<number | undefined>(undefined);
  const { page } = useRules();
  useEffect(() => {
    void currentTabId().then(setTabId);
  }, []);
  const here = Object.values(outcomes)
    .filter((outcome) => outcome.tabId === tabId)
    .sort((a, b) => b.at - a.at);
  if (tabId === undefined || here.length === 0) return null;
  return (
    <section class="tab-outcomes" aria-label="Refused on this tab">
      <h2>Refused on this tab</h2>
      {here.map((outcome) => (
        <RuleOutcome key={outcome.ruleId} outcome={outcome} now={page.now.value} />
      ))}
    </section>
  );
}
