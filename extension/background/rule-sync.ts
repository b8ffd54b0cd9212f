// Reconciles the browser's DNR rules with the stored injection rules: one atomic session-rule update, per-rule errors.
import type { InjectionRule } from '../../shared/schemas/injection-rules';
import {
  type BuildOutput,
  buildDnrRules,
  type DnrRule,
  type RuleStatus,
  type TokenState,
  tokenKey,
  userRuleId,
} from '../core/dnr-rules';
import { type HostAccessPort, missingAccess } from '../core/host-access';
import { type ParsedRule, parseRules } from '../core/rule';
import type { InjectionSettings, KeptToken, ValueItem } from '../core/storage-items';
import type { DnrPort } from './dnr-port';
import type { LeaseView } from './lease-keeper';

export interface RuleSyncDeps {
  dnr: DnrPort;
  rules: ValueItem<InjectionRule[]>;
  settings: ValueItem<InjectionSettings>;
  /** Every token value the extension holds (session storage, or local when the user opted in). */
  values: ValueItem<KeptToken[]>;
  tokens: ValueItem<Record<string, TokenState>>;
  /** Tokens their server confirmed in this browser session: only their values inject. */
  confirmed: ValueItem<string[]>;
  /** What the popup shows on each rule, keyed by rule id. */
  status: ValueItem<Record<string, RuleStatus>>;
  /** Whether the extension still holds the host access a rule needs (Firefox lets the user remove it). */
  access: HostAccessPort;
  /** Origins once seen granted: only those (and loopback) can be said to be removed. */
  grantedOrigins: ValueItem<string[]>;
  /** Where rules get what they inject: leases of their tokens. Without it (older tests) the pasted values. */
  leases?: { view(): Promise<LeaseView> };
  now(): number;
}

export function createRuleSync(deps: RuleSyncDeps) {
  const regexVerdicts = new Map<string, string | null>();
  let queue: Promise<unknown> = Promise.resolve();
  /** What the last run found missing, to tell whether a later look at the browser's grants changes anything. */
  let lastMissing = '';

  /** null: supported; otherwise the browser's reason. */
  async function regexProblem(source: string): Promise<string | null> {
    const known = regexVerdicts.get(source);
    if (known !== undefined) return known;
    const answer = await deps.dnr.isRegexSupported(source);
    const problem = answer.isSupported
      ? null
      : `the regular expression is not supported (${answer.reason ?? 'unknown reason'})`;
    regexVerdicts.set(source, problem);
    return problem;
  }

  /** The origins each rule lost; remembers the ones granted now. */
  async function findRemoved(rules: readonly ParsedRule[]): Promise<Record<number, string[]>> {
    const known = await deps.grantedOrigins.getValue();
    const findings = await missingAccess(rules, deps.access, new Set(known));
    const added = findings.granted.filter((origin) => !known.includes(origin));
    if (added.length > 0) await deps.grantedOrigins.setValue([...known, ...added]);
    return findings.removed;
  }

  async function run(): Promise<BuildOutput> {
    const [rules, settings, values, tokens, confirmed] = await Promise.all([
      deps.rules.getValue(),
      deps.settings.getValue(),
      deps.values.getValue(),
      deps.tokens.getValue(),
      deps.confirmed.getValue(),
    ]);
    const failed: Record<number, string> = {};
    // Each stored rule is parsed here, once per pass: the regex check and the builder share the result.
    const parsed = parseRules(rules);
    for (const { rule, checked } of parsed) {
      if (!checked.ok) continue;
      for (const { pattern } of checked.patterns) {
        if (pattern.kind !== 'regex') continue;
        const problem = await regexProblem(pattern.source);
        if (problem !== null) failed[rule.id] = problem;
      }
    }
    const accessRemoved = await findRemoved(parsed);
    lastMissing = JSON.stringify(accessRemoved);
    const leases = await deps.leases?.view();
    const input = {
      rules: parsed,
      accessRemoved,
      // With leases, a token's own value never goes on a request: a rule injects its token's lease or nothing.
      values: leases?.values ?? new Map(values.map((entry) => [tokenKey(entry), entry.value])),
      ...(leases && { leases: leases.leases, waiting: leases.waiting }),
      tokens,
      paused: settings.paused,
      now: deps.now(),
      failed,
      // A lease is minted only with a credential or value the server accepted: it needs no confirmation.
      unconfirmed: leases
        ? new Set<string>()
        : new Set(values.map(tokenKey).filter((key) => !confirmed.includes(key))),
    };
    // Only session rules: the browser keeps dynamic rules, values and all, in the profile on disk and applies
    // them at the next start before this worker runs. Dynamic rules an older version left are removed.
    const leftover = (await deps.dnr.getDynamicRules()).map((rule) => rule.id);
    if (leftover.length > 0) await deps.dnr.updateDynamicRules({ removeRuleIds: leftover, addRules: [] });
    const apply = async () => {
      // Each failed attempt names one rule; without it, the next attempt is atomic again.
      for (let attempt = 0; attempt <= rules.length; attempt++) {
        const out = buildDnrRules(input);
        const addRules: DnrRule[] = [...out.dynamic, ...out.session];
        const removeRuleIds = (await deps.dnr.getSessionRules()).map((rule) => rule.id);
        try {
          await deps.dnr.updateSessionRules({ removeRuleIds, addRules });
          return;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const named = /rule with id (\d+)/i.exec(message);
          const culprit = named ? userRuleId(Number(named[1])) : undefined;
          if (culprit !== undefined && rules.some((rule) => rule.id === culprit) && !(culprit in failed)) {
            failed[culprit] = message;
            continue;
          }
          // Nothing names a rule: every rule in this update carries the message.
          for (const rule of addRules) failed[userRuleId(rule.id)] = message;
        }
      }
    };
    await apply();
    const out = buildDnrRules(input);
    await deps.status.setValue(Object.fromEntries(Object.entries(out.status)));
    return out;
  }

  return {
    /** Serialised: two changes at once must not interleave their reads and updates. */
    sync(): Promise<BuildOutput> {
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next;
    },

    /** Whether the browser's host grants differ from what the last run saw (a page opened: look again). */
    async accessChanged(): Promise<boolean> {
      return JSON.stringify(await findRemoved(parseRules(await deps.rules.getValue()))) !== lastMissing;
    },
  };
}

export type RuleSync = ReturnType<typeof createRuleSync>;
