// The lease a rule sends: minted when the rule starts, renewed by an alarm at two thirds of its life, dropped
// when the rule stops; through the message map, a fake DNR and the real app on loopback with a clock the test moves.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ADMIN_PASSWORD, adminBasic, basic, jsonInit } from '../../test/fixtures/test-app';
import { startTestServer, type TestServer } from '../../test/fixtures/test-server';
import { sendMessage } from '../core/messages';
import { keptTokensItem, leasesItem } from '../core/storage-items';
import { createFakeDnr, type FakeDnr, headerOf } from '../testing/fake-dnr';
import { createMemoryKeyFile } from '../testing/memory-key-file';
import { EXPIRY_ALARM, LEASE_ALARM, REFRESH_ALARM } from './alarms';
import { createServiceWorker } from './service-worker';

const TTL = 60;

let server: TestServer;
let url: string;
let dnr: FakeDnr;
let lifecycle: ReturnType<typeof createServiceWorker>;
let tokenCount = 0;
const access = { contains: async () => true };

beforeAll(async () => {
  server = await startTestServer();
  url = server.baseUrl;
  await server.app.addUser('gus', 'gus password', ['fmeuser']);
});
afterAll(() => server.stop());

function startWorker(): ReturnType<typeof createServiceWorker> {
  fakeBrowser.runtime.onMessage.removeAllListeners?.();
  return createServiceWorker({
    dnr,
    now: () => server.app.clock.now(),
    timeoutMs: 2_000,
    keyFile: createMemoryKeyFile(),
    access,
  });
}

async function signIn(): Promise<void> {
  const signedIn = await sendMessage('signIn', { server: url, user: 'admin', password: ADMIN_PASSWORD });
  if (!signedIn.ok) throw new Error(signedIn.error.message);
}

beforeEach(async () => {
  fakeBrowser.reset();
  dnr = createFakeDnr();
  lifecycle = startWorker();
  await signIn();
  await sendMessage('setInjectionSettings', { leaseSeconds: TTL });
});

async function rest(path: string, init: RequestInit) {
  return fetch(`${url}/fmerest/v3${path}`, init);
}

async function makeToken(owner = 'admin', password = ADMIN_PASSWORD, body: object = {}) {
  const name = `leased ${++tokenCount}`;
  const made = await rest('/tokens', jsonInit('POST', basic(owner, password), { name, ...body }));
  const { token: value } = (await made.json()) as { token: string };
  return {
    ref: { server: url, user: owner, name },
    value,
    path: `/tokens/${owner}/${encodeURIComponent(name)}`,
  };
}

async function ruleFor(ref: { server: string; user: string; name: string }) {
  const saved = await sendMessage('saveRule', {
    rule: { token: ref, patterns: ['api.example.com/v1'], enabled: true },
  });
  if (!saved.ok) throw new Error(saved.error.message);
  return saved.value.id;
}

async function statusOf(id: number) {
  const view = await sendMessage('getInjection', {});
  if (!view.ok) throw new Error(view.error.message);
  return view.value.status[String(id)];
}

const header = () => headerOf(dnr.session[0]);

/** What the server answers a request carrying `authorization`. */
async function accepted(authorization: string | undefined): Promise<number> {
  return (await rest('/security/me', { headers: { Authorization: authorization ?? '' } })).status;
}

describe('a rule of the signed-in user’s own token', () => {
  it('is offered without a pasted value and sends a lease minted with the sign-in, nothing on disk', async () => {
    const { ref, value } = await makeToken();
    const view = await sendMessage('getInjection', { server: url });
    expect(view.ok && view.value.held).toContainEqual(ref);
    const id = await ruleFor(ref);
    expect(await keptTokensItem.getValue()).toEqual([]);
    const sent = header();
    expect(sent).toMatch(/^fmetoken token=[0-9a-f]{40}$/);
    expect(sent).not.toContain(value);
    expect(await accepted(sent)).toBe(200);
    const minted = server.app.clock.now();
    expect(await statusOf(id)).toEqual({
      state: 'active',
      lease: { renewsAt: minted + 40_000, expiresAt: minted + 60_000, via: 'session' },
    });
    const local = JSON.stringify(await fakeBrowser.storage.local.get());
    expect(local).not.toContain(sent?.slice('fmetoken token='.length));
    expect(local).not.toContain(value);
  });

  it('renews at two thirds of the ttl by an alarm; the new lease is on before the old one lapses', async () => {
    const { ref } = await makeToken();
    await ruleFor(ref);
    const first = header();
    const minted = server.app.clock.now();
    expect((await browser.alarms.get(LEASE_ALARM))?.scheduledTime).toBe(minted + 40_000);
    server.app.clock.advance(39);
    await lifecycle.changed();
    expect(header()).toBe(first); // not due yet: no mint on every change
    server.app.clock.advance(1);
    await lifecycle.onAlarm({ name: LEASE_ALARM });
    const second = header();
    expect(second).not.toBe(first);
    expect(await accepted(first)).toBe(200); // still within its ttl: requests in flight are fine
    expect((await browser.alarms.get(LEASE_ALARM))?.scheduledTime).toBe(minted + 80_000);
    server.app.clock.advance(21);
    expect(await accepted(first)).toBe(401);
    expect(await accepted(second)).toBe(200);
  });

  it('drops the lease when the rule is switched off or injection pauses, and mints a new one after', async () => {
    const { ref } = await makeToken();
    const id = await ruleFor(ref);
    const first = header();
    await sendMessage('setRuleEnabled', { id, enabled: false });
    expect(await leasesItem.getValue()).toEqual({});
    expect(dnr.session).toEqual([]);
    expect(await browser.alarms.get(LEASE_ALARM)).toBeUndefined();
    await sendMessage('setRuleEnabled', { id, enabled: true });
    const second = header();
    expect(second).toMatch(/^fmetoken token=/);
    expect(second).not.toBe(first);
    // Another rule of the same token switched on shares the lease held: no new one.
    const other = await ruleFor(ref);
    await sendMessage('setRuleEnabled', { id: other, enabled: false });
    await sendMessage('setRuleEnabled', { id: other, enabled: true });
    expect(header()).toBe(second);
    await sendMessage('setInjectionSettings', { paused: true });
    expect(await leasesItem.getValue()).toEqual({});
    await sendMessage('setInjectionSettings', { paused: false });
    expect(header()).not.toBe(second);
  });

  it('stops as removed when its token is removed and re-created under the same name between renewals', async () => {
    const { ref, path } = await makeToken('admin', ADMIN_PASSWORD, {
      restricted: true,
      permissions: ['repositories:access'],
    });
    const id = await ruleFor(ref);
    expect(await accepted(header())).toBe(200);
    // Elsewhere (a script, the CLI), within one lease: removed, and another token made under its name.
    expect((await rest(path, { method: 'DELETE', headers: { Authorization: adminBasic } })).status).toBe(204);
    server.app.clock.advance(1); // another second: another creation date
    const again = await rest('/tokens', jsonInit('POST', adminBasic, { name: ref.name }));
    expect(again.status).toBe(201);
    server.app.clock.advance(TTL - 20);
    await lifecycle.onAlarm({ name: LEASE_ALARM });
    expect(await statusOf(id)).toEqual({
      state: 'removed',
      message: 'Stopped: the token was removed from the server.',
    });
    expect(dnr.session).toEqual([]);
    // The periodic check leases nothing of the newcomer either; saving the rule again chooses it.
    server.app.clock.advance(120);
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(await statusOf(id)).toMatchObject({ state: 'removed' });
    const resaved = await sendMessage('saveRule', {
      id,
      rule: { token: ref, patterns: ['api.example.com/v1'], enabled: true },
    });
    expect(resaved.ok).toBe(true);
    await vi.waitFor(async () => expect(await statusOf(id)).toMatchObject({ state: 'active' }));
    expect(await accepted(header())).toBe(200);
  });

  it('after a browser restart waits for the sign-in, then resumes', async () => {
    const { ref } = await makeToken();
    const id = await ruleFor(ref);
    await fakeBrowser.storage.session.clear();
    dnr.session = [];
    lifecycle = startWorker();
    await lifecycle.start();
    expect(await statusOf(id)).toEqual({
      state: 'sign-in',
      message: `Waiting for you to sign in to ${url} as admin (or paste the token’s value).`,
    });
    expect(dnr.session).toEqual([]);
    await signIn();
    await vi.waitFor(async () => expect(await statusOf(id)).toMatchObject({ state: 'active' }));
    expect(await accepted(header())).toBe(200);
  });

  it('ends the lease at once when the user signs out, or another user signs in; signing in again resumes', async () => {
    const { ref } = await makeToken();
    const id = await ruleFor(ref);
    expect(await accepted(header())).toBe(200);
    await sendMessage('signOut', { server: url });
    await vi.waitFor(async () => expect(dnr.session).toEqual([]));
    expect(await leasesItem.getValue()).toEqual({});
    expect(await statusOf(id)).toEqual({
      state: 'sign-in',
      message: `Waiting for you to sign in to ${url} as admin (or paste the token’s value).`,
    });

    await signIn();
    await vi.waitFor(async () => expect(await statusOf(id)).toMatchObject({ state: 'active' }));
    expect(await accepted(header())).toBe(200);
    // Another user signs in over it: admin's token is not theirs, so admin's lease goes no further.
    const other = await sendMessage('signIn', { server: url, user: 'gus', password: 'gus password' });
    expect(other.ok).toBe(true);
    await vi.waitFor(async () => expect(dnr.session).toEqual([]));
    expect(await statusOf(id)).toEqual({
      state: 'sign-in',
      message: 'Signed in as gus, not admin: sign in as admin or paste the token’s value.',
    });
  });

  it('keeps the lease held when the sign-in lapses on its own, to run out by itself', async () => {
    const { ref } = await makeToken();
    await ruleFor(ref);
    const sent = header();
    // The session this browser signed in with ends on the server (not by the user here): the next call finds it.
    const sessions = await rest('/tokens?type=SESSION', { headers: { Authorization: adminBasic } });
    const { items } = (await sessions.json()) as { items: { name: string }[] };
    for (const { name } of items)
      await rest(`/tokens/admin/${encodeURIComponent(name)}`, {
        method: 'DELETE',
        headers: { Authorization: adminBasic },
      });
    await sendMessage('listTokens', { server: url, limit: 1, offset: 0 });
    await lifecycle.changed();
    expect(header()).toBe(sent);
    expect(await accepted(sent)).toBe(200);
  });

  it('stops at once when the token is disabled from the extension, saying why; enabling it resumes', async () => {
    const { ref } = await makeToken();
    const id = await ruleFor(ref);
    const sent = header();
    await sendMessage('setTokenEnabled', { ...ref, enabled: false });
    expect(await statusOf(id)).toEqual({ state: 'disabled', message: 'Stopped: the token is disabled.' });
    expect(dnr.session).toEqual([]);
    expect(await accepted(sent)).toBe(401);
    await sendMessage('setTokenEnabled', { ...ref, enabled: true });
    expect(await statusOf(id)).toMatchObject({ state: 'active' });
  });

  it('on a 401 to a matched request leases again once; a removed token stops the rule', async () => {
    const { ref, path } = await makeToken();
    const id = await ruleFor(ref);
    const first = header();
    const request = {
      type: 'xmlhttprequest',
      method: 'GET',
      initiator: 'https://api.example.com',
      url: 'https://api.example.com/v1/x',
      statusCode: 401,
      tabId: 3,
    };
    await lifecycle.onResponse(request);
    const second = header();
    expect(second).not.toBe(first);
    expect(await statusOf(id)).toMatchObject({ state: 'active' });
    // Refused again while the token is fine: once is enough, the API refuses for its own reasons.
    server.app.clock.advance(3); // past the gap that folds a burst of 401s into one
    await lifecycle.onResponse(request);
    expect(header()).toBe(second);
    await rest(path, { method: 'DELETE', headers: { Authorization: adminBasic } });
    server.app.clock.advance(3);
    await lifecycle.onResponse(request);
    expect(await statusOf(id)).toEqual({
      state: 'removed',
      message: 'Stopped: the token was removed from the server.',
    });
    expect(dnr.session).toEqual([]);
  });
});

describe('a token about to expire', () => {
  it('sends a lease cut short by the expiry until then, renews it not before, and stops at the expiry', async () => {
    const { ref } = await makeToken('admin', ADMIN_PASSWORD, { expirationTimeout: 30 });
    const id = await ruleFor(ref);
    const status = await statusOf(id);
    const lease = status?.lease;
    expect(lease?.expiresAt).toBeLessThan(server.app.clock.now() + 31_000);
    expect(lease?.renewsAt).toBe(lease?.expiresAt);
    expect((await browser.alarms.get(LEASE_ALARM))?.scheduledTime).toBe(lease?.expiresAt);
    const sent = header();
    server.app.clock.advance(((lease?.expiresAt ?? 0) - 500 - server.app.clock.now()) / 1000);
    await lifecycle.changed();
    expect(header()).toBe(sent); // its last moments: still on, as the token itself would be
    server.app.clock.advance(1);
    await lifecycle.onAlarm({ name: EXPIRY_ALARM });
    expect(await statusOf(id)).toEqual({ state: 'expired', message: 'Stopped: the token has expired.' });
    expect(dnr.session).toEqual([]);
  });
});

describe('the periodic check', () => {
  it('stops a rule whose token was disabled elsewhere, without waiting for the renewal', async () => {
    const { ref, path } = await makeToken();
    const id = await ruleFor(ref);
    const sent = header();
    await rest(path, jsonInit('PUT', adminBasic, { enabled: false }));
    server.app.clock.advance(5);
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(await statusOf(id)).toEqual({ state: 'disabled', message: 'Stopped: the token is disabled.' });
    expect(dnr.session).toEqual([]);
    expect(await accepted(sent)).toBe(401);
  });
});

describe('a pasted token of another owner', () => {
  it('mints its leases with the pasted value; only leases go on the wire', async () => {
    const { ref, value, path } = await makeToken('gus', 'gus password');
    expect(await sendMessage('bindTokenValue', { ...ref, value })).toEqual({ ok: true, value: null });
    const id = await ruleFor(ref);
    const sent = header();
    expect(sent).not.toContain(value);
    expect(await statusOf(id)).toMatchObject({ state: 'active', lease: { via: 'value' } });
    const me = await rest('/security/me', { headers: { Authorization: sent ?? '' } });
    expect(((await me.json()) as { user: string }).user).toBe('gus');
    // Its owner disables it: the next lease cannot be minted, and the rule stops and says why.
    await rest(path, jsonInit('PUT', basic('gus', 'gus password'), { enabled: false }));
    server.app.clock.advance(40);
    await lifecycle.onAlarm({ name: LEASE_ALARM });
    expect(await statusOf(id)).toMatchObject({ state: 'disabled' });
    expect(dnr.session).toEqual([]);
    // Enabled again, the rule switched on again resumes at once.
    await rest(path, jsonInit('PUT', basic('gus', 'gus password'), { enabled: true }));
    await sendMessage('setRuleEnabled', { id, enabled: true });
    expect(await statusOf(id)).toMatchObject({ state: 'active', lease: { via: 'value' } });
  });
});
