// Message handlers against the real tokenward app: sign-in, sessions that lapse, tokens, errors as Results.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createApiClient } from '../../shared/api-client';
import { createTokenValue } from '../../shared/token-format';
import { ADMIN_PASSWORD, adminBasic, basic } from '../../test/fixtures/test-app';
import { startTestServer, type TestServer } from '../../test/fixtures/test-server';
import { sendMessage } from '../core/messages';
import { credentialsItem, keptTokensItem } from '../core/storage-items';
import { createMessageHandlers, registerMessageHandlers } from './message-handlers';

let server: TestServer;
let url: string;

beforeAll(async () => {
  server = await startTestServer();
  url = server.baseUrl;
  await server.app.addUser('gus', 'gus password', ['fmeguest']);
});
afterAll(() => server.stop());

beforeEach(() => {
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
});

async function signInAdmin() {
  const result = await sendMessage('signIn', { server: url, user: 'admin', password: ADMIN_PASSWORD });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

async function restToken(user: string, name: string) {
  const res = await fetch(`${url}/fmerest/v3/tokens/${user}/${encodeURIComponent(name)}`, {
    headers: { Authorization: adminBasic },
  });
  return res.status === 200 ? ((await res.json()) as { enabled: boolean }) : res.status;
}

/** Every stored value, from both areas, as one string: secrets must be in session storage only. */
async function storedText(area: 'local' | 'session'): Promise<string> {
  return JSON.stringify(await fakeBrowser.storage[area].get());
}

describe('signing in', () => {
  it('starts a web session, keeps only its value in session storage, and never the password', async () => {
    const connection = await signInAdmin();
    expect(connection).toMatchObject({ server: url, user: 'admin', credential: 'session' });
    expect(connection.permissions).toContain('usermanagement:manage');
    const stored = await credentialsItem.getValue();
    expect(stored[url]).toMatchObject({ kind: 'session', user: 'admin' });
    expect(stored[url]?.value).toMatch(/^[0-9a-f]{40}$/);
    expect(await storedText('session')).not.toContain(ADMIN_PASSWORD);
    expect(await storedText('local')).not.toContain(stored[url]?.value);
    expect(await sendMessage('getConnection', { server: url })).toMatchObject({
      ok: true,
      value: { user: 'admin' },
    });
  });

  it('answers a wrong password with UNAUTHORIZED and stores nothing', async () => {
    const result = await sendMessage('signIn', { server: url, user: 'admin', password: 'wrong' });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', status: 401 } });
    expect(await credentialsItem.getValue()).toEqual({});
    expect(await sendMessage('getConnection', { server: url })).toEqual({ ok: true, value: null });
  });

  it('accepts a pasted API token and refuses a well-formed one the server does not know', async () => {
    const admin = createApiClient({
      baseUrl: url,
      credential: { kind: 'basic', user: 'admin', password: ADMIN_PASSWORD },
    });
    const created = await admin.createToken({ name: 'pasted' });
    if (!created.ok) throw new Error(created.error.message);
    const used = await sendMessage('useToken', { server: url, token: created.value.token });
    expect(used).toMatchObject({ ok: true, value: { user: 'admin', credential: 'token' } });
    // The list marks the pasted token as the one in use.
    const list = await sendMessage('listTokens', { server: url, limit: 10, offset: 0, type: 'USER' });
    expect(list.ok && list.value.items.find((t) => t.current)?.name).toBe('pasted');

    // Signing out of a pasted token only forgets it: it still works for whoever else holds it.
    await sendMessage('signOut', { server: url });
    expect(await credentialsItem.getValue()).toEqual({});
    expect(
      (
        await createApiClient({
          baseUrl: url,
          credential: { kind: 'token', value: created.value.token },
        }).info()
      ).ok,
    ).toBe(true);

    const unknown = await sendMessage('useToken', { server: url, token: createTokenValue() });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', status: 401 } });
    expect(await credentialsItem.getValue()).toEqual({});
    await admin.deleteToken('admin', 'pasted');
  });

  it('keeps a web session alive with getConnection, and reports a lapsed one as UNAUTHORIZED once', async () => {
    const connection = await signInAdmin();
    // 26 minutes later the session is in its last 5 minutes: the keep-alive call renews it.
    server.app.clock.advance(26 * 60);
    const renewed = await sendMessage('getConnection', { server: url });
    expect(renewed.ok && renewed.value?.expirationDate).not.toBe(connection.expirationDate);
    expect(renewed.ok && Date.parse(renewed.value?.expirationDate ?? '')).toBeGreaterThan(
      Date.parse(connection.expirationDate ?? ''),
    );
    // Left alone for 31 minutes it lapses: one UNAUTHORIZED, then the credential is gone.
    server.app.clock.advance(31 * 60);
    expect(await sendMessage('getConnection', { server: url })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED', status: 401 },
    });
    expect(await credentialsItem.getValue()).toEqual({});
    expect(await sendMessage('getConnection', { server: url })).toEqual({ ok: true, value: null });
  });

  it('signs out: the session is removed on the server too', async () => {
    await signInAdmin();
    const value = (await credentialsItem.getValue())[url]?.value ?? '';
    expect(await sendMessage('signOut', { server: url })).toEqual({ ok: true, value: null });
    expect(await credentialsItem.getValue()).toEqual({});
    const res = await fetch(`${url}/fmerest/v3/info`, {
      headers: { Authorization: `fmetoken token=${value}` },
    });
    expect(res.status).toBe(401);
  });

  it('answers UNAUTHORIZED without a request when nothing is signed in', async () => {
    const result = await sendMessage('listTokens', { server: 'http://127.0.0.1:9', limit: 10, offset: 0 });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', status: 0 } });
  });
});

describe('managing tokens', () => {
  it('creates, disables, enables, duplicates and removes a token, as the server then reports', async () => {
    await signInAdmin();
    const created = await sendMessage('createToken', {
      server: url,
      body: {
        name: 'handler token',
        restricted: true,
        permissions: ['repositories:access'],
        expirationTimeout: 3600,
      },
    });
    if (!created.ok) throw new Error(created.error.message);
    expect(created.value).toMatchObject({ name: 'handler token', restricted: true });
    expect(created.value.token).toMatch(/^[0-9a-f]{40}$/);

    const ref = { server: url, user: 'admin', name: 'handler token' };
    expect(await sendMessage('setTokenEnabled', { ...ref, enabled: false })).toEqual({
      ok: true,
      value: null,
    });
    expect(await restToken('admin', 'handler token')).toMatchObject({ enabled: false });
    await sendMessage('setTokenEnabled', { ...ref, enabled: true });
    expect(await restToken('admin', 'handler token')).toMatchObject({ enabled: true });

    const copy = await sendMessage('duplicateToken', { ...ref, newName: 'handler copy' });
    expect(copy).toMatchObject({
      ok: true,
      value: { name: 'handler copy', permissions: ['repositories:access'] },
    });
    expect(await sendMessage('duplicateToken', { ...ref, newName: 'handler copy' })).toMatchObject({
      ok: false,
      error: { code: 'NAME_TAKEN', status: 409 },
    });

    // A value kept for injection lives in session storage until its token is removed.
    await sendMessage('keepTokenValue', { ...ref, value: created.value.token });
    expect(await keptTokensItem.getValue()).toEqual([{ ...ref, value: created.value.token }]);
    expect(await storedText('local')).not.toContain(created.value.token);
    expect(await sendMessage('removeToken', ref)).toEqual({ ok: true, value: null });
    expect(await keptTokensItem.getValue()).toEqual([]);
    expect(await restToken('admin', 'handler token')).toBe(404);
    expect(await sendMessage('removeToken', ref)).toMatchObject({
      ok: false,
      error: { code: 'TOKEN_NOT_FOUND' },
    });
    await sendMessage('removeToken', { ...ref, name: 'handler copy' });
  });

  it('lists the session it signed in with under SESSION, marked current', async () => {
    await signInAdmin();
    const list = await sendMessage('listTokens', {
      server: url,
      limit: 50,
      offset: 0,
      type: 'SESSION',
      status: 'active',
    });
    if (!list.ok) throw new Error(list.error.message);
    expect(list.value.items.filter((t) => t.current)).toHaveLength(1);
    expect(list.value.items.every((t) => t.type === 'SESSION')).toBe(true);
  });

  it('passes the server refusals through with their details: 422 dependencies, 403 the missing permission', async () => {
    await signInAdmin();
    const dependencies = await sendMessage('createToken', {
      server: url,
      body: { name: 'needs more', restricted: true, permissions: ['repository/Samples:run'] },
    });
    expect(dependencies).toMatchObject({
      ok: false,
      error: {
        code: 'PERMISSION_DEPENDENCIES',
        status: 422,
        details: { required: ['repositories:access', 'repository/Samples:read', 'runworkspace:access'] },
      },
    });

    const gus = await sendMessage('signIn', { server: url, user: 'gus', password: 'gus password' });
    expect(gus.ok).toBe(true);
    const forbidden = await sendMessage('createToken', {
      server: url,
      body: { name: 'too much', restricted: true, permissions: ['jobs:access'] },
    });
    expect(forbidden).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', status: 403, details: { required: ['jobs:access'] } },
    });
    const allTokens = await sendMessage('listTokens', { server: url, limit: 10, offset: 0, user: '*' });
    expect(allTokens).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', details: { required: ['usermanagement:manage'] } },
    });
  });

  it("gives an administrator the All Tokens view and other users' tokens to disable", async () => {
    const gus = createApiClient({
      baseUrl: url,
      credential: { kind: 'basic', user: 'gus', password: 'gus password' },
    });
    await gus.createToken({ name: 'gus token' });
    await signInAdmin();
    const all = await sendMessage('listTokens', {
      server: url,
      limit: -1,
      offset: 0,
      user: '*',
      type: 'USER',
    });
    if (!all.ok) throw new Error(all.error.message);
    expect(all.value.items.map((t) => [t.user, t.name])).toContainEqual(['gus', 'gus token']);
    const ref = { server: url, user: 'gus', name: 'gus token' };
    expect(await sendMessage('setTokenEnabled', { ...ref, enabled: false })).toEqual({
      ok: true,
      value: null,
    });
    expect(await restToken('gus', 'gus token')).toMatchObject({ enabled: false });
    expect(await sendMessage('duplicateToken', { ...ref, newName: 'mine now' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await sendMessage('removeToken', ref)).toEqual({ ok: true, value: null });
  });

  it("says what a token and its owner hold: a session's, an All Permissions', another owner's, or unknown", async () => {
    await server.app.addUser('ann', 'ann password 123', ['fmeauthor']);
    const ann = createApiClient({
      baseUrl: url,
      credential: { kind: 'basic', user: 'ann', password: 'ann password 123' },
    });
    expect(
      (await ann.createToken({ name: 'ann ci', restricted: true, permissions: ['repositories:access'] })).ok,
    ).toBe(true);
    const made = await fetch(`${url}/fmerest/v3/repositories`, {
      method: 'POST',
      headers: { Authorization: basic('ann', 'ann password 123'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'AnnRepo' }),
    });
    expect(made.status).toBe(201);
    const admin = await signInAdmin();
    const session = await sendMessage('listTokens', { server: url, limit: -1, offset: 0, type: 'SESSION' });
    const own = session.ok ? session.value.items.find((t) => t.current) : undefined;
    if (!own) throw new Error('no current session');
    // The session carries everything its owner holds: fmeadmin's repository/*:write among it.
    const mine = await sendMessage('describeTokenAccess', { server: url, user: 'admin', name: own.name });
    expect(mine).toMatchObject({ ok: true, value: { token: { type: 'SESSION' }, owner: admin.permissions } });
    expect(mine.ok && mine.value.owner).toContain('repository/*:write');
    // Another owner's restricted token: its chosen set, and the owner's roles plus the repository she created.
    const theirs = await sendMessage('describeTokenAccess', { server: url, user: 'ann', name: 'ann ci' });
    if (!theirs.ok) throw new Error(theirs.error.message);
    expect(theirs.value.token).toMatchObject({ restricted: true, permissions: ['repositories:access'] });
    expect(theirs.value.owner).toContain('repository/AnnRepo:manage');
    expect(theirs.value.owner).toContain('repository/*:write');
    expect(theirs.value.owner).not.toContain('usermanagement:manage');
    // Signed in with a restricted token, the owner's full set cannot be told.
    const narrow = await createApiClient({
      baseUrl: url,
      credential: { kind: 'basic', user: 'ann', password: 'ann password 123' },
    }).createToken({
      name: 'ann narrow',
      restricted: true,
      permissions: ['repositories:access'],
    });
    if (!narrow.ok) throw new Error(narrow.error.message);
    expect((await sendMessage('useToken', { server: url, token: narrow.value.token })).ok).toBe(true);
    expect(
      await sendMessage('describeTokenAccess', { server: url, user: 'ann', name: 'ann ci' }),
    ).toMatchObject({
      ok: true,
      value: { owner: null },
    });
  });

  it('serves the permission catalogue the picker is built from', async () => {
    await signInAdmin();
    const catalogue = await sendMessage('getPermissionCatalogue', { server: url });
    if (!catalogue.ok) throw new Error(catalogue.error.message);
    expect(catalogue.value.categories.map((c) => c.name)).toContain('repository');
  });
});
