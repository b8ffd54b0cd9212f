// Injection messages: rules, settings, pasted values, import and export; every change is followed by a sync.
import * as v from 'valibot';
import type { Result } from '../../shared/api-client';
import {
  type ExportedRule,
  ExportedRuleSchema,
  type InjectionRule,
  MAX_RULES,
  RULES_EXPORT_FORMAT,
  type RulesExport,
  RulesExportSchema,
} from '../../shared/schemas/injection-rules';
import { type RuleStatus, type TokenState, tokenKey } from '../core/dnr-rules';
import type { MessageHandlers } from '../core/messages';
import { type CheckedRule, checkRule, compileRule } from '../core/rule';
import type { InjectionSettings, ValueItem } from '../core/storage-items';
import type { CredentialStore } from './credential-store';
import type { DnrPort } from './dnr-port';
import type { LeaseKeeper } from './lease-keeper';
import type { ServerCalls } from './server-calls';
import type { TokenChecks } from './token-checks';
import type { ValueStore } from './value-store';

type RuleHandlers = Pick<
  MessageHandlers,
  | 'bindTokenValue'
  | 'getInjection'
  | 'saveRule'
  | 'setRuleEnabled'
  | 'removeRule'
  | 'setInjectionSettings'
  | 'refreshTokens'
  | 'exportRules'
  | 'importRules'
>;

export interface RuleHandlerDeps {
  rules: ValueItem<InjectionRule[]>;
  settings: ValueItem<InjectionSettings>;
  values: ValueStore;
  tokens: ValueItem<Record<string, TokenState>>;
  status: ValueItem<Record<string, RuleStatus>>;
  checks: TokenChecks;
  dnr: Pick<DnrPort, 'isRegexSupported'>;
  /** The signed-in user's own tokens can be bound without a value: their rules send leases of them. */
  calls?: Pick<ServerCalls, 'authed'>;
  credentials?: Pick<CredentialStore, 'get'>;
  leases?: Pick<LeaseKeeper, 'renew' | 'inspectAll'>;
  /** Reconcile the DNR rules, alarms and badge after a change. */
  changed(): Promise<void>;
}

function invalid(message: string): Result<never> {
  return { ok: false, error: { code: 'VALIDATION_FAILED', status: 0, message } };
}

export function createRuleHandlers(deps: RuleHandlerDeps): RuleHandlers {
  /** Everything a rule needs before it is stored; the browser's regex engine is asked too. */
  async function problemOf(checked: CheckedRule<ExportedRule>): Promise<string | null> {
    if (!checked.ok) return checked.message;
    for (const { text, condition } of checked.patterns) {
      // Every pattern becomes a regexFilter: a long path can exceed the browser's limit on its size.
      const answer = await deps.dnr.isRegexSupported(condition.regexFilter);
      if (!answer.isSupported)
        return `${text} is not supported by the browser (${answer.reason ?? 'unknown reason'}).`;
    }
    return null;
  }

  function nextId(rules: readonly InjectionRule[]): number {
    return rules.reduce((max, rule) => Math.max(max, rule.id), 0) + 1;
  }

  /** Only what the user decided: a broad pattern's confirmation is kept only while it is needed. */
  function fields(rule: ExportedRule, broad: boolean, enabled = rule.enabled): ExportedRule {
    const confirmed = rule.allowBroad === true && broad;
    return v.parse(ExportedRuleSchema, {
      token: { server: rule.token.server, user: rule.token.user, name: rule.token.name },
      patterns: rule.patterns.map((pattern) => pattern.trim()),
      ...(rule.resourceTypes && { resourceTypes: rule.resourceTypes }),
      ...(rule.initiators && { initiators: rule.initiators.map((host) => host.trim().toLowerCase()) }),
      ...(rule.anyPage === true && { anyPage: true }),
      enabled,
      ...(confirmed && { allowBroad: true }),
    });
  }

  /** The signed-in user's API tokens on `server`: each can be sent as a lease minted with the sign-in. */
  async function ownTokens(server: string | undefined) {
    if (server === undefined || !deps.calls || !deps.credentials) return [];
    const credential = await deps.credentials.get(server);
    if (credential === undefined) return [];
    const listed = await deps.calls.authed(server, (api) =>
      api.listTokens({ type: 'USER', user: credential.user, status: 'active', limit: -1 }),
    );
    if (!listed.ok) return [];
    return listed.value.items
      .filter((token) => token.user === credential.user)
      .map((token) => ({ server, user: token.user, name: token.name }));
  }

  async function updateRules(change: (rules: InjectionRule[]) => InjectionRule[]): Promise<void> {
    await deps.rules.setValue(change(await deps.rules.getValue()));
    await deps.changed();
  }

  return {
    async bindTokenValue({ server, user, name, value }) {
      const ref = { server, user, name };
      const verified = await deps.checks.verify(ref, value);
      if (!verified.ok) return verified;
      const kept = (await deps.values.getValue()).filter((entry) => tokenKey(entry) !== tokenKey(ref));
      await deps.values.setValue([...kept, { ...ref, value }]);
      await deps.changed();
      return { ok: true, value: null };
    },

    async getInjection({ server }) {
      const [rules, status, settings, values] = await Promise.all([
        deps.rules.getValue(),
        deps.status.getValue(),
        deps.settings.getValue(),
        deps.values.getValue(),
      ]);
      const held = values.map(({ server, user, name }) => ({ server, user, name }));
      const seen = new Set(held.map(tokenKey));
      for (const ref of await ownTokens(server))
        if (!seen.has(tokenKey(ref))) {
          seen.add(tokenKey(ref));
          held.push(ref);
        }
      return { ok: true, value: { rules, status, settings, held } };
    },

    async saveRule({ id, rule, tabId }) {
      // The rule enters the service worker here: parsed once, and the parsed rule is what gets stored.
      const checked = checkRule(rule);
      const problem = await problemOf(checked);
      if (problem !== null || !checked.ok) return invalid(problem ?? 'The rule is not valid.');
      const rules = await deps.rules.getValue();
      if (id === undefined && rules.length >= MAX_RULES) return invalid(`At most ${MAX_RULES} rules.`);
      const existing = rules.find((other) => other.id === id);
      if (id !== undefined && !existing) return invalid('That rule no longer exists.');
      const saved: InjectionRule = {
        id: id ?? nextId(rules),
        ...fields(checked.rule, checked.broad),
        ...(tabId !== undefined ? { tabId } : existing?.tabId !== undefined ? { tabId: existing.tabId } : {}),
      };
      // Saving a rule whose token was removed chooses the token of that name the server has now, if any: the
      // one the form offered. Until then, another token made under the removed one's name is never leased.
      const key = tokenKey(saved.token);
      const states = await deps.tokens.getValue();
      if (states[key]?.health === 'removed') {
        const { [key]: _removed, ...others } = states;
        await deps.tokens.setValue(others);
        deps.leases?.renew([key], 'changed');
      }
      await updateRules((all) =>
        existing ? all.map((other) => (other.id === saved.id ? saved : other)) : [...all, saved],
      );
      return { ok: true, value: saved };
    },

    async setRuleEnabled({ id, enabled }) {
      const rule = (await deps.rules.getValue()).find((other) => other.id === id);
      // Switched on again: its token is leased now, not at the next refresh.
      if (enabled && rule) deps.leases?.renew([tokenKey(rule.token)], 'resumed');
      await updateRules((rules) => rules.map((rule) => (rule.id === id ? { ...rule, enabled } : rule)));
      return { ok: true, value: null };
    },

    async removeRule({ id }) {
      await updateRules((rules) => rules.filter((rule) => rule.id !== id));
      return { ok: true, value: null };
    },

    async setInjectionSettings(patch) {
      const current = await deps.settings.getValue();
      const next = { ...current, ...patch };
      if (next.keepValuesOnDevice !== current.keepValuesOnDevice)
        await deps.values.moveTo(next.keepValuesOnDevice);
      await deps.settings.setValue(next);
      await deps.changed();
      return { ok: true, value: next };
    },

    async refreshTokens() {
      deps.leases?.inspectAll();
      await deps.checks.checkBound();
      await deps.changed();
      return { ok: true, value: null };
    },

    async exportRules() {
      const rules = await deps.rules.getValue();
      // Tab-scoped rules belong to a tab of this browser session; they are not part of a file.
      const file: RulesExport = {
        format: RULES_EXPORT_FORMAT,
        version: 1,
        // A stored confirmation was kept only for a broad pattern (saving and the storage migration see to it).
        rules: rules
          .filter((rule) => rule.tabId === undefined)
          .map((rule) => fields(rule, rule.allowBroad === true)),
      };
      return { ok: true, value: `${JSON.stringify(file, null, 2)}\n` };
    },

    async importRules({ text }) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return invalid('The file is not JSON.');
      }
      const file = v.safeParse(RulesExportSchema, json);
      if (!file.success)
        return invalid(
          `This is not a tokenward rules file: it needs "format": "${RULES_EXPORT_FORMAT}", "version": 1 and a list of "rules", as Export rules writes it.`,
        );
      const errors: { index: number; message: string }[] = [];
      const unconfirmed: number[] = [];
      const ownSiteOnly: number[] = [];
      const accepted: ExportedRule[] = [];
      const acceptedIndex = new Map<ExportedRule, number>();
      const accept = (rule: ExportedRule, index: number) => {
        accepted.push(rule);
        acceptedIndex.set(rule, index);
      };
      for (const [index, raw] of file.output.rules.entries()) {
        const parsed = v.safeParse(ExportedRuleSchema, raw);
        if (!parsed.success) {
          errors.push({ index: index + 1, message: describeIssues(parsed.issues) });
          continue;
        }
        // A file never stands in for the user's confirmation: a broad rule arrives off and unconfirmed, and a
        // rule for any page arrives for its own site's requests (the safe default), to be widened in the form.
        const { allowBroad: _fromFile, anyPage, ...rule } = parsed.output;
        if (anyPage === true) ownSiteOnly.push(index + 1);
        // Parsed once, its broad patterns allowed for now: whether they wait for a confirmation is read from it.
        const compiled = compileRule(rule);
        const problem = await problemOf(compiled);
        if (problem !== null || !compiled.ok) {
          errors.push({ index: index + 1, message: problem ?? 'The rule is not valid.' });
        } else if (compiled.broad) {
          unconfirmed.push(index + 1);
          accept(fields(compiled.rule, true, false), index + 1);
        } else accept(fields(compiled.rule, false), index + 1);
      }
      const rules = await deps.rules.getValue();
      // A rule already here (the same token, patterns, types and pages) is not added again: importing the file
      // one exported is a no-op, not a second copy of every rule.
      const present = new Set(rules.map(sameness));
      const already: number[] = [];
      const fresh = accepted.filter((rule) => {
        const key = sameness(rule);
        if (!present.has(key)) {
          present.add(key);
          return true;
        }
        already.push(acceptedIndex.get(rule) ?? 0);
        return false;
      });
      if (rules.length + fresh.length > MAX_RULES) return invalid(`At most ${MAX_RULES} rules.`);
      let id = nextId(rules);
      const added = fresh.map((rule) => ({ id: id++, ...rule }));
      if (added.length > 0) await updateRules((all) => [...all, ...added]);
      return {
        ok: true,
        value: {
          imported: added.length,
          errors,
          unconfirmed: unconfirmed.filter((index) => !already.includes(index)),
          ownSiteOnly: ownSiteOnly.filter(
            (index) => !errors.some((error) => error.index === index) && !already.includes(index),
          ),
          alreadyPresent: already,
        },
      };
    },
  };
}

/** "value: Invalid key" rather than valibot's summary: the user reads it next to the rule's number. */
function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .map((issue) => {
      const path = issue.path?.map((item) => String(item.key)).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** What makes two rules the same rule: the token and where it goes, whether or not either is on. */
function sameness(
  rule: Pick<ExportedRule, 'token' | 'patterns' | 'resourceTypes' | 'initiators' | 'anyPage'>,
): string {
  return JSON.stringify([
    [rule.token.server, rule.token.user, rule.token.name],
    rule.patterns.map((pattern) => pattern.trim()),
    rule.resourceTypes ?? null,
    rule.initiators ?? null,
    rule.anyPage === true,
  ]);
}
