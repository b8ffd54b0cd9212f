// Reconciles the browser's DNR rules with the stored injection rules: one atomic update per rule kind, per-rule errors.
import type { InjectionRule } from '../../shared/schemas/injection-rules';
import type { InjectionSettings, KeptToken, ValueItem } from '../utils/storage-items';
import type { DnrPort } from './dnr-port';
import {
  type BuildOutput,
  buildDnrRules,
  checkRule,
  type DnrRule,
  type RuleStatus,
  type TokenState,
  tokenKey,
  userRuleId,
} from './dnr-rules';

export interface RuleSyncDeps {
  dnr: DnrPort;
  rules: ValueItem<InjectionRule[]>;
  settings: ValueItem<InjectionSettings>;
  /** Every token value the extension holds (session storage, or local when the user opted in). */
  values: ValueItem<KeptToken[]>;
  tokens: ValueItem<Record<string, TokenState>>;
  /** What the popup shows on each rule, keyed by rule id. */
  status: ValueItem<Record<string, RuleStatus>>;
  now(): number;
}

export function createRuleSync(deps: RuleSyncDeps) {
  const regexVerdicts = new Map<string, string | null>();
  let queue: Promise<unknown> = Promise.resolve();

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

  async function run(): Promise<BuildOutput> {
    const [rules, settings, values, tokens] = await Promise.all([
      deps.rules.getValue(),
      deps.settings.getValue(),
      deps.values.getValue(),
      deps.tokens.getValue(),
    ]);
    const failed: Record<number, string> = {};
    for (const rule of rules) {
      const checked = checkRule(rule);
      if (!checked.ok) continue;
      for (const pattern of checked.patterns) {
        if (pattern.kind !== 'regex') continue;
        const problem = await regexProblem(pattern.source);
        if (problem !== null) failed[rule.id] = problem;
      }
    }
    const input = {
      rules,
      values: new Map(values.map((entry) => [tokenKey(entry), entry.value])),
      tokens,
      paused: settings.paused,
      now: deps.now(),
      failed,
    };
    const apply = async (kind: 'dynamic' | 'session', wanted: (out: BuildOutput) => DnrRule[]) => {
      const port =
        kind === 'dynamic'
          ? { get: () => deps.dnr.getDynamicRules(), update: deps.dnr.updateDynamicRules }
          : { get: () => deps.dnr.getSessionRules(), update: deps.dnr.updateSessionRules };
      // Each failed attempt names one rule; without it, the next attempt is atomic again.
      for (let attempt = 0; attempt <= rules.length; attempt++) {
        const out = buildDnrRules(input);
        const addRules = wanted(out);
        const removeRuleIds = (await port.get()).map((rule) => rule.id);
        try {
          await port.update({ removeRuleIds, addRules });
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
    await apply('dynamic', (out) => out.dynamic);
    await apply('session', (out) => out.session);
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
  };
}

export type RuleSync = ReturnType<typeof createRuleSync>;
