// Saving a rule: loopback needs no permission prompt; other hosts show the wait and what the browser answered.
import { describe, expect, it } from 'vitest';
import { tokenKey } from '../background/dnr-rules';
import type { InjectionView } from '../background/messages';
import type { Send } from '../popup/popup-deps';
import { createRulesActions, type RulesDeps } from './rules-actions';
import { createRulesState, emptyRuleDraft } from './rules-state';

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
    expect(asked).toEqual([['http://api.example.com/*', 'https://api.example.com/*']]);
    await Promise.resolve();
    expect(state.waiting.value).toContain('Waiting for the browser');
    expect(state.busy.value).toBe(true);
    grant(true);
    await saving;
    expect(state.waiting.value).toBeNull();
    expect(sent).toContain('saveRule');
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
