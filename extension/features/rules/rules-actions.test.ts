// The rule form's actions: saving (loopback needs no prompt; other hosts show the wait and the browser's answer)
// and the broad-pattern confirmation (only the user's tick sends it; new patterns need it again).
import { describe, expect, it } from 'vitest';
import type { InjectionRule } from '../../../shared/schemas/injection-rules';
import { tokenKey } from '../../core/dnr-rules';
import type { InjectionView, Send } from '../../core/messages';
import { emptyRuleDraft } from '../../core/model';
import { DEFAULT_INJECTION_SETTINGS } from '../../core/storage-items';
import { createRulesActions, type RulesDeps } from './rules-actions';
import { createRulesState } from './rules-state';

const ref = { server: 'http://127.0.0.1:8787', user: 'admin', name: 'ci' };
const view: InjectionView = {
  rules: [],
  status: {},
  settings: { paused: false, refreshSeconds: 60, keepValuesOnDevice: false },
  held: [ref],
};

function setup(requestOrigins: RulesDeps['requestOrigins']) {
  const state = createRulesState();
  const sent: string[] = [];
  const send = (async (type: string, data: { rule?: unknown }) => {
    sent.push(type);
    if (type === 'saveRule') return { ok: true, value: { id: 1, ...(data.rule as object) } };
    return { ok: true, value: view };
  }) as Send;
  const asked: string[][] = [];
  const actions = createRulesActions(state, {
    send,
    server: () => ref.server,
    user: () => 'admin',
    activeTabId: async () => undefined,
    downloadText: () => {},
    requestOrigins: (origins) => {
      asked.push(origins);
      return requestOrigins(origins);
    },
  });
  state.view.value = { kind: 'ready', value: view };
  const draft = (patterns: string) => {
    state.draft.value = { ...emptyRuleDraft(tokenKey(ref)), patterns };
  };
  return { state, actions, sent, asked, draft };
}

describe('saving a rule', () => {
  it.each(['127.0.0.1:3000', 'https://127.0.0.1:8443/api', 'http://localhost:5173', 'localhost/v1'])(
    'saves %s at once: loopback is granted by the manifest',
    async (pattern) => {
      const { state, actions, sent, asked, draft } = setup(async () => false);
      draft(pattern);
      await actions.save();
      expect(asked).toEqual([]);
      expect(sent).toContain('saveRule');
      expect(state.draftError.value).toBeNull();
      expect(state.notice.value).toEqual({ tone: 'ok', text: 'Rule saved.' });
    },
  );

  it('asks the browser before any await, shows that it waits, and saves once granted', async () => {
    let grant: (granted: boolean) => void = () => {};
    const { state, actions, sent, asked, draft } = setup(
      () => new Promise<boolean>((resolve) => (grant = resolve)),
    );
    draft('api.example.com/v1');
    const saving = actions.save();
    // Synchronously, inside the click: the prompt needs the user gesture.
    // WebSocket handshakes (a type every rule includes unless it names others) need ws:// and wss:// access.
    expect(asked).toEqual([
      [
        'http://api.example.com/*',
        'ws://api.example.com/*',
        'https://api.example.com/*',
        'wss://api.example.com/*',
      ],
    ]);
    await Promise.resolve();
    expect(state.waiting.value).toContain('Waiting for the browser');
    expect(state.busy.value).toBe(true);
    grant(true);
    await saving;
    expect(state.waiting.value).toBeNull();
    expect(sent).toContain('saveRule');
  });

  it('asks for the host a regex is pinned to before saving it', async () => {
    const { state, actions, sent, asked, draft } = setup(async () => true);
    draft('/^https://api\\.example\\.com/v[0-9]+//');
    await actions.save();
    expect(asked).toEqual([['https://api.example.com/*']]);
    expect(sent).toContain('saveRule');
    expect(state.draftError.value).toBeNull();
  });

  it('lets Cancel end a wait for a prompt that never answers; a late answer is ignored', async () => {
    let grant: (granted: boolean) => void = () => {};
    const { state, actions, sent, draft } = setup(() => new Promise<boolean>((resolve) => (grant = resolve)));
    draft('api.example.com/v1');
    const saving = actions.save();
    await Promise.resolve();
    actions.cancel();
    expect(state.busy.value).toBe(false);
    expect(state.waiting.value).toBeNull();
    grant(true);
    await saving;
    expect(sent).not.toContain('saveRule');
  });

  it('says the browser refused, and does not save', async () => {
    const { state, actions, sent, draft } = setup(async () => false);
    draft('api.example.com/v1');
    await actions.save();
    expect(state.draftError.value).toContain('The browser refused access to http://api.example.com/*');
    expect(state.waiting.value).toBeNull();
    expect(state.busy.value).toBe(false);
    expect(sent).not.toContain('saveRule');
  });

  it('explains a request the browser would not even show (no user gesture)', async () => {
    const { state, actions, sent, draft } = setup(async () => {
      throw new Error('This function must be called during a user gesture');
    });
    draft('api.example.com/v1');
    await actions.save();
    expect(state.draftError.value).toContain('user gesture');
    expect(state.draftError.value).toContain('not saved');
    expect(sent).not.toContain('saveRule');
  });
});

const importedRef = { server: 'http://127.0.0.1:8080', user: 'admin', name: 'api' };
const imported: InjectionRule = { id: 3, token: importedRef, patterns: ['/api/'], enabled: false };

function setupImported() {
  const sent: { type: string; data: unknown }[] = [];
  const send = (async (type: string, data: unknown) => {
    sent.push({ type, data });
    if (type === 'getInjection')
      return {
        ok: true,
        value: { rules: [imported], status: {}, settings: DEFAULT_INJECTION_SETTINGS, held: [importedRef] },
      };
    return { ok: true, value: { id: 3, ...(data as { rule: object }).rule } };
  }) as Send;
  const state = createRulesState();
  const actions = createRulesActions(state, {
    send,
    server: () => importedRef.server,
    user: () => importedRef.user,
    activeTabId: async () => undefined,
    downloadText: () => {},
    requestOrigins: async () => true,
  });
  return { state, actions, saves: () => sent.filter((message) => message.type === 'saveRule') };
}

describe('the broad-pattern confirmation in the rule form', () => {
  it('shows the unticked box when editing an imported broad rule, and saves nothing until it is ticked', async () => {
    const { state, actions, saves } = setupImported();
    await actions.load();
    actions.edit(imported);
    expect(state.broad.value).toBe(true);
    expect(state.draft.value?.allowBroad).toBe(false);
    await actions.save();
    expect(state.draftError.value).toContain('every site you visit');
    expect(saves()).toEqual([]);
    actions.editDraft({ allowBroad: true });
    await actions.save();
    expect(saves()).toEqual([
      {
        type: 'saveRule',
        data: { id: 3, rule: expect.objectContaining({ patterns: ['/api/'], allowBroad: true }) },
      },
    ]);
  });

  it('takes the tick back when the patterns change', async () => {
    const { state, actions, saves } = setupImported();
    await actions.load();
    actions.edit(imported);
    actions.editDraft({ allowBroad: true });
    actions.editDraft({ patterns: '/\\.com\\//' });
    expect(state.draft.value?.allowBroad).toBe(false);
    await actions.save();
    expect(saves()).toEqual([]);
  });
});

describe('switching a rule on', () => {
  const rule: InjectionRule = { id: 4, token: ref, patterns: ['127.0.0.1:3000'], enabled: false };
  function withStatus(status: InjectionView['status']) {
    const state = createRulesState();
    const send = (async () => ({ ok: true, value: { ...view, rules: [rule], status } })) as Send;
    const actions = createRulesActions(state, {
      send,
      server: () => ref.server,
      user: () => 'admin',
      activeTabId: async () => undefined,
      downloadText: () => {},
      requestOrigins: async () => true,
    });
    return { state, actions };
  }

  it('says "Rule on." when the rule injects', async () => {
    const { state, actions } = withStatus({ 4: { state: 'active' } });
    await actions.setRuleEnabled(rule, true);
    expect(state.notice.value).toEqual({ tone: 'ok', text: 'Rule on.' });
  });

  it('does not say a green "Rule on." beside a rule that is stopped', async () => {
    const { state, actions } = withStatus({ 4: { state: 'disabled', message: 'The token is disabled.' } });
    await actions.setRuleEnabled(rule, true);
    expect(state.notice.value?.tone).toBe('error');
    expect(state.notice.value?.text).toContain('Rule on, but not injecting');
  });
});

describe('whose requests a rule serves', () => {
  /** The rules the form sent to the background. */
  function recording() {
    const state = createRulesState();
    const rules: unknown[] = [];
    const send = (async (type: string, data: { rule?: unknown }) => {
      if (type === 'saveRule') {
        rules.push(data.rule);
        return { ok: true, value: { id: 1, ...(data.rule as object) } };
      }
      return { ok: true, value: view };
    }) as Send;
    const actions = createRulesActions(state, {
      send,
      server: () => ref.server,
      user: () => 'admin',
      activeTabId: async () => undefined,
      downloadText: () => {},
      requestOrigins: async () => true,
    });
    state.view.value = { kind: 'ready', value: view };
    state.draft.value = { ...emptyRuleDraft(tokenKey(ref)), patterns: '127.0.0.1:3000' };
    return { state, actions, rules };
  }

  it('sends neither initiators nor any page by default: the own site', async () => {
    const { actions, rules } = recording();
    await actions.save();
    expect(rules).toEqual([{ token: ref, patterns: ['127.0.0.1:3000'], enabled: true }]);
  });

  it('saves Any page only with the tick, and takes the tick back when the choice changes', async () => {
    const { state, actions, rules } = recording();
    actions.editDraft({ pages: 'any' });
    await actions.save();
    expect(rules).toEqual([]);
    expect(state.draftError.value).toContain('every site you visit');
    actions.editDraft({ anyPageConfirmed: true });
    actions.editDraft({ pages: 'own' });
    actions.editDraft({ pages: 'any' });
    expect(state.draft.value?.anyPageConfirmed).toBe(false);
    actions.editDraft({ anyPageConfirmed: true });
    await actions.save();
    expect(rules).toEqual([{ token: ref, patterns: ['127.0.0.1:3000'], anyPage: true, enabled: true }]);
  });

  it('needs at least one host for Only pages on, and keeps what the user typed otherwise', async () => {
    const { state, actions, rules } = recording();
    actions.editDraft({ pages: 'listed', initiators: ' , ' });
    await actions.save();
    expect(state.draftError.value).toContain('host names of the pages');
    actions.editDraft({ initiators: 'app.test, other.test' });
    await actions.save();
    expect(rules).toEqual([
      { token: ref, patterns: ['127.0.0.1:3000'], initiators: ['app.test', 'other.test'], enabled: true },
    ]);
  });

  it('opens a saved rule on the choice it holds', () => {
    const { state, actions } = recording();
    const saved: InjectionRule = { id: 4, token: ref, patterns: ['a.test'], enabled: true };
    actions.edit({ ...saved, anyPage: true });
    expect(state.draft.value).toMatchObject({ pages: 'any', anyPageConfirmed: true });
    actions.edit({ ...saved, initiators: ['app.test'] });
    expect(state.draft.value).toMatchObject({
      pages: 'listed',
      initiators: 'app.test',
      anyPageConfirmed: false,
    });
    actions.edit(saved);
    expect(state.draft.value).toMatchObject({ pages: 'own', anyPageConfirmed: false });
  });
});

describe('the token a rule binds', () => {
  const kept = { server: ref.server, user: 'admin', name: 'kept X' };
  const pasted = { server: ref.server, user: 'admin', name: 'pasted Y' };

  /** A background holding `kept`; bindTokenValue adds the pasted token; saveRule records the rule. */
  function withHeld() {
    const held = [kept];
    const saved: { token: unknown }[] = [];
    const send = (async (type: string, data: { rule?: { token: unknown }; name?: string }) => {
      if (type === 'bindTokenValue') held.push({ ...pasted, name: data.name ?? '' });
      if (type === 'saveRule' && data.rule) {
        saved.push(data.rule);
        return { ok: true, value: { id: 1, ...data.rule } };
      }
      return { ok: true, value: { ...view, held: [...held] } };
    }) as Send;
    const state = createRulesState();
    const actions = createRulesActions(state, {
      send,
      server: () => ref.server,
      user: () => 'admin',
      activeTabId: async () => undefined,
      downloadText: () => {},
      requestOrigins: async () => true,
    });
    return { state, actions, saved };
  }

  it('is the pasted one, even when the form had already chosen another', async () => {
    const { state, actions, saved } = withHeld();
    await actions.load();
    actions.newRule();
    // The only held token is chosen for the user…
    expect(state.draft.value?.token).toBe(tokenKey(kept));
    // …and pasting another one makes that the rule's token: the notice and the choice agree.
    actions.openPaste(true);
    state.paste.name.value = pasted.name;
    state.paste.value.value = 'a'.repeat(40);
    await actions.bindValue();
    expect(state.notice.value?.text).toContain(pasted.name);
    expect(state.draft.value?.token).toBe(tokenKey(pasted));
    actions.editDraft({ patterns: '127.0.0.1:3000' });
    await actions.save();
    expect(saved.map((rule) => rule.token)).toEqual([pasted]);
  });
});

describe('the injection settings', () => {
  it('says beside the settings what a change did, and refuses a refresh interval that is not whole seconds', async () => {
    const { state, actions, sent } = setup(async () => true);
    for (const seconds of [0, 2.5, -1]) {
      await actions.setRefreshSeconds(seconds);
      expect(state.settingsNotice.value).toMatchObject({
        tone: 'error',
        text: expect.stringContaining('unchanged'),
      });
    }
    expect(sent).not.toContain('setInjectionSettings');
    await actions.setRefreshSeconds(30);
    expect(sent).toContain('setInjectionSettings');
    expect(state.settingsNotice.value).toEqual({ tone: 'ok', text: 'Tokens are checked every 30 s.' });
    // The rules' own notice, at the top of the panel, is not where the settings speak.
    expect(state.notice.value).toBeNull();
  });
});
