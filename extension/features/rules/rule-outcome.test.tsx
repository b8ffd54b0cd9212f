// @vitest-environment happy-dom
// A 403 on a rule, for each kind of token: the explanation rests on what the token and its owner hold, and
// "Add it to <token>" appears only where adding helps (a restricted API token whose owner holds the permission).

import { computed } from '@preact/signals';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ROLE_PERMISSIONS } from '../../../shared/permissions';
import type { Token } from '../../../shared/schemas/token';
import type { Send } from '../../core/messages';
import type { RequestOutcome } from '../../core/request-outcomes';
import { DEFAULT_INJECTION_SETTINGS, ruleStatusItem } from '../../core/storage-items';
import { aToken } from '../../testing/token';
import { openAddPermissions } from '../tokens/add-permissions';
import { createPopupActions } from '../tokens/popup-actions';
import type { PopupDeps } from '../tokens/popup-deps';
import { createPopupState } from '../tokens/popup-state';
import { RuleOutcome } from './rule-outcome';
import { createRulesActions } from './rules-actions';
import { RulesContext } from './rules-context';
import { createRulesState } from './rules-state';

afterEach(cleanup);
beforeEach(() => fakeBrowser.reset());

const SERVER = 'http://127.0.0.1:8787';
const WRITE = 'repository/Samples:write';
const ADMIN = [...(ROLE_PERMISSIONS.fmeadmin ?? [])];
const GUEST = [...(ROLE_PERMISSIONS.fmeguest ?? [])];

/** The refusal of `refused`, drawn in a page signed in as admin whose background says what it and its owner hold. */
function renderRefusal(refused: Token, owner: string[] | null, status: 401 | 403 = 403) {
  const send = (async (type: string) => {
    if (type === 'describeTokenAccess') return { ok: true, value: { token: refused, owner } };
    if (type === 'getPermissionCatalogue')
      return { ok: false, error: { code: 'NETWORK', message: '', status: 0 } };
    if (type === 'getInjection')
      return { ok: true, value: { rules: [], status: {}, settings: DEFAULT_INJECTION_SETTINGS, held: [] } };
    throw new Error(`unexpected ${type}`);
  }) as Send;
  const state = createPopupState();
  state.server.value = SERVER;
  state.connection.value = {
    kind: 'signedIn',
    value: {
      server: SERVER,
      user: 'admin',
      roles: ['fmeadmin'],
      permissions: ADMIN,
      credential: 'session',
      restricted: false,
      expirationDate: null,
    },
  };
  const item = { getValue: vi.fn(), setValue: vi.fn() };
  const deps = {
    serverUrl: item,
    savedServers: item,
    uiPrefs: item,
    signOuts: { watch: () => () => {} },
    send,
    requestOrigin: vi.fn(),
    copyText: vi.fn(),
    downloadText: vi.fn(),
    now: () => Date.now(),
  } satisfies PopupDeps;
  const actions = createPopupActions(state, deps);
  const rulesActions = createRulesActions(createRulesState(), {
    send,
    server: () => SERVER,
    user: () => 'admin',
    activeTabId: async () => undefined,
    downloadText: () => {},
    requestOrigins: async () => true,
  });
  const outcome: RequestOutcome = {
    ruleId: 1,
    token: { server: SERVER, user: refused.user, name: refused.name },
    url: 'http://127.0.0.1:3000/api/items',
    status,
    at: Date.now(),
    tabId: 1,
    ...(status === 403 && { required: [WRITE] }),
  };
  // The rules inside the token manager's page, as the page's wiring hands them in.
  const page = {
    server: state.server,
    signedIn: computed(() => state.connection.value.kind === 'signedIn'),
    now: state.now,
    addPermissions: (refusedToken: Token, permissions: string[]) =>
      openAddPermissions({ state, actions }, refusedToken, permissions),
  };
  render(
    <RulesContext.Provider value={{ state: createRulesState(), actions: rulesActions, inPopup: true, page }}>
      <RuleOutcome outcome={outcome} now={Date.now()} />
    </RulesContext.Provider>,
  );
  return state;
}

const advice = async () => {
  await waitFor(() =>
    expect(document.querySelector('.outcome-advice')?.textContent).not.toMatch(/^Checking/),
  );
  return document.querySelector('.outcome-advice')?.textContent ?? '';
};
const offer = () => screen.queryByRole('button', { name: /^Add (it|them) to/ });

describe('a 403 on a rule', () => {
  it('All Permissions token whose owner holds the permission: no offer, and no claim the owner lacks it', async () => {
    renderRefusal(aToken({}), ADMIN);
    const text = await advice();
    expect(text).toContain('has All Permissions');
    expect(text).toContain('admin holds Repository Samples: Write');
    expect(text).not.toMatch(/lacks|does not hold/);
    expect(offer()).toBeNull();
  });

  it('All Permissions token whose owner lacks it: no offer; an administrator has to grant it', async () => {
    renderRefusal(aToken({ user: 'gus' }), GUEST);
    expect(await advice()).toContain('gus does not hold Repository Samples: Write');
    expect(offer()).toBeNull();
  });

  it('restricted token whose owner holds it: "Add it to" opens the edit form with it ticked for review', async () => {
    const state = renderRefusal(aToken({ restricted: true, permissions: ['repositories:access'] }), ADMIN);
    expect(await advice()).toContain('“ci” does not carry Repository Samples: Write, which admin holds');
    const button = offer();
    expect(button?.textContent).toBe('Add it to ci');
    if (button) fireEvent.click(button);
    await waitFor(() => expect(state.screen.value).toBe('edit'));
    expect(state.granted.value).toEqual([WRITE]);
    expect(state.draft.value.repositories).toContainEqual({ name: 'Samples', levels: ['write'] });
    expect(state.missing.value).toContain('repository/Samples:read');
  });

  it('restricted token whose owner lacks it: no offer', async () => {
    renderRefusal(aToken({ user: 'gus', restricted: true, permissions: ['repositories:access'] }), GUEST);
    expect(await advice()).toContain('gus does not hold Repository Samples: Write');
    expect(offer()).toBeNull();
  });

  it('session token: no offer, since a session carries all of its owner’s permissions', async () => {
    renderRefusal(aToken({ name: 'web session 2', type: 'SESSION', source: 'web' }), ADMIN);
    const text = await advice();
    expect(text).toContain('“web session 2” is a session of admin');
    expect(text).not.toMatch(/lacks|does not hold/);
    expect(offer()).toBeNull();
  });
});

describe('a 401 on a rule', () => {
  const outcomeText = () => document.querySelector('.outcome-advice')?.textContent ?? '';

  it('says what the server answered, what the token check found, and what to do', async () => {
    await ruleStatusItem.setValue({ 1: { state: 'disabled', message: 'Stopped: the token is disabled.' } });
    renderRefusal(aToken({}), ADMIN, 401);
    await waitFor(() => expect(outcomeText()).toContain('is disabled'));
    expect(outcomeText()).toBe(
      `The server answered 401 Unauthorized: it did not accept “ci”. “ci” is disabled on ${SERVER}, so the rule stopped. Enable it under Tokens and the rule resumes.`,
    );
  });

  it('tells a token its server accepts from an API that does not take it', async () => {
    await ruleStatusItem.setValue({ 1: { state: 'active' } });
    renderRefusal(aToken({}), ADMIN, 401);
    await waitFor(() => expect(outcomeText()).toContain(`Yet ${SERVER} accepts it`));
    expect(outcomeText()).toContain('the API at http://127.0.0.1:3000 does not take tokens from that server');
  });

  it('follows the check as it lands: the rule state changes under the open explanation', async () => {
    renderRefusal(aToken({}), ADMIN, 401);
    await waitFor(() => expect(outcomeText()).toContain('is asking'));
    await ruleStatusItem.setValue({ 1: { state: 'expired' } });
    await waitFor(() => expect(outcomeText()).toContain('has expired, so the rule stopped. Renew it'));
  });
});
