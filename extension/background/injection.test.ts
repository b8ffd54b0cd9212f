// Injection bound to each token's life, through the message map, a fake DNR and the real app on loopback.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createTokenValue } from '../../shared/token-format';
import { ADMIN_PASSWORD, adminBasic, basic, jsonInit } from '../../test/fixtures/test-app';
import { startTestServer, type TestServer } from '../../test/fixtures/test-server';
import { createFakeDnr, type FakeDnr, headerOf } from '../testing/fake-dnr';
import { deviceTokensItem, keptTokensItem, rulesItem } from '../utils/storage-items';
import { EXPIRY_ALARM, type InjectionLifecycle, REFRESH_ALARM } from './injection-lifecycle';
import { sendMessage } from './messages';
import { createServiceWorker } from './service-worker';

let server: TestServer;
let url: string;
let dnr: FakeDnr;
let lifecycle: InjectionLifecycle;
let tokenCount = 0;

beforeAll(async () => {
  server = await startTestServer();
  url = server.baseUrl;
  await server.app.addUser('gus', 'gus password', ['fmeuser']);
});
afterAll(() => server.stop());

/** A fresh service worker over the same storage: what a browser restart or a worker wake-up gives. */
function startWorker(): InjectionLifecycle {
  const now = () => server.app.clock.now();
  fakeBrowser.runtime.onMessage.removeAllListeners?.();
  return createServiceWorker({ dnr, now, timeoutMs: 2_000 });
}

beforeEach(async () => {
  fakeBrowser.reset();
  dnr = createFakeDnr();
  lifecycle = startWorker();
  const signedIn = await sendMessage('signIn', { server: url, user: 'admin', password: ADMIN_PASSWORD });
  if (!signedIn.ok) throw new Error(signedIn.error.message);
});

async function rest(path: string, init: RequestInit) {
  return fetch(`${url}/fmerest/v3${path}`, init);
}

/** A token made outside the extension (REST with Basic auth), its value pasted into the extension, and a rule. */
async function boundRule(owner = 'admin', password = ADMIN_PASSWORD, body: object = {}) {
  const name = `api ${++tokenCount}`;
  const made = await rest('/tokens', jsonInit('POST', basic(owner, password), { name, ...body }));
  const { token: value } = (await made.json()) as { token: string };
  const ref = { server: url, user: owner, name };
  expect(await sendMessage('bindTokenValue', { ...ref, value })).toEqual({ ok: true, value: null });
  const saved = await sendMessage('saveRule', {
    rule: { token: ref, patterns: ['api.example.com/v1'], enabled: true },
  });
  if (!saved.ok) throw new Error(saved.error.message);
  return { ref, value, id: saved.value.id, path: `/tokens/${owner}/${encodeURIComponent(name)}` };
}

async function statusOf(id: number) {
  const view = await sendMessage('getInjection', {});
  if (!view.ok) throw new Error(view.error.message);
  return view.value.status[String(id)];
}

describe('binding a pasted value', () => {
  it('keeps a value only when the server says it belongs to that owner and token', async () => {
    const made = await rest('/tokens', jsonInit('POST', adminBasic, { name: 'elsewhere' }));
    const { token: value } = (await made.json()) as { token: string };
    const wrong = await sendMessage('bindTokenValue', {
      server: url,
      user: 'admin',
      name: 'other name',
      value,
    });
    expect(wrong).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('"elsewhere"') },
    });
    const unknown = await sendMessage('bindTokenValue', {
      server: url,
      user: 'admin',
      name: 'elsewhere',
      value: createTokenValue(),
    });
    expect(unknown.ok).toBe(false);
    expect(await keptTokensItem.getValue()).toEqual([]);
    expect(
      await sendMessage('bindTokenValue', { server: url, user: 'admin', name: 'elsewhere', value }),
    ).toEqual({ ok: true, value: null });
    expect(await keptTokensItem.getValue()).toEqual([
      { server: url, user: 'admin', name: 'elsewhere', value },
    ]);
    expect(JSON.stringify(await fakeBrowser.storage.local.get())).not.toContain(value);
    expect(JSON.stringify(await fakeBrowser.storage.sync.get())).not.toContain(value);
  });
});

describe('the rule sync', () => {
  it('applies every change with one atomic updateDynamicRules that removes the ids it had added', async () => {
    const { value, id } = await boundRule();
    const last = dnr.calls.at(-1);
    expect(last?.kind === 'session' ? dnr.calls.at(-2) : last).toMatchObject({ kind: 'dynamic' });
    expect(dnr.dynamic.map((rule) => rule.id)).toEqual([id * 100]);
    expect(headerOf(dnr.dynamic[0])).toBe(`fmetoken token=${value}`);
    dnr.calls.length = 0;
    await sendMessage('saveRule', {
      id,
      rule: {
        token: (await rulesItem.getValue())[0]?.token ?? { server: url, user: 'admin', name: '' },
        patterns: ['a.example', 'b.example'],
        enabled: true,
      },
    });
    const dynamicCalls = dnr.calls.filter((call) => call.kind === 'dynamic');
    expect(dynamicCalls).toHaveLength(1);
    expect(dynamicCalls[0]?.update.removeRuleIds).toEqual([id * 100]);
    expect(dynamicCalls[0]?.update.addRules.map((rule) => rule.id)).toEqual([id * 100, id * 100 + 1]);
    expect(dnr.dynamic.map((rule) => rule.condition.regexFilter)).toEqual([
      '^https?://a\\.example/',
      '^https?://b\\.example/',
    ]);
  });

  it('shows a rule the browser refuses on that rule and still applies the others', async () => {
    const first = await boundRule();
    const second = await boundRule();
    dnr.refuse = (rule) =>
      rule.id === second.id * 100 ? 'specified an incorrect value for the "requestDomains" key.' : undefined;
    await lifecycle.changed();
    expect(dnr.dynamic.map((rule) => rule.id)).toEqual([first.id * 100]);
    expect(await statusOf(second.id)).toEqual({
      state: 'error',
      message: expect.stringContaining(`Rule with id ${second.id * 100} specified an incorrect value`),
    });
    expect(await statusOf(first.id)).toEqual({ state: 'active' });
  });

  it('refuses a regex the browser cannot run, before storing it', async () => {
    const { ref } = await boundRule();
    dnr.unsupportedRegex = (regex) => regex.includes('(?=');
    const saved = await sendMessage('saveRule', {
      rule: { token: ref, patterns: ['/^https:\\/\\/a\\.test\\/(?=b)/'], enabled: true },
    });
    expect(saved).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('not supported') },
    });
    const broad = await sendMessage('saveRule', {
      rule: { token: ref, patterns: ['*://*/*'], enabled: true },
    });
    expect(broad).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('every site you visit') },
    });
  });

  it('reconciles with storage when the service worker starts', async () => {
    const { id } = await boundRule();
    // A rule left over from an older state of storage, and ours gone: both are put right.
    dnr.dynamic = dnr.dynamic.map((rule) => ({ ...rule, id: 99_900 }));
    lifecycle = startWorker();
    await lifecycle.start();
    expect(dnr.dynamic.map((rule) => rule.id)).toEqual([id * 100]);
  });
});

describe('injection follows the token', () => {
  it('stops when the token is disabled on the server (seen by the refresh) and resumes when enabled', async () => {
    const { id, path } = await boundRule();
    await rest(path, jsonInit('PUT', adminBasic, { enabled: false }));
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(dnr.dynamic).toEqual([]);
    expect(await statusOf(id)).toMatchObject({
      state: 'disabled',
      message: expect.stringContaining('disabled'),
    });
    await rest(path, jsonInit('PUT', adminBasic, { enabled: true }));
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(dnr.dynamic).toHaveLength(1);
    expect(await statusOf(id)).toEqual({ state: 'active' });
  });

  it('stops when the token is removed', async () => {
    const { id, path } = await boundRule();
    await rest(path, { method: 'DELETE', headers: { Authorization: adminBasic } });
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(dnr.dynamic).toEqual([]);
    expect(await statusOf(id)).toMatchObject({ state: 'removed' });
  });

  it('stops at the expiration time (an alarm set for it) and resumes when the expiry is moved on', async () => {
    const { id, path } = await boundRule('admin', ADMIN_PASSWORD, { expirationTimeout: 60 });
    const alarm = await browser.alarms.get(EXPIRY_ALARM);
    expect(alarm?.scheduledTime).toBe(server.app.clock.now() + 60_000 + 250);
    server.app.clock.advance(61);
    await lifecycle.onAlarm({ name: EXPIRY_ALARM });
    expect(dnr.dynamic).toEqual([]);
    expect(await statusOf(id)).toMatchObject({ state: 'expired' });
    await rest(path, jsonInit('PUT', adminBasic, { expirationTimeout: 3600, enabled: true }));
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(await statusOf(id)).toEqual({ state: 'active' });
  });

  it('stops when its owner loses access (account disabled)', async () => {
    const { id } = await boundRule('gus', 'gus password');
    const gus = await server.app.store.findUserByName('gus');
    await server.app.store.updateUser(gus?.id ?? 0, { enabled: false });
    try {
      await lifecycle.onAlarm({ name: REFRESH_ALARM });
      expect(await statusOf(id)).toMatchObject({ state: 'no-access' });
      expect(dnr.dynamic).toEqual([]);
    } finally {
      await server.app.store.updateUser(gus?.id ?? 0, { enabled: true });
    }
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(await statusOf(id)).toEqual({ state: 'active' });
  });

  it('rechecks the token on a 401 answer to a matching request, not on other 401s', async () => {
    const { id, path } = await boundRule();
    await rest(path, jsonInit('PUT', adminBasic, { enabled: false }));
    await lifecycle.onResponse({ url: 'https://other.example/v1', statusCode: 401, tabId: 3 });
    await lifecycle.onResponse({ url: 'https://api.example.com/v1/x', statusCode: 401, tabId: -1 });
    expect(await statusOf(id)).toEqual({ state: 'active' });
    await lifecycle.onResponse({ url: 'https://api.example.com/v1/x', statusCode: 401, tabId: 3 });
    expect(await statusOf(id)).toMatchObject({ state: 'disabled' });
    expect(dnr.dynamic).toEqual([]);
  });

  it('resumes at once when the token is enabled from the extension', async () => {
    const { id, ref, path } = await boundRule();
    await rest(path, jsonInit('PUT', adminBasic, { enabled: false }));
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(await sendMessage('setTokenEnabled', { ...ref, enabled: true })).toEqual({
      ok: true,
      value: null,
    });
    expect(await statusOf(id)).toEqual({ state: 'active' });
  });
});

describe('control', () => {
  it('pauses every rule and resumes; a rule can be turned off on its own', async () => {
    const { id } = await boundRule();
    await sendMessage('setInjectionSettings', { paused: true });
    expect(dnr.dynamic).toEqual([]);
    expect(await statusOf(id)).toEqual({ state: 'paused' });
    await sendMessage('setInjectionSettings', { paused: false });
    expect(dnr.dynamic).toHaveLength(1);
    await sendMessage('setRuleEnabled', { id, enabled: false });
    expect(dnr.dynamic).toEqual([]);
    expect(await statusOf(id)).toEqual({ state: 'off' });
  });

  it('shows ON on the badge of a tab whose URL a rule injects on, and nothing elsewhere', async () => {
    await boundRule();
    await lifecycle.badgeFor({ id: 5, url: 'https://api.example.com/v1/page' });
    expect(await browser.action.getBadgeText({ tabId: 5 })).toBe('ON');
    await lifecycle.badgeFor({ id: 6, url: 'https://elsewhere.example/' });
    expect(await browser.action.getBadgeText({ tabId: 6 })).toBe('');
  });

  it('puts a tab-scoped rule in the session rules and drops it when the tab closes', async () => {
    const { ref } = await boundRule();
    const saved = await sendMessage('saveRule', {
      rule: { token: ref, patterns: ['tab.example'], enabled: true },
      tabId: 9,
    });
    if (!saved.ok) throw new Error(saved.error.message);
    expect(dnr.session.map((rule) => rule.condition.tabIds)).toEqual([[9]]);
    await lifecycle.tabClosed(9);
    expect(dnr.session).toEqual([]);
    expect((await rulesItem.getValue()).some((rule) => rule.tabId !== undefined)).toBe(false);
  });

  it('keeps values on this device only when asked, and a restart then keeps injecting', async () => {
    const { id, value } = await boundRule();
    await sendMessage('setInjectionSettings', { keepValuesOnDevice: true });
    expect(await keptTokensItem.getValue()).toEqual([]);
    expect((await deviceTokensItem.getValue()).map((entry) => entry.value)).toEqual([value]);
    await fakeBrowser.storage.session.clear(); // the browser restarts
    lifecycle = startWorker();
    await lifecycle.start();
    expect(await statusOf(id)).toEqual({ state: 'active' });
    await sendMessage('setInjectionSettings', { keepValuesOnDevice: false });
    expect(await deviceTokensItem.getValue()).toEqual([]);
    expect(JSON.stringify(await fakeBrowser.storage.local.get())).not.toContain(value);
    await fakeBrowser.storage.session.clear(); // and restarts again: session values are gone, so is injection
    lifecycle = startWorker();
    await lifecycle.start();
    expect(await statusOf(id)).toMatchObject({ state: 'no-value' });
    expect(dnr.dynamic).toEqual([]);
  });
});

describe('import and export', () => {
  it('round-trips rules without any token value, and reports refused rules one by one', async () => {
    const { value, ref } = await boundRule();
    await sendMessage('saveRule', {
      rule: {
        token: ref,
        patterns: ['*.example.org/api'],
        resourceTypes: ['xmlhttprequest'],
        initiators: ['app.example.org'],
        enabled: false,
      },
    });
    const exported = await sendMessage('exportRules', {});
    if (!exported.ok) throw new Error(exported.error.message);
    expect(exported.value).not.toContain(value);
    const file = JSON.parse(exported.value);
    expect(file).toMatchObject({ format: 'tokenward-rules', version: 1 });
    const before = (await rulesItem.getValue()).map(({ id: _id, ...rest }) => rest);

    await rulesItem.setValue([]);
    file.rules.push(
      // A file's confirmation is not the user's: the rule arrives off, unconfirmed, and does not inject.
      { token: ref, patterns: ['*'], enabled: true, allowBroad: true },
      { token: ref, patterns: ['ok.example'], enabled: true, value },
      { token: ref, patterns: [], enabled: true },
    );
    const imported = await sendMessage('importRules', { text: JSON.stringify(file) });
    expect(imported).toEqual({
      ok: true,
      value: {
        imported: 3,
        errors: [
          { index: 4, message: expect.stringContaining('value') },
          { index: 5, message: expect.stringContaining('at least one URL pattern') },
        ],
        unconfirmed: [3],
      },
    });
    const rules = await rulesItem.getValue();
    expect(rules.map(({ id: _id, ...rest }) => rest)).toEqual([
      ...before,
      { token: ref, patterns: ['*'], enabled: false },
    ]);
    const broadId = rules[rules.length - 1]?.id ?? 0;
    await sendMessage('setRuleEnabled', { id: broadId, enabled: true });
    expect(await statusOf(broadId)).toMatchObject({
      state: 'invalid',
      message: expect.stringContaining('every site you visit'),
    });
    expect(dnr.dynamic.filter((rule) => Math.floor(rule.id / 100) === broadId)).toEqual([]);
    expect(await sendMessage('importRules', { text: '{"rules": []}' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('not a tokenward rules file') },
    });
  });
});
