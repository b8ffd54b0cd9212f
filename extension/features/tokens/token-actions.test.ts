// Popup and options actions against the real app through the background: sign-in, lists, the new-token form.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createApiClient } from '../../../shared/api-client';
import { ADMIN_PASSWORD, adminBasic, basic, jsonInit } from '../../../test/fixtures/test-app';
import { startTestServer, type TestServer } from '../../../test/fixtures/test-server';
import { createMessageHandlers, registerMessageHandlers } from '../../background/message-handlers';
import type { Send } from '../../core/messages';
import { sendMessage } from '../../core/messages';
import {
  credentialsItem,
  keptTokensItem,
  savedServersItem,
  serverUrlItem,
  signOutsItem,
  uiPrefsItem,
} from '../../core/storage-items';
import { withPermissions } from '../../core/token-draft';
import { closedPortUrl } from '../../testing/loopback-server';
import { createAllTokensActions } from './all-tokens-actions';
import { createAllTokensState } from './all-tokens-state';
import { createPopupActions } from './popup-actions';
import type { PopupDeps } from './popup-deps';
import { createPopupState, type PopupState } from './popup-state';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await server.app.addUser('gus', 'gus password', ['fmeguest']);
  await server.app.addUser('bulk', 'bulk password', ['fmeuser']);
});
afterAll(() => server.stop());

beforeEach(async () => {
  fakeBrowser.reset();
  registerMessageHandlers(
    browser.runtime.onMessage,
    createMessageHandlers({
      createApiClient,
      fetch: (input, init) => fetch(input, init),
      timeoutMs: 2_000,
      credentials: credentialsItem,
      keptTokens: keptTokensItem,
    }),
  );
  await serverUrlItem.setValue(server.baseUrl);
  await savedServersItem.setValue([server.baseUrl]);
});

function setup(send: Send = sendMessage) {
  const state = createPopupState();
  const deps = {
    serverUrl: serverUrlItem,
    savedServers: savedServersItem,
    uiPrefs: uiPrefsItem,
    signOuts: signOutsItem,
    send,
    requestOrigin: vi.fn<PopupDeps['requestOrigin']>(async () => true),
    copyText: vi.fn<PopupDeps['copyText']>(async () => {}),
    downloadText: vi.fn<PopupDeps['downloadText']>(),
    now: () => Date.now(),
  };
  return { state, deps, actions: createPopupActions(state, deps) };
}

async function signedIn(user = 'admin', password = ADMIN_PASSWORD) {
  const popup = setup();
  await popup.actions.load();
  popup.state.signIn.user.value = user;
  popup.state.signIn.password.value = password;
  await popup.actions.signIn();
  expect(popup.state.connection.value.kind).toBe('signedIn');
  return popup;
}

function names(state: PopupState['mine']): string[] {
  const list = state.list.value;
  return list.kind === 'ready' ? list.items.map((t) => t.name) : [];
}

async function restToken(user: string, name: string) {
  const res = await fetch(`${server.baseUrl}/fmerest/v3/tokens/${user}/${encodeURIComponent(name)}`, {
    headers: { Authorization: adminBasic },
  });
  return res.status === 200
    ? ((await res.json()) as { enabled: boolean; permissions?: string[]; expirationDate: string })
    : res.status;
}

describe('signing in from the popup', () => {
  it('explains what is missing or wrong, then lists tokens and clears the password', async () => {
    const { state, actions } = setup();
    await actions.load();
    expect(state.connection.value).toEqual({ kind: 'signedOut' });
    await actions.signIn();
    expect(state.signIn.error.value).toBe('Enter your user name and password.');
    state.signIn.user.value = 'admin';
    state.signIn.password.value = 'wrong';
    await actions.signIn();
    expect(state.signIn.error.value).toBe('The user name or password is wrong, or the account is disabled.');

    state.signIn.password.value = ADMIN_PASSWORD;
    await actions.signIn();
    expect(state.connection.value).toMatchObject({
      kind: 'signedIn',
      value: { user: 'admin', credential: 'session' },
    });
    expect(state.signIn.password.value).toBe('');
    expect(state.mine.list.value.kind).toBe('ready');

    // The session tab shows the extension's own session, and the choice of tab is remembered.
    await actions.setTab('SESSION');
    const list = state.mine.list.value;
    expect(list.kind === 'ready' && list.items.some((t) => t.current)).toBe(true);
    expect(await uiPrefsItem.getValue()).toEqual({ tab: 'SESSION', status: 'active' });

    // A second popup opens signed in, on the same tab, without asking again.
    const again = setup();
    await again.actions.load();
    expect(again.state.connection.value.kind).toBe('signedIn');
    expect(again.state.tab.value).toBe('SESSION');
  });

  it('asks to sign in again when the session lapsed, and keeps it alive while in use', async () => {
    const { state, actions } = await signedIn();
    const first =
      state.connection.value.kind === 'signedIn' ? state.connection.value.value.expirationDate : null;
    server.app.clock.advance(27 * 60);
    await actions.keepAlive();
    const renewed =
      state.connection.value.kind === 'signedIn' ? state.connection.value.value.expirationDate : null;
    expect(Date.parse(renewed ?? '')).toBeGreaterThan(Date.parse(first ?? ''));

    server.app.clock.advance(31 * 60);
    await actions.keepAlive();
    expect(state.connection.value).toEqual({
      kind: 'signedOut',
      reason: `Your sign-in to ${server.baseUrl} has ended; sign in again.`,
    });
  });

  it('says the server is unreachable when it cannot be reached', async () => {
    const closed = await closedPortUrl();
    await serverUrlItem.setValue(closed);
    await credentialsItem.setValue({ [closed]: { kind: 'session', value: 'a'.repeat(40), user: 'admin' } });
    const { state, actions } = setup();
    await actions.load();
    expect(state.connection.value).toEqual({
      kind: 'signedOut',
      reason: `The server at ${closed} is unreachable.`,
    });
  });

  it('switches between saved servers, each with its own sign-in', async () => {
    const other = await startTestServer();
    try {
      const { state, actions } = await signedIn();
      actions.addServer(true);
      actions.setUrlInput(other.baseUrl);
      await actions.save();
      expect(state.servers.value).toEqual([server.baseUrl, other.baseUrl]);
      expect(state.connection.value).toEqual({ kind: 'signedOut' });
      await actions.switchServer(server.baseUrl);
      expect(state.connection.value).toMatchObject({ kind: 'signedIn', value: { server: server.baseUrl } });
    } finally {
      await other.stop();
    }
  });
});

describe('the new-token form', () => {
  it('offers the missing dependencies before sending, then creates the token and shows its value once', async () => {
    const { state, actions, deps } = await signedIn();
    await actions.openNewToken();
    expect(state.catalogue.value.kind).toBe('ready');
    actions.editDraft({
      name: 'picked',
      restricted: true,
      expiry: '7d',
      repositories: [{ name: 'Samples', levels: ['run'] }],
    });
    await actions.submit();
    expect(state.missing.value).toEqual([
      'repositories:access',
      'repository/Samples:read',
      'runworkspace:access',
    ]);
    expect(await restToken('admin', 'picked')).toBe(404);

    // Granting ticks the permissions for review; nothing is sent until the user creates the token.
    actions.grantMissing();
    expect(state.granted.value).toHaveLength(3);
    expect(state.screen.value).toBe('new');
    expect(await restToken('admin', 'picked')).toBe(404);
    await actions.submit();
    expect(state.screen.value).toBe('created');
    const value = state.created.value?.token.token ?? '';
    expect(value).toMatch(/^[0-9a-f]{40}$/);
    expect(await restToken('admin', 'picked')).toMatchObject({
      permissions: [
        'repositories:access',
        'repository/Samples:read',
        'repository/Samples:run',
        'runworkspace:access',
      ],
    });

    await actions.copyValue();
    expect(deps.copyText).toHaveBeenCalledWith(value);
    expect(state.created.value?.copied).toBe(true);
    actions.downloadValue();
    expect(deps.downloadText).toHaveBeenCalledWith('picked.txt', value);

    await actions.setKept(true);
    expect(await keptTokensItem.getValue()).toEqual([
      { server: server.baseUrl, user: 'admin', name: 'picked', value },
    ]);
    await actions.setKept(false);
    expect(await keptTokensItem.getValue()).toEqual([]);

    actions.closeCreated();
    expect(state.created.value).toBeNull();
    expect(names(state.mine)).toContain('picked');
  });

  it('offers the repositories the user may read, and none (without an error) to one who may read none', async () => {
    const admin = await signedIn();
    await admin.actions.openNewToken();
    await vi.waitFor(() => expect(admin.state.knownRepositories.value).toEqual(['Samples']));
    const gus = await signedIn('gus', 'gus password');
    await gus.actions.openNewToken();
    await vi.waitFor(() => expect(gus.state.knownRepositories.value).toEqual(['Samples']));
    await server.app.addUser('nobody', 'nobody password', []);
    const nobody = await signedIn('nobody', 'nobody password');
    await nobody.actions.openNewToken();
    expect(nobody.state.knownRepositories.value).toEqual([]);
    expect(nobody.state.draftError.value).toBeNull();
  });

  it("offers what the server's 422 PERMISSION_DEPENDENCIES names", async () => {
    const { state } = await signedIn();
    const refusing: Send = (type, data) =>
      type === 'createToken'
        ? Promise.resolve({
            ok: false,
            error: {
              code: 'PERMISSION_DEPENDENCIES',
              status: 422,
              message: 'x',
              details: { required: ['jobs:access'] },
            },
          })
        : sendMessage(type, data);
    const popup = setup(refusing);
    await popup.actions.load();
    await popup.actions.openNewToken();
    popup.actions.editDraft({ name: 'odd', restricted: true, general: ['repositories:access'] });
    await popup.actions.submit();
    expect(popup.state.missing.value).toEqual(['jobs:access']);
    expect(state.connection.value.kind).toBe('signedIn');
  });

  it('names the permission a 403 says is missing, and refuses an empty name without a request', async () => {
    const { state, actions } = await signedIn('gus', 'gus password');
    await actions.openNewToken();
    await actions.submit();
    expect(state.draftError.value).toBe('Give the token a name.');
    actions.editDraft({ name: 'greedy', restricted: true, general: ['jobs:access'] });
    await actions.submit();
    expect(state.draftError.value).toBe('This needs the jobs:access permission, which you do not hold.');
    expect(await restToken('gus', 'greedy')).toBe(404);
  });
});

describe('editing in place and renewing', () => {
  it('changes the description and permissions through the dependency offer, reviewed before saving', async () => {
    const { state, actions } = await signedIn();
    await actions.openNewToken();
    actions.editDraft({ name: 'edited', description: 'old', expiry: '7d' });
    await actions.submit();
    actions.closeCreated();
    await actions.mine.refresh();
    const list = state.mine.list.value;
    const token = list.kind === 'ready' ? list.items.find((t) => t.name === 'edited') : undefined;
    if (!token) throw new Error('the new token is not listed');

    await actions.openEdit(token);
    expect(state.screen.value).toBe('edit');
    expect(state.draft.value).toMatchObject({ name: 'edited', description: 'old', expiry: 'keep' });
    actions.editDraft({
      description: 'new',
      restricted: true,
      repositories: [{ name: 'Samples', levels: ['run'] }],
    });
    await actions.submit();
    expect(state.missing.value).toEqual([
      'repositories:access',
      'repository/Samples:read',
      'runworkspace:access',
    ]);
    actions.grantMissing();
    expect(await restToken('admin', 'edited')).toMatchObject({ description: 'old', restricted: false });
    await actions.submit();
    expect(state.screen.value).toBe('tokens');
    expect(state.notice.value).toEqual({ tone: 'ok', text: 'Saved the changes to "edited".' });
    const saved = await restToken('admin', 'edited');
    expect(saved).toMatchObject({
      description: 'new',
      restricted: true,
      permissions: [
        'repositories:access',
        'repository/Samples:read',
        'repository/Samples:run',
        'runworkspace:access',
      ],
      // "Keep" left the expiration alone.
      expirationDate: token.expirationDate,
    });

    // Back to All Permissions; an unchanged form sends nothing.
    const reread = state.mine.list.value;
    const restricted = reread.kind === 'ready' ? reread.items.find((t) => t.name === 'edited') : undefined;
    if (!restricted) throw new Error('the token is not listed');
    await actions.openEdit(restricted);
    await actions.submit();
    expect(state.draftError.value).toBe('Nothing has changed.');
    actions.editDraft({ restricted: false });
    await actions.submit();
    expect(await restToken('admin', 'edited')).toMatchObject({ restricted: false });
  });

  it('enables an expired API token by giving it a new expiration', async () => {
    const { state, actions } = await signedIn();
    const created = await fetch(
      `${server.baseUrl}/fmerest/v3/tokens`,
      jsonInit('POST', adminBasic, { name: 'lapsed', expirationTimeout: 60 }),
    );
    expect(created.status).toBe(201);
    server.app.clock.advance(120);
    await actions.setFilter('expired');
    const list = state.mine.list.value;
    const token = list.kind === 'ready' ? list.items.find((t) => t.name === 'lapsed') : undefined;
    if (!token) throw new Error('the expired token is not listed');
    expect(token.expired).toBe(true);

    await actions.openEdit(token);
    expect(state.draft.value.expiry).toBe('30d');
    actions.editDraft({ expiry: 'keep' });
    await actions.submit();
    expect(state.draftError.value).toBe(
      'This token has expired: choose a new expiration to enable it again.',
    );
    actions.editDraft({ expiry: '7d' });
    await actions.submit();
    expect(state.screen.value).toBe('tokens');
    // The list it returns to says what happened.
    expect(state.notice.value?.tone).toBe('ok');
    expect(state.notice.value?.text).toMatch(/^Renewed "lapsed": it is enabled again\. It expires .+\.$/);
    const renewed = await restToken('admin', 'lapsed');
    expect(renewed).toMatchObject({ enabled: true, expired: false });
    const after = typeof renewed === 'number' ? Number.NaN : Date.parse(renewed.expirationDate);
    expect(Math.round((after - Date.parse(token.expirationDate)) / 86_400_000)).toBe(7);
    await actions.setFilter('active');
  });

  it('marks a restricted API token sign-in as unable to change tokens', async () => {
    const { state, actions } = await signedIn();
    await actions.openNewToken();
    actions.editDraft({ name: 'narrow', restricted: true, general: ['repositories:access'] });
    await actions.submit();
    const value = state.created.value?.token.token ?? '';
    actions.closeCreated();
    await actions.signOut();
    actions.setSignInMode('token');
    state.signIn.token.value = value;
    await actions.signIn();
    expect(state.connection.value).toMatchObject({
      kind: 'signedIn',
      value: { credential: 'token', restricted: true },
    });
  });
});

describe('token rows', () => {
  it('disables, enables, duplicates (with a name) and removes (after asking)', async () => {
    const { state, actions } = await signedIn();
    await actions.openNewToken();
    actions.editDraft({ name: 'row token' });
    await actions.submit();
    actions.closeCreated();
    const token = () => {
      const list = state.mine.list.value;
      const found = list.kind === 'ready' ? list.items.find((t) => t.name === 'row token') : undefined;
      if (!found) throw new Error('row token is not listed');
      return found;
    };

    await actions.mine.toggle(token());
    expect(token().enabled).toBe(false);
    expect(state.mine.notice.value).toEqual({ tone: 'ok', text: 'Disabled "row token".' });
    expect(await restToken('admin', 'row token')).toMatchObject({ enabled: false });
    await actions.mine.toggle(token());
    expect(await restToken('admin', 'row token')).toMatchObject({ enabled: true });

    actions.mine.ask(token(), 'duplicate');
    expect(state.mine.duplicate.value.name).toBe('row token (copy)');
    actions.mine.editDuplicate({ name: 'row twin' });
    await actions.mine.duplicate(token());
    expect(state.screen.value).toBe('created');
    expect(state.created.value?.token.name).toBe('row twin');
    actions.closeCreated();
    expect(names(state.mine)).toEqual(expect.arrayContaining(['row token', 'row twin']));

    actions.mine.ask(token(), 'remove');
    expect(state.mine.prompt.value?.kind).toBe('remove');
    // A refresh the page starts on its own (a sign-in confirmed, another window's change) leaves the question
    // open while its token is listed.
    await actions.mine.refresh();
    expect(state.mine.prompt.value?.kind).toBe('remove');
    await actions.mine.remove(token());
    expect(names(state.mine)).not.toContain('row token');
    expect(state.mine.notice.value).toEqual({ tone: 'ok', text: 'Removed "row token".' });
    expect(await restToken('admin', 'row token')).toBe(404);

    // A question about a token removed elsewhere closes with the refresh that no longer lists it.
    const listed = state.mine.list.value;
    const twin = listed.kind === 'ready' ? listed.items.find((t) => t.name === 'row twin') : undefined;
    if (!twin) throw new Error('row twin is not listed');
    actions.mine.ask(twin, 'remove');
    const gone = await fetch(`${server.baseUrl}/fmerest/v3/tokens/admin/row%20twin`, {
      method: 'DELETE',
      headers: { Authorization: adminBasic },
    });
    expect(gone.status).toBe(204);
    await actions.mine.refresh();
    expect(state.mine.prompt.value).toBeNull();
  });

  it("gives a copy the original's lifetime unless another expiry is chosen, and says what it made", async () => {
    const { state, actions } = await signedIn();
    const made = await fetch(
      `${server.baseUrl}/fmerest/v3/tokens`,
      jsonInit('POST', adminBasic, { name: 'weekly', expirationTimeout: 7 * 86_400 }),
    );
    expect(made.status).toBe(201);
    await actions.mine.refresh();
    const list = state.mine.list.value;
    const weekly = list.kind === 'ready' ? list.items.find((t) => t.name === 'weekly') : undefined;
    if (!weekly) throw new Error('weekly is not listed');
    const now = server.app.clock.now();
    const expiresIn = async (name: string) => {
      const found = await restToken('admin', name);
      return typeof found === 'number' ? found : (Date.parse(found.expirationDate) - now) / 86_400_000;
    };

    actions.mine.ask(weekly, 'duplicate');
    expect(state.mine.duplicate.value).toEqual({ name: 'weekly (copy)', expiry: 'same', date: '' });
    await actions.mine.duplicate(weekly);
    expect(await expiresIn('weekly (copy)')).toBe(7);
    actions.closeCreated();

    actions.mine.ask(weekly, 'duplicate');
    actions.mine.editDuplicate({ name: 'weekly for a day', expiry: '1d' });
    await actions.mine.duplicate(weekly);
    expect(await expiresIn('weekly for a day')).toBe(1);
  });

  it('loads the next page on "Show more" and filters expired tokens', async () => {
    const login = await fetch(
      `${server.baseUrl}/fmerest/v3/login`,
      jsonInit('POST', basic('bulk', 'bulk password')),
    );
    const { token } = (await login.json()) as { token: string };
    const bulk = createApiClient({ baseUrl: server.baseUrl, credential: { kind: 'token', value: token } });
    for (let i = 0; i < 55; i++)
      await bulk.createToken({ name: `t${i}`, expirationTimeout: i < 5 ? 60 : 86_400 });
    const { state, actions } = await signedIn('bulk', 'bulk password');
    expect(names(state.mine)).toHaveLength(50);
    await actions.mine.loadMore();
    expect(names(state.mine)).toHaveLength(55);

    server.app.clock.advance(120);
    await actions.setFilter('expired');
    expect(names(state.mine).sort()).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });
});

describe('All Tokens (options page)', () => {
  it("lists other users' tokens by owner for an administrator and disables them", async () => {
    const gus = createApiClient({
      baseUrl: server.baseUrl,
      credential: { kind: 'basic', user: 'gus', password: 'gus password' },
    });
    await gus.createToken({ name: 'gus laptop' });
    const { state, actions } = await signedIn();
    const all = createAllTokensState();
    const allActions = createAllTokensActions(all, {
      send: sendMessage,
      server: () => state.server.value,
      unauthorized: actions.lapsed,
    });
    await allActions.list.reload();
    const everyone = all.table.list.list.value;
    expect(everyone.kind === 'ready' && everyone.items.some((t) => t.user === 'gus')).toBe(true);

    allActions.setOwner('gus');
    await allActions.setType('USER');
    const listed = all.table.list.list.value;
    if (listed.kind !== 'ready') throw new Error('not listed');
    expect(listed.items.map((t) => [t.user, t.name])).toEqual([['gus', 'gus laptop']]);
    const [gusToken] = listed.items;
    if (!gusToken) throw new Error('no token');
    await allActions.list.toggle(gusToken);
    expect(await restToken('gus', 'gus laptop')).toMatchObject({ enabled: false });
  });

  it('keeps the rows on screen while the Owner filter changes, so a click on a row is not lost', async () => {
    const { state, actions } = await signedIn();
    const all = createAllTokensState();
    const allActions = createAllTokensActions(all, {
      send: sendMessage,
      server: () => state.server.value,
      unauthorized: actions.lapsed,
    });
    await allActions.list.reload();
    const before = all.table.list.list.value;
    allActions.setOwner('gu');
    allActions.setOwner('gus');
    // While typing (and after leaving the field) the rows stay: nothing under the pointer moves away.
    expect(all.table.list.list.value).toBe(before);
    await vi.waitFor(() => {
      const after = all.table.list.list.value;
      expect(after.kind === 'ready' && after.items.every((t) => t.user === 'gus')).toBe(true);
    });
  });

  /** The admin's API tokens in the options page's table, after creating `names`. */
  async function tableWith(names: string[]) {
    const { state, actions } = await signedIn();
    for (const name of names) {
      await fetch(`${server.baseUrl}/fmerest/v3/tokens`, jsonInit('POST', adminBasic, { name }));
    }
    const all = createAllTokensState();
    const allActions = createAllTokensActions(all, {
      send: sendMessage,
      server: () => state.server.value,
      unauthorized: actions.lapsed,
    });
    allActions.setOwner('admin');
    await allActions.setType('USER');
    const listed = all.table.list.list.value;
    if (listed.kind !== 'ready') throw new Error('not listed');
    return { all, allActions, listed };
  }

  it('disables, enables and removes the selected tokens at once', async () => {
    const { all, allActions, listed } = await tableWith(['bulk 1', 'bulk 2', 'bulk 3']);
    const picked = listed.items.filter((t) => t.name.startsWith('bulk '));
    expect(picked).toHaveLength(3);
    allActions.table.selectAll(picked, true);
    await allActions.table.bulk('disable');
    expect(all.table.list.notice.value).toEqual({
      tone: 'ok',
      text: 'Disabled 3 tokens: bulk 1, bulk 2, bulk 3.',
    });
    for (const name of ['bulk 1', 'bulk 2', 'bulk 3'])
      expect(await restToken('admin', name)).toMatchObject({ enabled: false });
    await allActions.table.bulk('enable');
    expect(await restToken('admin', 'bulk 2')).toMatchObject({ enabled: true });
    await allActions.table.bulk('remove');
    for (const name of ['bulk 1', 'bulk 2', 'bulk 3']) expect(await restToken('admin', name)).toBe(404);
    expect(all.table.selected.value.size).toBe(0);
  });

  it('acts only on the selected rows the search shows, as the confirmation counts them', async () => {
    const { all, allActions, listed } = await tableWith(['alpha one', 'alpha two', 'beta one']);
    allActions.table.selectAll(
      listed.items.filter((t) => /^(alpha|beta) /.test(t.name)),
      true,
    );
    allActions.table.setSearch('beta');
    await allActions.table.bulk('remove');
    expect(all.table.list.notice.value).toEqual({ tone: 'ok', text: 'Removed 1 token: beta one.' });
    expect(await restToken('admin', 'beta one')).toBe(404);
    for (const name of ['alpha one', 'alpha two'])
      expect(await restToken('admin', name)).toMatchObject({ enabled: true });
    // The hidden rows are still selected, for when the search shows them again.
    expect(all.table.selected.value.size).toBe(2);
    allActions.table.setSearch('');
    await allActions.table.bulk('disable');
    for (const name of ['alpha one', 'alpha two'])
      expect(await restToken('admin', name)).toMatchObject({ enabled: false });
  });
});

describe('the current session', () => {
  /** The extension's own session as the Session tokens tab lists it. */
  async function currentSession(popup: Awaited<ReturnType<typeof signedIn>>) {
    await popup.actions.setTab('SESSION');
    const list = popup.state.mine.list.value;
    const current = list.kind === 'ready' ? list.items.find((t) => t.current) : undefined;
    if (!current) throw new Error('the current session is not listed');
    return current;
  }

  it('is disabled like any other session, and every open page goes to the sign-in form with why', async () => {
    const popup = await signedIn();
    const options = setup();
    await options.actions.load();
    expect(options.state.connection.value.kind).toBe('signedIn');
    for (const page of [popup, options]) page.actions.watchSignOuts();
    const current = await currentSession(popup);

    await popup.actions.mine.toggle(current);
    expect(await restToken('admin', current.name)).toMatchObject({ enabled: false });
    const reason = `You disabled your current session (“${current.name}”), so you are signed out of ${server.baseUrl}. Sign in again to go on.`;
    // No further click: both pages follow the background's sign-out at once.
    for (const page of [popup, options])
      await vi.waitFor(() => expect(page.state.connection.value).toEqual({ kind: 'signedOut', reason }));
    expect(await credentialsItem.getValue()).toEqual({});

    // Signed in again, the old session is one more disabled session: enabling it signs nobody out.
    const again = await signedIn();
    again.actions.watchSignOuts();
    await again.actions.setTab('SESSION');
    const list = again.state.mine.list.value;
    const old = list.kind === 'ready' ? list.items.find((t) => t.name === current.name) : undefined;
    expect(old).toMatchObject({ enabled: false, current: false });
    if (old) await again.actions.mine.toggle(old);
    expect(await restToken('admin', current.name)).toMatchObject({ enabled: true });
    expect(again.state.connection.value.kind).toBe('signedIn');
  });

  it('says removing it signed you out', async () => {
    const popup = await signedIn();
    popup.actions.watchSignOuts();
    const current = await currentSession(popup);
    await popup.actions.mine.remove(current);
    expect(await restToken('admin', current.name)).toBe(404);
    await vi.waitFor(() =>
      expect(popup.state.connection.value).toMatchObject({
        kind: 'signedOut',
        reason: expect.stringContaining('You removed your current session'),
      }),
    );
  });

  it('is disabled last in a bulk action, which reports every selected row', async () => {
    const { state, actions } = await signedIn();
    actions.watchSignOuts();
    for (const [name, enabled] of [
      ['mixed on', true],
      ['mixed off', false],
    ] as const)
      await fetch(`${server.baseUrl}/fmerest/v3/tokens`, jsonInit('POST', adminBasic, { name, enabled }));
    const all = createAllTokensState();
    const allActions = createAllTokensActions(all, {
      send: sendMessage,
      server: () => state.server.value,
      unauthorized: actions.lapsed,
    });
    allActions.setOwner('admin');
    await allActions.setStatus('active');
    const listed = all.table.list.list.value;
    if (listed.kind !== 'ready') throw new Error('not listed');
    const current = listed.items.find((t) => t.current);
    const picked = listed.items.filter((t) => t.name.startsWith('mixed ') || t.current);
    expect(picked).toHaveLength(3);
    allActions.table.selectAll(picked, true);
    await allActions.table.bulk('disable');
    const text = all.table.list.notice.value?.text ?? '';
    expect(text).toContain('Disabled 2 tokens');
    expect(text).toContain('mixed on');
    expect(text).toContain(current?.name);
    expect(text).toContain('Unchanged: mixed off (already disabled).');
    expect(await restToken('admin', 'mixed on')).toMatchObject({ enabled: false });
    await vi.waitFor(() =>
      expect(state.connection.value).toMatchObject({
        kind: 'signedOut',
        reason: expect.stringContaining('You disabled your current session'),
      }),
    );
  });
});

describe('withPermissions', () => {
  it('puts general permissions in boxes and repository ones on their row, adding a row when needed', () => {
    const draft = withPermissions(
      {
        name: '',
        description: '',
        expiry: '30d',
        date: '',
        enabled: true,
        restricted: true,
        general: ['jobs:access'],
        repositories: [{ name: '*', levels: ['read'] }],
      },
      ['repositories:access', 'repository/*:run', 'repository/Samples:read'],
    );
    expect(draft.general).toEqual(['jobs:access', 'repositories:access']);
    expect(draft.repositories).toEqual([
      { name: '*', levels: ['read', 'run'] },
      { name: 'Samples', levels: ['read'] },
    ]);
  });
});
