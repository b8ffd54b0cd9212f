// The rule form's broad-pattern confirmation: only the user's tick sends it, and new patterns need it again.
import { describe, expect, it } from 'vitest';
import type { InjectionRule } from '../../shared/schemas/injection-rules';
import type { Send } from '../popup/popup-deps';
import { DEFAULT_INJECTION_SETTINGS } from '../utils/storage-items';
import { createRulesActions } from './rules-actions';
import { createRulesState } from './rules-state';

const ref = { server: 'http://127.0.0.1:8080', user: 'admin', name: 'api' };
const imported: InjectionRule = { id: 3, token: ref, patterns: ['/api/'], enabled: false };

function setup() {
  const sent: { type: string; data: unknown }[] = [];
  const send = (async (type: string, data: unknown) => {
    sent.push({ type, data });
    if (type === 'getInjection')
      return {
        ok: true,
        value: { rules: [imported], status: {}, settings: DEFAULT_INJECTION_SETTINGS, held: [ref] },
      };
    return { ok: true, value: { id: 3, ...(data as { rule: object }).rule } };
  }) as Send;
  const state = createRulesState();
  const actions = createRulesActions(state, {
    send,
    server: () => ref.server,
    user: () => ref.user,
    activeTabId: async () => undefined,
    downloadText: () => {},
    requestOrigins: async () => true,
  });
  return { state, actions, saves: () => sent.filter((message) => message.type === 'saveRule') };
}

describe('the broad-pattern confirmation in the rule form', () => {
  it('shows the unticked box when editing an imported broad rule, and saves nothing until it is ticked', async () => {
    const { state, actions, saves } = setup();
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
    const { state, actions, saves } = setup();
    await actions.load();
    actions.edit(imported);
    actions.editDraft({ allowBroad: true });
    actions.editDraft({ patterns: '/\\.com\\//' });
    expect(state.draft.value?.allowBroad).toBe(false);
    await actions.save();
    expect(saves()).toEqual([]);
  });
});
