// A rule as the extension works with it: parsed once where it enters (the rule form, an imported file, the stored
// rules the service worker reads), its patterns compiled, so nothing further along reads a pattern string again.
import type { InjectionRule } from '../../shared/schemas/injection-rules';
import {
  isBroad,
  parseInitiator,
  parsePattern,
  patternCondition,
  type UrlCondition,
  type UrlPattern,
} from './url-patterns';

/**
 * Whose requests a rule's token goes on: `own` (the default) the requests of pages on the target's own site and
 * top-level navigations with a safe method; `listed` those of pages on the given hosts; `any` every page's.
 */
export type Pages = { kind: 'own' } | { kind: 'listed'; initiators: string[] } | { kind: 'any' };

/** One pattern of a rule: as the user typed it (trimmed), parsed, and compiled to its DNR condition. */
export interface CompiledPattern {
  text: string;
  pattern: UrlPattern;
  /** It can match more than one site: the rule needs the user's confirmation. */
  broad: boolean;
  condition: UrlCondition;
}

/** What parsing needs of a rule: a stored rule, an imported one or the form's draft. */
export type RuleFields = Pick<InjectionRule, 'patterns' | 'initiators' | 'anyPage' | 'allowBroad'>;

export interface CompiledRule<R extends RuleFields = InjectionRule> {
  rule: R;
  patterns: CompiledPattern[];
  pages: Pages;
  /** Some pattern is broad (whether or not the user confirmed it). */
  broad: boolean;
}

export type CheckedRule<R extends RuleFields = RuleFields> =
  | ({ ok: true } & CompiledRule<R>)
  | { ok: false; message: string };

/** A stored rule with what parsing it found: the service worker's rules, parsed once per read. */
export interface ParsedRule {
  rule: InjectionRule;
  checked: CheckedRule<InjectionRule>;
}

export const BROAD_REFUSAL =
  'It stays off until you confirm that this sends your token to every site you visit.';

function broadRefusal(text: string): string {
  return `"${text}" can match more than one site. ${BROAD_REFUSAL}`;
}

function compile<R extends RuleFields>(rule: R, refuseUnconfirmed: boolean): CheckedRule<R> {
  const patterns: CompiledPattern[] = [];
  for (const typed of rule.patterns) {
    const parsed = parsePattern(typed);
    if (!parsed.ok) return parsed;
    const text = typed.trim();
    const broad = isBroad(parsed.value);
    if (broad && refuseUnconfirmed && rule.allowBroad !== true)
      return { ok: false, message: broadRefusal(text) };
    patterns.push({ text, pattern: parsed.value, broad, condition: patternCondition(parsed.value) });
  }
  const broad = patterns.some((pattern) => pattern.broad);
  if (rule.initiators === undefined)
    return {
      ok: true,
      rule,
      patterns,
      pages: rule.anyPage === true ? { kind: 'any' } : { kind: 'own' },
      broad,
    };
  if (rule.anyPage === true)
    return { ok: false, message: 'A rule is either for any page or only for the pages it lists, not both.' };
  const initiators: string[] = [];
  for (const text of rule.initiators) {
    const parsed = parseInitiator(text);
    if (!parsed.ok) return parsed;
    initiators.push(parsed.value);
  }
  return { ok: true, rule, patterns, pages: { kind: 'listed', initiators }, broad };
}

/** Parses a rule's patterns and initiators and refuses a broad pattern the user did not confirm. */
export function checkRule<R extends RuleFields>(rule: R): CheckedRule<R> {
  return compile(rule, true);
}

/**
 * Parses a rule whether or not its broad patterns were confirmed: the form and an import decide about the
 * confirmation from `broad` and `confirmationProblem` without parsing again.
 */
export function compileRule<R extends RuleFields>(rule: R): CheckedRule<R> {
  return compile(rule, false);
}

/** Why a compiled rule cannot be on yet: a broad pattern the user has not confirmed; null when nothing waits. */
export function confirmationProblem(compiled: CompiledRule<RuleFields>): string | null {
  if (compiled.rule.allowBroad === true) return null;
  const broad = compiled.patterns.find((pattern) => pattern.broad);
  return broad === undefined ? null : broadRefusal(broad.text);
}

/** The stored rules, each parsed once, for one pass of the service worker. */
export function parseRules(rules: readonly InjectionRule[]): ParsedRule[] {
  return rules.map((rule) => ({ rule, checked: checkRule(rule) }));
}

/** A rule with a pattern that needs the user's confirmation (whether or not it was given). */
export function needsConfirmation(rule: Pick<InjectionRule, 'patterns'>): boolean {
  return rule.patterns.some((text) => {
    const parsed = parsePattern(text);
    return parsed.ok && isBroad(parsed.value);
  });
}

/** The form's pattern box (or initiators box), one entry a line, blank lines left out. */
export function patternLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
