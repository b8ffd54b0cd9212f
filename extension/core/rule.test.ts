// A rule parsed once: the compiled patterns keep what the user typed, carry their DNR condition, and say whether
// they need the confirmation; the confirmation is read from the parsed rule without parsing it again.
import { describe, expect, it } from 'vitest';
import { BROAD_REFUSAL, checkRule, compileRule, confirmationProblem, parseRules, patternLines } from './rule';
import { parsePattern, patternCondition } from './url-patterns';

const token = { server: 'http://127.0.0.1:8787', user: 'admin', name: 'ci' };

describe('compileRule', () => {
  it('keeps each pattern as typed (trimmed), parsed and compiled to the condition the DNR rules use', () => {
    const compiled = compileRule({ patterns: ['  api.example.com/v1 ', '/^https:\\/\\/a\\.test\\//'] });
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(compiled.patterns.map((pattern) => pattern.text)).toEqual([
      'api.example.com/v1',
      '/^https:\\/\\/a\\.test\\//',
    ]);
    for (const { text, pattern, condition } of compiled.patterns) {
      const parsed = parsePattern(text);
      expect(parsed.ok && parsed.value).toEqual(pattern);
      expect(condition).toEqual(patternCondition(pattern));
    }
    expect(compiled.broad).toBe(false);
    expect(compiled.pages).toEqual({ kind: 'own' });
  });

  it('parses a broad pattern the user has not confirmed, and says so without refusing', () => {
    const compiled = compileRule({ patterns: ['a.test', ' *.com '] });
    expect(compiled).toMatchObject({ ok: true, broad: true });
    if (!compiled.ok) return;
    expect(confirmationProblem(compiled)).toBe(`"*.com" can match more than one site. ${BROAD_REFUSAL}`);
    // The same refusal checkRule gives: the form's two questions have one answer.
    expect(checkRule({ patterns: ['a.test', ' *.com '] })).toEqual({
      ok: false,
      message: confirmationProblem(compiled),
    });
  });

  it('needs no confirmation once given, or when no pattern is broad', () => {
    const confirmed = compileRule({ patterns: ['*'], allowBroad: true });
    expect(confirmed.ok && confirmationProblem(confirmed)).toBeNull();
    const narrow = compileRule({ patterns: ['a.test'] });
    expect(narrow.ok && confirmationProblem(narrow)).toBeNull();
  });

  it('refuses what does not parse, naming it, before any question of confirmation', () => {
    expect(compileRule({ patterns: ['exa mple.com'] })).toMatchObject({ ok: false });
    expect(compileRule({ patterns: ['a.test'], initiators: ['b.test'], anyPage: true })).toMatchObject({
      ok: false,
      message: 'A rule is either for any page or only for the pages it lists, not both.',
    });
  });
});

describe('parseRules', () => {
  it('pairs each stored rule with its one parse', () => {
    const rules = [
      { id: 1, token, patterns: ['a.test'], enabled: true },
      { id: 2, token, patterns: ['*'], enabled: true },
    ];
    const parsed = parseRules(rules);
    expect(parsed.map(({ rule }) => rule)).toEqual(rules);
    expect(parsed[0]?.checked).toMatchObject({ ok: true, rule: rules[0] });
    expect(parsed[1]?.checked).toMatchObject({ ok: false });
  });
});

describe('patternLines', () => {
  it('splits the pattern box into trimmed lines and leaves blank ones out', () => {
    expect(patternLines(' a.test \n\n  \nb.test/x\r\n')).toEqual(['a.test', 'b.test/x']);
    expect(patternLines('')).toEqual([]);
  });
});
