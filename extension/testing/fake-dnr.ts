// An in-memory declarativeNetRequest for unit tests: records every update, refuses what a test tells it to.
import type { DnrPort, UpdateRules } from '../background/dnr-port';
import type { DnrRule } from '../core/dnr-rules';

export interface FakeDnr extends DnrPort {
  dynamic: DnrRule[];
  session: DnrRule[];
  /** Every updateDynamicRules / updateSessionRules call, in order. */
  calls: { kind: 'dynamic' | 'session'; update: UpdateRules }[];
  /** A rule the browser refuses, with Chrome's wording ("Rule with id 201 …"). */
  refuse?: (rule: DnrRule) => string | undefined;
  unsupportedRegex?: (regex: string) => boolean;
}

export function createFakeDnr(): FakeDnr {
  const fake: FakeDnr = {
    dynamic: [],
    session: [],
    calls: [],
    getDynamicRules: async () => structuredClone(fake.dynamic),
    getSessionRules: async () => structuredClone(fake.session),
    updateDynamicRules: async (update) => apply('dynamic', update),
    updateSessionRules: async (update) => apply('session', update),
    isRegexSupported: async (regex) =>
      fake.unsupportedRegex?.(regex) ? { isSupported: false, reason: 'syntaxError' } : { isSupported: true },
  };
  /** Atomic like the real one: a refused rule leaves every rule as it was. */
  async function apply(kind: 'dynamic' | 'session', update: UpdateRules): Promise<void> {
    fake.calls.push({ kind, update: structuredClone(update) });
    for (const rule of update.addRules) {
      const problem = fake.refuse?.(rule);
      if (problem) throw new Error(`Rule with id ${rule.id} ${problem}`);
    }
    const kept = fake[kind].filter((rule) => !update.removeRuleIds.includes(rule.id));
    const ids = new Set(kept.map((rule) => rule.id));
    for (const rule of update.addRules) {
      if (ids.has(rule.id)) throw new Error(`Rule with id ${rule.id} does not have a unique ID.`);
      ids.add(rule.id);
    }
    fake[kind] = [...kept, ...structuredClone(update.addRules)];
  }
  return fake;
}

/** The header a request matching `rule` would carry. */
export function headerOf(rule: DnrRule | undefined): string | undefined {
  return rule?.action.requestHeaders.find((header) => header.header === 'Authorization')?.value;
}
