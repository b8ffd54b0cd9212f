// What the pages do with injection rules: load, pause, toggle, edit, bind a pasted value, settings, import, export.
import type { Result } from '../../../shared/api-client';
import type { ExportedRule, InjectionRule, TokenRef } from '../../../shared/schemas/injection-rules';
import { LEASE_TTL_MAX_SECONDS, LEASE_TTL_MIN_SECONDS } from '../../../shared/schemas/lease';
import { needsConfirmation, tokenKey } from '../../core/dnr-rules';
import { originsToAsk } from '../../core/host-access';
import type { TokenAccess } from '../../core/messages';
import { guard, type Send } from '../../core/messages';
import { emptyRuleDraft } from '../../core/model';
import { compileRule, confirmationProblem, patternLines } from '../../core/rule';
import { errorText } from '../../ui/error-text';
import { ruleStatusText } from '../../ui/rule-row';
import type { RuleDraft, RulesState } from './rules-state';

export interface RulesDeps {
  send: Send;
  /** The active server and who is signed in there (the default owner of a pasted token). */
  server(): string;
  user(): string | undefined;
  /** The tab the popup was opened over, for tab-scoped rules; undefined on the options page. */
  activeTabId(): Promise<number | undefined>;
  downloadText(fileName: string, text: string): void;
  /** Ask for access to the hosts a rule injects on (DNR modifies headers only where the extension has access).
   * Must start the browser's request synchronously: the prompt needs the click's user gesture. */
  requestOrigins(origins: string[]): Promise<boolean>;
}

export const ANY_PAGE_REFUSAL =
  'Any page is not saved until you confirm that every site you visit can then send requests that carry this token.';

type Asked = { granted: true } | { granted: false; problem?: string };

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Starts the browser's permission prompt now (it needs the click's user gesture: no await before it). */
function ask(deps: RulesDeps, origins: string[]): Promise<Asked> {
  if (origins.length === 0) return Promise.resolve({ granted: true });
  try {
    return deps.requestOrigins(origins).then(
      (granted): Asked => (granted ? { granted: true } : { granted: false }),
      (error: unknown): Asked => ({ granted: false, problem: describe(error) }),
    );
  } catch (error) {
    return Promise.resolve({ granted: false, problem: describe(error) });
  }
}

export function createRulesActions(state: RulesState, deps: RulesDeps) {
  /** Which save is current: a prompt answered after Cancel (or a newer save) is ignored. */
  let attempt = 0;

  async function load(): Promise<void> {
    const answer = await guard(deps.send('getInjection', { server: deps.server() }));
    if (answer.ok) state.view.value = { kind: 'ready', value: answer.value };
    else state.view.value = { kind: 'failed', message: errorText(answer.error, deps.server()) };
  }

  function held() {
    const view = state.view.value;
    return view.kind === 'ready' ? view.value.held : [];
  }

  function draftToRule(draft: RuleDraft): ExportedRule | string {
    const token = held().find((ref) => tokenKey(ref) === draft.token);
    if (!token) return 'Choose the token to send (keep or paste its value first).';
    const patterns = state.draftPatterns.value;
    if (patterns.length === 0) return 'Enter at least one URL pattern.';
    const initiators = patternLines(draft.initiators.replaceAll(',', '\n'));
    if (draft.pages === 'listed' && initiators.length === 0)
      return 'Enter the host names of the pages whose requests get the token.';
    if (draft.pages === 'any' && !draft.anyPageConfirmed) return ANY_PAGE_REFUSAL;
    return {
      token,
      patterns,
      ...(draft.resourceTypes.length > 0 && { resourceTypes: draft.resourceTypes }),
      ...(draft.pages === 'listed' && { initiators }),
      ...(draft.pages === 'any' && { anyPage: true }),
      enabled: draft.enabled,
      ...(draft.allowBroad && { allowBroad: true }),
    };
  }

  async function settle(
    answer: Promise<Result<unknown>>,
    done: string,
    where: typeof state.notice = state.notice,
  ): Promise<void> {
    const result = await guard(answer);
    if (result.ok) where.value = { tone: 'ok', text: done };
    else where.value = { tone: 'error', text: errorText(result.error, deps.server()) };
    await load();
  }

  return {
    load,

    async setPaused(paused: boolean): Promise<void> {
      await settle(
        deps.send('setInjectionSettings', { paused }),
        paused ? 'Injection paused.' : 'Injection resumed.',
      );
    },

    async setRuleEnabled(rule: InjectionRule, enabled: boolean): Promise<void> {
      await settle(deps.send('setRuleEnabled', { id: rule.id, enabled }), enabled ? 'Rule on.' : 'Rule off.');
      // Switched on but not injecting (its token is disabled, expired, waiting for a check…): a green "Rule on."
      // beside the rule's red status would contradict it, so the notice says what the rule says.
      const view = state.view.value;
      const status = view.kind === 'ready' ? view.value.status[String(rule.id)] : undefined;
      if (enabled && state.notice.value?.tone === 'ok' && status !== undefined && status.state !== 'active') {
        state.notice.value = { tone: 'error', text: `Rule on, but not injecting: ${ruleStatusText(status)}` };
      }
    },

    /** The rule's one button after the user removed its host access: ask the browser again (in the click). */
    async grantAccess(origins: string[]): Promise<void> {
      const asked = await ask(deps, origins);
      if (asked.granted) state.notice.value = { tone: 'ok', text: 'Access granted again.' };
      else
        state.notice.value = {
          tone: 'error',
          text: asked.problem ?? 'The browser did not grant access, so the rule stays stopped.',
        };
      // The background heard of the grant (permissions.onAdded) and synced: show what the rule says now.
      await load();
    },

    async remove(rule: InjectionRule): Promise<void> {
      await settle(deps.send('removeRule', { id: rule.id }), 'Rule removed.');
    },

    newRule(): void {
      const mine = held().filter((ref) => ref.server === deps.server());
      state.draft.value = emptyRuleDraft(mine.length === 1 && mine[0] ? tokenKey(mine[0]) : '');
      state.draftError.value = null;
      state.waiting.value = null;
      state.broad.value = false;
      state.notice.value = null;
    },

    edit(rule: InjectionRule): void {
      state.draft.value = {
        id: rule.id,
        token: tokenKey(rule.token),
        patterns: rule.patterns.join('\n'),
        resourceTypes: rule.resourceTypes ?? [],
        pages: rule.initiators ? 'listed' : rule.anyPage ? 'any' : 'own',
        initiators: (rule.initiators ?? []).join('\n'),
        anyPageConfirmed: rule.anyPage === true,
        enabled: rule.enabled,
        allowBroad: rule.allowBroad ?? false,
        thisTab: rule.tabId !== undefined,
      };
      state.draftError.value = null;
      // An imported broad rule arrives unconfirmed: editing it shows the confirmation it waits for.
      state.broad.value = needsConfirmation(rule);
    },

    editDraft(patch: Partial<RuleDraft>): void {
      const draft = state.draft.value;
      // The confirmation is for the patterns the user read: new patterns need it again (and so does any page).
      const unconfirm = patch.patterns !== undefined && draft !== null && patch.patterns !== draft.patterns;
      const leftAnyPage = patch.pages !== undefined && patch.pages !== 'any';
      if (draft)
        state.draft.value = {
          ...draft,
          ...patch,
          ...(unconfirm && { allowBroad: false }),
          ...(leftAnyPage && { anyPageConfirmed: false }),
        };
      state.draftError.value = null;
    },

    cancel(): void {
      attempt++;
      state.draft.value = null;
      state.draftError.value = null;
      state.waiting.value = null;
      state.busy.value = false;
      state.broad.value = false;
    },

    /** Call from the click handler: the host permission prompt needs the user's gesture. */
    async save(): Promise<void> {
      const draft = state.draft.value;
      if (!draft || state.busy.value) return;
      const rule = draftToRule(draft);
      if (typeof rule === 'string') {
        state.draftError.value = rule;
        return;
      }
      // The draft enters here: parsed once; whether a broad pattern still waits for its confirmation is read
      // from the parsed rule.
      const compiled = compileRule(rule);
      if (!compiled.ok) {
        state.draftError.value = compiled.message;
        return;
      }
      const unconfirmed = confirmationProblem(compiled);
      if (unconfirmed !== null) {
        state.broad.value = true;
        state.draftError.value = unconfirmed;
        return;
      }
      const origins = originsToAsk(compiled);
      const asked = ask(deps, origins);
      const mine = ++attempt;
      state.busy.value = true;
      if (origins.length > 0)
        state.waiting.value = `Waiting for the browser: allow tokenward to access ${origins.join(', ')} in its prompt to save this rule.`;
      const answerOfBrowser = await asked;
      if (mine !== attempt) return;
      state.waiting.value = null;
      if (!answerOfBrowser.granted) {
        state.busy.value = false;
        state.draftError.value = answerOfBrowser.problem
          ? `The browser did not ask for access to ${origins.join(', ')} (${answerOfBrowser.problem}). The rule was not saved; click Save rule again.`
          : `The browser refused access to ${origins.join(', ')}, so the rule was not saved: without it the header cannot be set on those requests. Click Save rule again and allow it.`;
        return;
      }
      const tabId = draft.thisTab ? await deps.activeTabId() : undefined;
      const answer = await guard(
        deps.send('saveRule', {
          ...(draft.id !== undefined && { id: draft.id }),
          rule,
          ...(tabId !== undefined && { tabId }),
        }),
      );
      state.busy.value = false;
      if (!answer.ok) {
        state.draftError.value =
          answer.error.code === 'VALIDATION_FAILED'
            ? answer.error.message
            : errorText(answer.error, deps.server());
        return;
      }
      state.draft.value = null;
      state.notice.value = { tone: 'ok', text: 'Rule saved.' };
      await load();
    },

    openPaste(open: boolean): void {
      state.paste.open.value = open;
      state.paste.error.value = null;
      if (open && state.paste.user.value === '') state.paste.user.value = deps.user() ?? '';
    },

    /** A value created elsewhere: the server must say it belongs to this owner and token name. */
    async bindValue(): Promise<void> {
      const { user, name, value, error } = state.paste;
      const token = value.value.trim();
      if (user.value.trim() === '' || name.value.trim() === '' || !/^[0-9a-f]{40}$/.test(token)) {
        error.value = 'Enter the owner, the token name and the 40-character value.';
        return;
      }
      const ref = { server: deps.server(), user: user.value.trim(), name: name.value.trim() };
      const answer = await guard(deps.send('bindTokenValue', { ...ref, value: token }));
      if (!answer.ok) {
        error.value =
          answer.error.code === 'UNAUTHORIZED'
            ? 'The server does not accept that value: it is unknown, disabled or expired.'
            : answer.error.code === 'VALIDATION_FAILED'
              ? answer.error.message
              : errorText(answer.error, deps.server());
        return;
      }
      value.value = '';
      state.paste.open.value = false;
      state.notice.value = { tone: 'ok', text: `The value of "${ref.name}" is held for injection.` };
      await load();
      // The value just pasted is the token the user means: the open form binds it, whatever it showed before.
      const draft = state.draft.value;
      if (draft) state.draft.value = { ...draft, token: tokenKey(ref) };
    },

    /** What a rule's token and its owner hold: what a 403 on that rule means, and whether to offer a fix. */
    describeAccess(ref: TokenRef): Promise<Result<TokenAccess>> {
      return guard(deps.send('describeTokenAccess', ref));
    },

    async setRefreshSeconds(seconds: number): Promise<void> {
      if (!Number.isInteger(seconds) || seconds < 1) {
        state.settingsNotice.value = {
          tone: 'error',
          text: 'Tokens are checked every whole number of seconds, 1 or more; the setting is unchanged.',
        };
        return;
      }
      await settle(
        deps.send('setInjectionSettings', { refreshSeconds: seconds }),
        `Tokens are checked every ${seconds} s.`,
        state.settingsNotice,
      );
    },

    async setLeaseSeconds(seconds: number): Promise<void> {
      if (!Number.isInteger(seconds) || seconds < LEASE_TTL_MIN_SECONDS || seconds > LEASE_TTL_MAX_SECONDS) {
        state.settingsNotice.value = {
          tone: 'error',
          text: `A lease lives ${LEASE_TTL_MIN_SECONDS} to ${LEASE_TTL_MAX_SECONDS} seconds; the setting is unchanged.`,
        };
        return;
      }
      await settle(
        deps.send('setInjectionSettings', { leaseSeconds: seconds }),
        `New leases live ${seconds} s and are renewed after ${Math.round((seconds * 2) / 3)} s.`,
        state.settingsNotice,
      );
    },

    async setKeepOnDevice(keep: boolean): Promise<void> {
      await settle(
        deps.send('setInjectionSettings', { keepValuesOnDevice: keep }),
        keep
          ? 'Token values are kept on this device.'
          : 'Token values are held for this browser session only.',
        state.settingsNotice,
      );
    },

    async exportRules(): Promise<void> {
      const answer = await guard(deps.send('exportRules', {}));
      if (answer.ok) {
        deps.downloadText('tokenward-rules.json', answer.value);
        state.settingsNotice.value = {
          tone: 'ok',
          text: 'Rules exported to tokenward-rules.json, without token values.',
        };
      } else state.settingsNotice.value = { tone: 'error', text: errorText(answer.error, deps.server()) };
    },

    async importRules(text: string): Promise<void> {
      const answer = await guard(deps.send('importRules', { text }));
      if (answer.ok) {
        state.importReport.value = answer.value;
        state.settingsNotice.value = null;
      } else {
        state.importReport.value = null;
        state.settingsNotice.value = { tone: 'error', text: answer.error.message };
      }
      await load();
    },
  };
}

export type RulesActions = ReturnType<typeof createRulesActions>;
