// Injection bound to each token's life, through the message map, a fake DNR and the real app on loopback.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createTokenValue } from '../../shared/token-format';
import { ADMIN_PASSWORD, adminBasic, basic, jsonInit } from '../../test/fixtures/test-app';
import { startTestServer, type TestServer } from '../../test/fixtures/test-server';
import { sendMessage } from '../core/messages';
import { confirmedTokensItem, keptTokensItem, rulesItem, sealedTokensItem } from '../core/storage-items';
import { createFakeDnr, type FakeDnr, headerOf } from '../testing/fake-dnr';
import { createMemoryKeyFile, type MemoryKeyFile } from '../testing/memory-key-file';
import { EXPIRY_ALARM, REFRESH_ALARM } from './alarms';
import { createServiceWorker } from './service-worker';

let server: TestServer;
let url: string;
let dnr: FakeDnr;
let keyFile: MemoryKeyFile;
let lifecycle: ReturnType<typeof createServiceWorker>;
let tokenCount = 0;
/** The host access the browser grants, as `permissions.contains` answers it (WXT's fake browser has none). */
let removedOrigins = new Set<string>();
const access = {
  contains: async ({ origins }: { origins: string[] }) =>
    origins.every((origin) => !removedOrigins.has(origin)),
};

beforeAll(async () => {
  server = await startTestServer();
  url = server.baseUrl;
  await server.app.addUser('gus', 'gus password', ['fmeuser']);
});
afterAll(() => server.stop());

/** A fresh service worker over the same storage: what a browser restart or a worker wake-up gives. */
function startWorker(): ReturnType<typeof createServiceWorker> {
  const now = () => server.app.clock.now();
  fakeBrowser.runtime.onMessage.removeAllListeners?.();
  return createServiceWorker({ dnr, now, timeoutMs: 2_000, keyFile, access });
}

beforeEach(async () => {
  fakeBrowser.reset();
  removedOrigins = new Set();
  dnr = createFakeDnr();
  keyFile = createMemoryKeyFile();
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

/** The header carries a lease of the token: never its value, and the server takes it for the token's owner. */
async function expectLease(header: string | undefined, value: string, owner = 'admin') {
  expect(header).toMatch(/^fmetoken token=[0-9a-f]{40}$/);
  expect(header).not.toBe(`fmetoken token=${value}`);
  const me = await rest('/security/me', { headers: { Authorization: header ?? '' } });
  expect(me.status).toBe(200);
  expect(((await me.json()) as { user: string }).user).toBe(owner);
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

describe('host access removed in the browser', () => {
  it('stops the rule and names the origin; a page opening finds it, and access given back resumes it', async () => {
    const { id } = await boundRule();
    expect(await statusOf(id)).toMatchObject({ state: 'active' });
    expect(dnr.session.length).toBeGreaterThan(0);
    // The user removes the host in the browser; the background hears of it when a page opens.
    removedOrigins = new Set(['https://api.example.com/*']);
    await lifecycle.checkAccess();
    expect(await statusOf(id)).toEqual({
      state: 'host-access-removed',
      message: 'Access to https://api.example.com was removed in the browser, so this rule stopped.',
      origins: ['https://api.example.com/*'],
    });
    expect(dnr.session).toEqual([]);
    // Nothing changed since: a page opening does not rewrite the rules.
    dnr.calls.length = 0;
    await lifecycle.checkAccess();
    expect(dnr.calls).toEqual([]);
    // Given back (the rule's button asks the browser; permissions.onAdded runs the sync).
    removedOrigins = new Set();
    await lifecycle.checkAccess();
    expect(await statusOf(id)).toMatchObject({ state: 'active' });
    expect(dnr.session.length).toBeGreaterThan(0);
  });

  it('does not call a host the user never allowed "removed"', async () => {
    removedOrigins = new Set(['https://api.example.com/*', 'http://api.example.com/*']);
    const { id } = await boundRule();
    expect(await statusOf(id)).toMatchObject({ state: 'active' });
  });

  it('leaves a rule alone whose hosts are all still granted, and a rule that is off', async () => {
    const { id } = await boundRule();
    removedOrigins = new Set(['https://other.example/*']);
    await lifecycle.checkAccess();
    expect(await statusOf(id)).toMatchObject({ state: 'active' });
    await sendMessage('setRuleEnabled', { id, enabled: false });
    removedOrigins = new Set(['https://api.example.com/*']);
    await lifecycle.checkAccess();
    expect(await statusOf(id)).toEqual({ state: 'off' });
  });
});

describe('the rule sync', () => {
  it('applies every change with one atomic updateSessionRules that removes the ids it had added', async () => {
    const { value, id } = await boundRule();
    expect(dnr.calls.at(-1)).toMatchObject({ kind: 'session' });
    expect(dnr.calls.some((call) => call.kind === 'dynamic')).toBe(false);
    // The own site's requests, and safe top-level navigations.
    expect(dnr.session.map((rule) => rule.id)).toEqual([id * 100, id * 100 + 50]);
    await expectLease(headerOf(dnr.session[0]), value);
    dnr.calls.length = 0;
    await sendMessage('saveRule', {
      id,
      rule: {
        token: (await rulesItem.getValue())[0]?.token ?? { server: url, user: 'admin', name: '' },
        patterns: ['a.example', 'b.example'],
        enabled: true,
      },
    });
    expect(dnr.calls).toHaveLength(1);
    expect(dnr.calls[0]?.update.removeRuleIds).toEqual([id * 100, id * 100 + 50]);
    expect(dnr.calls[0]?.update.addRules.map((rule) => rule.id)).toEqual([
      id * 100,
      id * 100 + 50,
      id * 100 + 1,
      id * 100 + 51,
    ]);
    expect(dnr.session.map((rule) => rule.condition.regexFilter)).toEqual([
      '^(?:http|ws)s?://a\\.example/',
      '^(?:http|ws)s?://a\\.example/',
      '^(?:http|ws)s?://b\\.example/',
      '^(?:http|ws)s?://b\\.example/',
    ]);
  });

  it('shows a rule the browser refuses on that rule and still applies the others', async () => {
    const first = await boundRule();
    const second = await boundRule();
    dnr.refuse = (rule) =>
      rule.id === second.id * 100 ? 'specified an incorrect value for the "requestDomains" key.' : undefined;
    await lifecycle.changed();
    expect(dnr.session.map((rule) => rule.id)).toEqual([first.id * 100, first.id * 100 + 50]);
    expect(await statusOf(second.id)).toEqual({
      state: 'error',
      message: expect.stringContaining(`Rule with id ${second.id * 100} specified an incorrect value`),
    });
    expect(await statusOf(first.id)).toMatchObject({ state: 'active' });
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

  it('reconciles with storage when the service worker starts, and removes dynamic rules older versions left', async () => {
    const { id } = await boundRule();
    const ours = dnr.session[0];
    if (!ours) throw new Error('no session rule');
    // A rule left over from an older state of storage, and ours gone: both are put right.
    dnr.session = dnr.session.map((rule) => ({ ...rule, id: 99_900 }));
    // An older version kept its rules (values and all) as dynamic rules, which the profile keeps on disk.
    dnr.dynamic = [{ ...ours, id: 4_200 }];
    lifecycle = startWorker();
    await lifecycle.start();
    expect(dnr.session.map((rule) => rule.id)).toEqual([id * 100, id * 100 + 50]);
    expect(dnr.dynamic).toEqual([]);
  });
});

describe('injection follows the token', () => {
  it('stops when the token is disabled on the server (seen by the refresh) and resumes when enabled', async () => {
    const { id, path } = await boundRule();
    await rest(path, jsonInit('PUT', adminBasic, { enabled: false }));
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(dnr.session).toEqual([]);
    expect(await statusOf(id)).toMatchObject({
      state: 'disabled',
      message: expect.stringContaining('disabled'),
    });
    await rest(path, jsonInit('PUT', adminBasic, { enabled: true }));
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(dnr.session).toHaveLength(2);
    expect(await statusOf(id)).toMatchObject({ state: 'active' });
  });

  it('stops when the token is removed, and forgets its value', async () => {
    const { id, path, value } = await boundRule();
    await rest(path, { method: 'DELETE', headers: { Authorization: adminBasic } });
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(dnr.session).toEqual([]);
    expect(await statusOf(id)).toMatchObject({ state: 'removed' });
    expect(JSON.stringify(await fakeBrowser.storage.session.get())).not.toContain(value);
    expect(JSON.stringify(await fakeBrowser.storage.local.get())).not.toContain(value);
  });

  it('stops at the expiration time (an alarm set for it) and resumes when the expiry is moved on', async () => {
    const { id, path } = await boundRule('admin', ADMIN_PASSWORD, { expirationTimeout: 60 });
    const alarm = await browser.alarms.get(EXPIRY_ALARM);
    expect(alarm?.scheduledTime).toBe(server.app.clock.now() + 60_000 + 250);
    server.app.clock.advance(61);
    await lifecycle.onAlarm({ name: EXPIRY_ALARM });
    expect(dnr.session).toEqual([]);
    expect(await statusOf(id)).toMatchObject({ state: 'expired' });
    await rest(path, jsonInit('PUT', adminBasic, { expirationTimeout: 3600, enabled: true }));
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(await statusOf(id)).toMatchObject({ state: 'active' });
  });

  it('stops when its owner loses access (account disabled)', async () => {
    const { id } = await boundRule('gus', 'gus password');
    const gus = await server.app.store.findUserByName('gus');
    await server.app.store.updateUser(gus?.id ?? 0, { enabled: false });
    try {
      await lifecycle.onAlarm({ name: REFRESH_ALARM });
      expect(await statusOf(id)).toMatchObject({ state: 'no-access' });
      expect(dnr.session).toEqual([]);
    } finally {
      await server.app.store.updateUser(gus?.id ?? 0, { enabled: true });
    }
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(await statusOf(id)).toMatchObject({ state: 'active' });
  });

  it('rechecks the token on a 401 answer to a matching request, not on other 401s', async () => {
    const { id, path } = await boundRule();
    await rest(path, jsonInit('PUT', adminBasic, { enabled: false }));
    const fetched = { type: 'xmlhttprequest', method: 'GET', initiator: 'https://api.example.com' };
    await lifecycle.onResponse({ ...fetched, url: 'https://other.example/v1', statusCode: 401, tabId: 3 });
    await lifecycle.onResponse({
      ...fetched,
      url: 'https://api.example.com/v1/x',
      statusCode: 401,
      tabId: -1,
    });
    // Another site's request never carried the token: its 401 says nothing about it.
    await lifecycle.onResponse({
      ...fetched,
      initiator: 'https://evil.example',
      url: 'https://api.example.com/v1/x',
      statusCode: 401,
      tabId: 3,
    });
    expect(await statusOf(id)).toMatchObject({ state: 'active' });
    await lifecycle.onResponse({
      ...fetched,
      url: 'https://api.example.com/v1/x',
      statusCode: 401,
      tabId: 3,
    });
    expect(await statusOf(id)).toMatchObject({ state: 'disabled' });
    expect(dnr.session).toEqual([]);
  });

  it('resumes at once when the token is enabled from the extension', async () => {
    const { id, ref, path } = await boundRule();
    await rest(path, jsonInit('PUT', adminBasic, { enabled: false }));
    await lifecycle.onAlarm({ name: REFRESH_ALARM });
    expect(await sendMessage('setTokenEnabled', { ...ref, enabled: true })).toEqual({
      ok: true,
      value: null,
    });
    expect(await statusOf(id)).toMatchObject({ state: 'active' });
  });
});

describe('control', () => {
  it('pauses every rule and resumes; a rule can be turned off on its own', async () => {
    const { id } = await boundRule();
    await sendMessage('setInjectionSettings', { paused: true });
    expect(dnr.session).toEqual([]);
    expect(await statusOf(id)).toEqual({ state: 'paused' });
    await sendMessage('setInjectionSettings', { paused: false });
    expect(dnr.session).toHaveLength(2);
    await sendMessage('setRuleEnabled', { id, enabled: false });
    expect(dnr.session).toEqual([]);
    expect(await statusOf(id)).toEqual({ state: 'off' });
  });

  it('shows ON on the badge of a tab whose URL a rule injects on, and nothing elsewhere', async () => {
    await boundRule();
    await lifecycle.badgeFor({ id: 5, url: 'https://api.example.com/v1/page' });
    expect(await browser.action.getBadgeText({ tabId: 5 })).toBe('ON');
    await lifecycle.badgeFor({ id: 6, url: 'https://elsewhere.example/' });
    expect(await browser.action.getBadgeText({ tabId: 6 })).toBe('');
  });

  it('shows OFF on every tab while paused, ON again after', async () => {
    await boundRule();
    await sendMessage('setInjectionSettings', { paused: true });
    await lifecycle.badgeFor({ id: 5, url: 'https://api.example.com/v1/page' });
    await lifecycle.badgeFor({ id: 6, url: 'https://elsewhere.example/' });
    expect(await browser.action.getBadgeText({ tabId: 5 })).toBe('OFF');
    expect(await browser.action.getBadgeText({ tabId: 6 })).toBe('OFF');
    await sendMessage('setInjectionSettings', { paused: false });
    await lifecycle.badgeFor({ id: 5, url: 'https://api.example.com/v1/page' });
    await lifecycle.badgeFor({ id: 6, url: 'https://elsewhere.example/' });
    expect(await browser.action.getBadgeText({ tabId: 5 })).toBe('ON');
    expect(await browser.action.getBadgeText({ tabId: 6 })).toBe('');
  });

  it('puts a tab-scoped rule in the session rules and drops it when the tab closes', async () => {
    const { ref } = await boundRule();
    const saved = await sendMessage('saveRule', {
      rule: { token: ref, patterns: ['tab.example'], enabled: true },
      tabId: 9,
    });
    if (!saved.ok) throw new Error(saved.error.message);
    expect(dnr.session.map((rule) => rule.condition.tabIds)).toEqual([undefined, undefined, [9], [9]]);
    await lifecycle.tabClosed(9);
    expect(dnr.session.map((rule) => rule.condition.tabIds)).toEqual([undefined, undefined]);
    expect((await rulesItem.getValue()).some((rule) => rule.tabId !== undefined)).toBe(false);
  });

  it('keeps values on this device only when asked, sealed; after a restart they wait for the server', async () => {
    const { id, value } = await boundRule();
    expect(keyFile.bytes).toBeUndefined();
    await sendMessage('setInjectionSettings', { keepValuesOnDevice: true });
    expect(await keptTokensItem.getValue()).toEqual([]);
    expect(await sealedTokensItem.getValue()).not.toBeNull();
    expect(keyFile.bytes).toHaveLength(32);
    // Sealed: local storage (LevelDB on disk) never holds the value in plain text.
    expect(JSON.stringify(await fakeBrowser.storage.local.get())).not.toContain(value);

    // The browser restarts: session storage and session rules are gone.
    await fakeBrowser.storage.session.clear();
    dnr.session = [];
    // Whether the server had confirmed the token when each update that adds rules reached the browser.
    const confirmedWhenAdded: boolean[] = [];
    const update = dnr.updateSessionRules;
    dnr.updateSessionRules = async (change) => {
      if (change.addRules.length > 0)
        confirmedWhenAdded.push((await confirmedTokensItem.getValue()).length > 0);
      return update(change);
    };
    lifecycle = startWorker();
    await lifecycle.start();
    expect(confirmedWhenAdded).toContain(true);
    expect(confirmedWhenAdded).not.toContain(false);
    await expectLease(headerOf(dnr.session[0]), value);
    expect(await statusOf(id)).toMatchObject({ state: 'active' });

    await sendMessage('setInjectionSettings', { keepValuesOnDevice: false });
    expect(await sealedTokensItem.getValue()).toBeNull();
    expect(keyFile.bytes).toBeUndefined();
    expect(JSON.stringify(await fakeBrowser.storage.local.get())).not.toContain(value);
    await fakeBrowser.storage.session.clear(); // and restarts again: session values are gone, so is injection
    dnr.session = [];
    lifecycle = startWorker();
    await lifecycle.start();
    // Signed out too: the rule waits for a sign-in that can lease the token.
    expect(await statusOf(id)).toMatchObject({ state: 'sign-in' });
    expect(dnr.session).toEqual([]);
  });

  it('never injects a value restored at start-up that the server no longer accepts', async () => {
    const { id, path } = await boundRule();
    await sendMessage('setInjectionSettings', { keepValuesOnDevice: true });
    await rest(path, jsonInit('PUT', adminBasic, { enabled: false }));
    await fakeBrowser.storage.session.clear();
    dnr.session = [];
    dnr.calls.length = 0;
    lifecycle = startWorker();
    await lifecycle.start();
    expect(dnr.calls.every((call) => call.update.addRules.length === 0)).toBe(true);
    // Signed out by the restart: the server only says it refuses the value.
    expect(await statusOf(id)).toMatchObject({ state: 'rejected' });
  });

  it('holds back a restored value while its server cannot be asked, and says so on the rule', async () => {
    const { id, ref } = await boundRule();
    await sendMessage('setInjectionSettings', { keepValuesOnDevice: true });
    const other = { ...ref, server: 'http://127.0.0.1:9' };
    await rulesItem.setValue([{ id: id + 1, token: other, patterns: ['b.example'], enabled: true }]);
    await sendMessage('keepTokenValue', { ...other, value: createTokenValue() });
    await fakeBrowser.storage.session.clear();
    dnr.session = [];
    lifecycle = startWorker();
    await lifecycle.start();
    expect(dnr.session).toEqual([]);
    expect(await statusOf(id + 1)).toMatchObject({ state: 'checking' });
  });
});

describe('import and export', () => {
  it('round-trips rules without any token value, and reports refused rules one by one', async () => {
    const { value, ref } = await boundRule();
    await sendMessage('saveRule', {
      rule: {
        token: ref,
        patterns: ['api.example.org/api'],
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
      // Nor is a file's *Any page*: the rule arrives for its own site's requests.
      { token: ref, patterns: ['any.example'], enabled: true, anyPage: true },
    );
    const imported = await sendMessage('importRules', { text: JSON.stringify(file) });
    expect(imported).toEqual({
      ok: true,
      value: {
        imported: 4,
        errors: [
          { index: 4, message: expect.stringContaining('value') },
          { index: 5, message: expect.stringContaining('at least one URL pattern') },
        ],
        unconfirmed: [3],
        ownSiteOnly: [6],
        alreadyPresent: [],
      },
    });
    const rules = await rulesItem.getValue();
    expect(rules.map(({ id: _id, ...rest }) => rest)).toEqual([
      ...before,
      { token: ref, patterns: ['*'], enabled: false },
      { token: ref, patterns: ['any.example'], enabled: true },
    ]);
    const broadId = rules[rules.length - 2]?.id ?? 0;
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
    // In plain words, not the validator's.
    const wrong = await sendMessage('importRules', { text: '{"hello": 1}' });
    expect(wrong.ok ? '' : wrong.error.message).not.toMatch(/Invalid key|×|→/);
  });

  it('leaves out a rule that is here already: importing the file just exported adds nothing', async () => {
    const { ref } = await boundRule();
    await sendMessage('saveRule', { rule: { token: ref, patterns: ['again.example'], enabled: true } });
    const exported = await sendMessage('exportRules', {});
    if (!exported.ok) throw new Error(exported.error.message);
    const before = await rulesItem.getValue();
    const file = JSON.parse(exported.value);
    file.rules.push({ token: ref, patterns: ['new.example'], enabled: true });
    const imported = await sendMessage('importRules', { text: JSON.stringify(file) });
    expect(imported).toMatchObject({
      ok: true,
      value: { imported: 1, alreadyPresent: before.map((_, index) => index + 1) },
    });
    expect(await rulesItem.getValue()).toHaveLength(before.length + 1);
  });
});
