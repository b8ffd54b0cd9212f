// Where a token's value stays, in Debian's Chromium with the built extension: never on disk unless the user keeps
// it there, nothing injected after a restart before the server confirms the token, nothing left after opting
// out or after the server removed the token; and loopback rules save at once, other hosts say what the browser did.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtensionProfile, type ExtensionProfile } from '../fixtures/extension-browser';
import {
  type ApiUnderTest,
  type RealClockServer,
  startApiUnderTest,
  startRealClockServer,
} from '../fixtures/extension-servers';
import { expectLeaseOf } from '../fixtures/lease-header';
import { connectAndSignIn } from '../fixtures/popup-sign-in';
import { adminBasic } from '../fixtures/test-app';
import { createTokenOverHttp } from '../fixtures/test-server';

/** The extension APIs these tests call inside the extension's pages and service worker. */
declare const chrome: {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  storage: { session: { get(): Promise<unknown> } };
  declarativeNetRequest: { getSessionRules(): Promise<unknown[]>; getDynamicRules(): Promise<unknown[]> };
  permissions: { contains(request: { origins: string[] }): Promise<boolean> };
};

let server: RealClockServer;
let api: ApiUnderTest;
let profile: ExtensionProfile;
let context: BrowserContext;
let worker: Worker;
let extensionUrl: string;
let popup: Page;
let counter = 0;

/** Launches (again) on the same profile; `startUrl` opens in a tab at once, racing the extension's worker. */
async function launch(startUrl?: string): Promise<void> {
  ({ context, worker, extensionUrl } = await profile.launch(startUrl));
}

async function openPopup(): Promise<void> {
  popup = await context.newPage();
  await popup.goto(`${extensionUrl}/popup.html`);
}

beforeAll(async () => {
  api = await startApiUnderTest();
  server = await startRealClockServer({ corsOrigins: [api.origin] });
  profile = await createExtensionProfile('containment');
  await launch();
  await openPopup();
  await connectAndSignIn(popup, server.baseUrl);
  await popup.getByRole('tab', { name: 'Injection' }).click();
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
  await api?.stop();
});

/** How many times `needle` occurs in the files under `dir`, read as bytes (LevelDB logs, rule files, …). */
async function occurrences(dir: string, needle: Buffer): Promise<{ count: number; files: string[] }> {
  let count = 0;
  const files: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      continue; // a file the browser removed while we walked
    }
    let found = 0;
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) found++;
    if (found > 0) files.push(path.slice(dir.length + 1));
    count += found;
  }
  return { count, files };
}

const onDisk = (value: string) => occurrences(profile.dir, Buffer.from(value));

async function send(type: string, data: unknown): Promise<unknown> {
  return popup.evaluate(([t, d]) => chrome.runtime.sendMessage({ type: t, data: d }), [type, data] as const);
}

/** The user pastes a value made elsewhere and saves a rule for `patterns`, through the popup's form. */
async function pasteAndSaveRule(name: string, value: string, patterns: string[]): Promise<void> {
  // A fresh popup: whatever an earlier test left in the form does not carry over.
  await popup.reload();
  await popup.getByRole('tab', { name: 'Injection' }).click();
  await popup.getByRole('button', { name: 'New rule' }).click();
  await popup.getByRole('button', { name: 'Paste the value of a token created elsewhere' }).click();
  await popup.getByLabel('Token name').fill(name);
  await popup.getByLabel('Token value').fill(value);
  await popup.getByRole('button', { name: 'Check & keep' }).click();
  await popup.locator('.rule-form select').selectOption({ label: `${name} (admin, ${server.baseUrl})` });
  await popup.getByLabel('URL patterns').fill(patterns.join('\n'));
  await popup.getByRole('button', { name: 'Save rule' }).click();
}

function ruleStatus(pattern: string) {
  return popup.getByRole('listitem', { name: pattern, exact: true }).locator('.rule-status');
}

interface View {
  rules: { id: number; patterns: string[] }[];
  status: Record<string, { state: string; message?: string }>;
}

/** The state the background gives the rule with `pattern` (the popup shows the same). */
async function stateOf(pattern: string): Promise<string | undefined> {
  const view = ((await send('getInjection', {})) as { value: View }).value;
  const rule = view.rules.find((candidate) => candidate.patterns.includes(pattern));
  return rule && view.status[String(rule.id)]?.state;
}

/** A page on the API origin fetches `path`; the header the API received. */
async function fetchFrom(page: Page, prefix: string): Promise<string | undefined> {
  const path = `${prefix}?n=${++counter}`;
  await page.evaluate((p) => fetch(p).then((res) => res.text()), path);
  return (await api.waitFor(path)).authorization;
}

describe('loopback rules', () => {
  it('saves "127.0.0.1:<port>" and "https://127.0.0.1:<port>" at once, with no prompt, and injects', async () => {
    const value = await createTokenOverHttp(server.baseUrl, adminBasic, { name: 'loopback' });
    const plain = `127.0.0.1:${api.port}/lb`;
    const secure = `https://127.0.0.1:${api.port}/lb`;
    await pasteAndSaveRule('loopback', value, [plain, secure]);
    await expect.poll(() => stateOf(plain)).toBe('active');
    await expect.poll(() => popup.locator('.rule-form').count()).toBe(0);
    expect(
      await worker.evaluate(() =>
        chrome.permissions.contains({
          origins: ['http://127.0.0.1/*', 'https://127.0.0.1/*', 'https://localhost/*', 'http://[::1]/*'],
        }),
      ),
    ).toBe(true);
    const page = await context.newPage();
    await page.goto(`${api.origin}/page`);
    await expectLeaseOf(server.baseUrl, await fetchFrom(page, '/lb/x'), { name: 'loopback', value });
    await page.close();
    const view = ((await send('getInjection', {})) as { value: View }).value;
    for (const rule of view.rules)
      expect(await send('removeRule', { id: rule.id })).toMatchObject({ ok: true });
  });

  it('tells what the browser did with a permission a non-loopback rule needs, and does not save it', async () => {
    await popup.reload();
    await popup.getByRole('tab', { name: 'Injection' }).click();
    await popup.getByRole('button', { name: 'New rule' }).click();
    await popup.locator('.rule-form select').selectOption({ label: `loopback (admin, ${server.baseUrl})` });
    await popup.getByLabel('URL patterns').fill('api.example.test/v1');
    await popup.getByRole('button', { name: 'Save rule' }).click();
    // Headless Chromium answers the prompt itself (refused); a visible one shows the wait first.
    await expect
      .poll(async () =>
        (await popup.locator('.rule-form [role="alert"], .rule-form [role="status"]').allTextContents()).join(
          ' ',
        ),
      )
      .toMatch(/refused access to http:\/\/api\.example\.test\/\*|Waiting for the browser/);
    const view = ((await send('getInjection', {})) as { value: View }).value;
    expect(view.rules.flatMap((rule) => rule.patterns)).not.toContain('api.example.test/v1');
    // Cancel gives up waiting: the form is free again.
    await popup.getByRole('button', { name: 'Cancel' }).click();
    await popup.getByRole('button', { name: 'New rule' }).click();
    await expect.poll(() => popup.getByRole('button', { name: 'Save rule' }).isEnabled()).toBe(true);
    await popup.getByRole('button', { name: 'Cancel' }).click();
  });
});

describe('a token removed on the server', () => {
  it('is forgotten: its value leaves storage.session at the next check', async () => {
    const value = await createTokenOverHttp(server.baseUrl, adminBasic, { name: 'to be removed' });
    const pattern = `http://127.0.0.1:${api.port}/gone`;
    await pasteAndSaveRule('to be removed', value, [pattern]);
    await expect.poll(() => ruleStatus(pattern).textContent()).toBe('Injecting.');
    expect(JSON.stringify(await worker.evaluate(() => chrome.storage.session.get()))).toContain(value);
    const res = await fetch(`${server.baseUrl}/fmerest/v3/tokens/admin/to%20be%20removed`, {
      method: 'DELETE',
      headers: { Authorization: adminBasic },
    });
    expect(res.status).toBe(204);
    expect(await send('refreshTokens', {})).toMatchObject({ ok: true });
    await expect.poll(() => stateOf(pattern)).toBe('removed');
    expect(JSON.stringify(await worker.evaluate(() => chrome.storage.session.get()))).not.toContain(value);
  });
});

describe('values on disk', () => {
  let value = '';
  const pattern = () => `http://127.0.0.1:${api.port}/api`;

  it('keep off: no byte of the value in the profile, and a tab opened at start-up gets no header', async () => {
    value = await createTokenOverHttp(server.baseUrl, adminBasic, { name: 'kept' });
    await pasteAndSaveRule('kept', value, [pattern()]);
    await expect.poll(() => ruleStatus(pattern()).textContent()).toBe('Injecting.');
    const page = await context.newPage();
    await page.goto(`${api.origin}/page`);
    await expectLeaseOf(server.baseUrl, await fetchFrom(page, '/api/before-restart'), {
      name: 'kept',
      value,
    });

    const running = await onDisk(value);
    await context.close();
    const closed = await onDisk(value);
    console.log(
      `containment: keep off: the value occurs ${running.count} times in the profile while running, ${closed.count} after closing`,
      closed.files,
    );
    const restarted = Date.now();
    await launch(`${api.origin}/api/startup-tab`);
    expect(running.count).toBe(0);
    expect(closed.count).toBe(0);
    expect((await api.waitFor('/api/startup-tab', 10_000)).authorization).toBeUndefined();
    const page2 = await context.newPage();
    await page2.goto(`${api.origin}/page`);
    for (let i = 0; i < 10; i++) expect(await fetchFrom(page2, '/api/after-restart')).toBeUndefined();
    await openPopup();
    // The token is the user's own, and the sign-in went with the session: the rule waits for it.
    await expect.poll(() => stateOf(pattern())).toBe('sign-in');
    const injected = api.seen.filter((r) => r.at >= restarted && r.authorization !== undefined);
    console.log(
      `containment: keep off: requests with the header after the restart: ${injected.length} (never, until the value is pasted again)`,
    );
    expect(injected).toEqual([]);
    await page2.close();

    // Pasting it again resumes injection (the sign-in went with the session, so bind through the message).
    expect(
      await send('bindTokenValue', { server: server.baseUrl, user: 'admin', name: 'kept', value }),
    ).toEqual({ ok: true, value: null });
    await expect.poll(() => stateOf(pattern())).toBe('active');
  });

  it('keep on: after a restart nothing is injected before the server confirmed the token', async () => {
    await openPopup();
    expect(
      await send('bindTokenValue', { server: server.baseUrl, user: 'admin', name: 'kept', value }),
    ).toEqual({ ok: true, value: null });
    expect(await send('setInjectionSettings', { keepValuesOnDevice: true })).toMatchObject({ ok: true });
    const sealed = await onDisk(value);
    console.log(`containment: keep on: the value occurs ${sealed.count} times in plain text in the profile`);
    expect(sealed.count).toBe(0);

    await context.close();
    const restarted = Date.now();
    await launch(`${api.origin}/api/startup-tab-kept`);
    const launched = Date.now() - restarted;
    const page = await context.newPage();
    await page.goto(`${api.origin}/page`);
    // The page asks every 25 ms from the moment it can; the API records when each request arrived.
    await page.evaluate(() => {
      let i = 0;
      window.setInterval(() => void fetch(`/api/tick?i=${i++}`), 25);
    });
    let first: { at: number } | undefined;
    for (let waited = 0; waited < 15_000 && first === undefined; waited += 25) {
      first = api.seen.find((r) => r.at >= restarted && r.authorization !== undefined);
      await new Promise((done) => setTimeout(done, 25));
    }
    expect(first).toBeDefined();
    const firstInjected = first?.at ?? 0;
    // The server is asked about the token by the start-up check or by minting a lease with the value.
    const check = server.seen.find(
      (r) => r.at >= restarted && (r.path === '/fmerest/v3/security/me' || r.path.endsWith('/kept/leases')),
    );
    expect(check).toBeDefined();
    const startupTab = api.seen.find((r) => r.path === '/api/startup-tab-kept');
    // When the worker started: the restart's own cost (Chromium's start-up) is not the extension's delay.
    const workerStarted = await worker.evaluate(() => performance.timeOrigin);
    const elapsed = (at: number | undefined, from: number) =>
      at === undefined ? 'never' : `${Math.round(at - from)} ms`;
    console.log(
      `containment: keep on: restart → worker ${elapsed(workerStarted, restarted)}, → token check ${elapsed(check?.at, restarted)}, → first injected request ${elapsed(firstInjected, restarted)} (browser and page up ${launched} ms); worker start → check ${elapsed(check?.at, workerStarted)}, → first injected ${elapsed(firstInjected, workerStarted)}; start-up tab arrived ${elapsed(startupTab?.at, restarted)} with ${startupTab?.authorization ? 'the header' : 'no header'}`,
    );
    // Nothing carried the header before the server was asked about the token.
    expect(firstInjected).toBeGreaterThanOrEqual(check?.at ?? Number.POSITIVE_INFINITY);
    expect(api.seen.filter((r) => r.at >= restarted && r.at < (check?.at ?? 0) && r.authorization)).toEqual(
      [],
    );
    await page.close();
    expect(await worker.evaluate(() => chrome.declarativeNetRequest.getDynamicRules())).toEqual([]);
  });

  it('opting out leaves nothing of the value, nor of the key it was sealed with, in the profile', async () => {
    await openPopup();
    const keyHex = await worker.evaluate(async () => {
      try {
        const root = await navigator.storage.getDirectory();
        const file = await (await root.getFileHandle('tokenward-device-key')).getFile();
        return [...new Uint8Array(await file.arrayBuffer())]
          .map((byte) => byte.toString(16).padStart(2, '0'))
          .join('');
      } catch {
        return '';
      }
    });
    const key = Buffer.from(keyHex, 'hex');
    const keyBefore = key.length > 0 ? (await occurrences(profile.dir, key)).count : 0;

    expect(await send('setInjectionSettings', { keepValuesOnDevice: false })).toMatchObject({ ok: true });
    const count = async (needle: Buffer) =>
      needle.length > 0 ? (await occurrences(profile.dir, needle)).count : 0;
    const running = { value: (await onDisk(value)).count, key: await count(key) };
    await context.close();
    const closed = { value: (await onDisk(value)).count, key: await count(key) };
    await launch();
    console.log(
      `containment: after opting out: value ${running.value}/${closed.value}, key ${running.key}/${closed.key} occurrences (running/closed); the key occurred ${keyBefore} times before`,
    );
    expect([running.value, running.key, closed.value, closed.key]).toEqual([0, 0, 0, 0]);
    // The key was really on disk before (the grep can find it), in a file of its own.
    expect(key).toHaveLength(32);
    expect(keyBefore).toBeGreaterThan(0);
  });
});
