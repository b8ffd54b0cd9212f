// Header injection in Debian's Chromium: a real tokenward server, an "API under test" on a second origin that
// records the Authorization header, and the built extension: match / no match, disable, expiry, toggle, pause, restart.
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
import { adminBasic, createToken, jsonInit } from '../fixtures/test-app';
import { createTokenOverHttp } from '../fixtures/test-server';

/** The extension APIs these tests call inside the extension's pages and service worker. */
declare const chrome: {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  tabs: { query(filter: { url: string }): Promise<{ id?: number }[]> };
  action: { getBadgeText(details: { tabId: number }): Promise<string> };
};

const REFRESH_SECONDS = 3;

let server: RealClockServer;
let api: ApiUnderTest;
let profile: ExtensionProfile;
let context: BrowserContext;
let worker: Worker;
let extensionUrl: string;
let popup: Page;
let page: Page;
let counter = 0;

async function launch(): Promise<void> {
  ({ context, worker, extensionUrl } = await profile.launch());
}

beforeAll(async () => {
  api = await startApiUnderTest();
  server = await startRealClockServer({ corsOrigins: [api.origin] });
  profile = await createExtensionProfile('injection');
  await launch();
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
  await api?.stop();
});

async function rest(path: string, init: RequestInit): Promise<Response> {
  return fetch(`${server.baseUrl}/fmerest/v3${path}`, init);
}

async function setEnabled(name: string, enabled: boolean): Promise<void> {
  const res = await rest(
    `/tokens/admin/${encodeURIComponent(name)}`,
    jsonInit('PUT', adminBasic, { enabled }),
  );
  expect(res.status).toBe(204);
}

/** A message to the background from an extension page, as the popup sends it. */
async function send(type: string, data: unknown): Promise<unknown> {
  return popup.evaluate(([t, d]) => chrome.runtime.sendMessage({ type: t, data: d }), [type, data] as const);
}

/** The page on the API origin fetches `path`; the header the API received. */
async function fetchFromPage(prefix: string): Promise<string | undefined> {
  const path = `${prefix}?n=${++counter}`;
  await page.evaluate((p) => fetch(p).then((res) => res.text()), path);
  return (await api.waitFor(path)).authorization;
}

/** Fetches from the page until the header is gone (or back); the time it took. */
async function pollUntil(prefix: string, wanted: 'with' | 'without', timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const header = await fetchFromPage(prefix);
    if ((header !== undefined) === (wanted === 'with')) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`the header was not ${wanted} after ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function badgeOf(url: string): Promise<string> {
  return worker.evaluate(async (u) => {
    const [tab] = await chrome.tabs.query({ url: u });
    return tab?.id === undefined ? 'no tab' : chrome.action.getBadgeText({ tabId: tab.id });
  }, url);
}

function ruleRow(pattern: string) {
  return popup.getByRole('listitem', { name: pattern, exact: true });
}

describe('header injection', () => {
  let value = '';
  let pattern = '';

  it('injects on a navigation and a page fetch to a matching URL, and not elsewhere', async () => {
    pattern = `http://127.0.0.1:${api.port}/api`;
    value = await createTokenOverHttp(server.baseUrl, adminBasic, {
      name: 'API under test',
      expirationTimeout: 3600,
    });

    popup = await context.newPage();
    await popup.goto(`${extensionUrl}/popup.html`);
    await connectAndSignIn(popup, server.baseUrl);
    expect(await send('setInjectionSettings', { refreshSeconds: REFRESH_SECONDS })).toMatchObject({
      ok: true,
    });

    // A value created elsewhere is pasted once, checked with the server, and bound by owner and name.
    await popup.getByRole('tab', { name: 'Injection' }).click();
    await popup.getByRole('button', { name: 'New rule' }).click();
    await popup.getByRole('button', { name: 'Paste the value of a token created elsewhere' }).click();
    await popup.getByLabel('Token name').fill('API under test');
    await popup.getByLabel('Token value').fill(value);
    await popup.getByRole('button', { name: 'Check & keep' }).click();
    await expect.poll(() => popup.locator('.rule-form select').inputValue()).toContain('API under test');
    await popup.getByLabel('URL patterns').fill(pattern);
    await popup.getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(() => ruleRow(pattern).locator('.rule-status').textContent()).toBe('Injecting.');

    page = await context.newPage();
    await page.goto(`${api.origin}/api/navigation`);
    await expectLeaseOf(server.baseUrl, (await api.waitFor('/api/navigation')).authorization, {
      name: 'API under test',
      value: value,
    });
    await expect.poll(() => badgeOf(`${api.origin}/api/navigation`)).toBe('ON');
    await page.goto(`${api.origin}/page`);
    expect((await api.waitFor('/page')).authorization).toBeUndefined();
    await expect.poll(() => badgeOf(`${api.origin}/page`)).toBe('');
    await expectLeaseOf(server.baseUrl, await fetchFromPage('/api/fetch'), {
      name: 'API under test',
      value: value,
    });
    expect(await fetchFromPage('/other')).toBeUndefined();
  });

  it('stops within the refresh interval when the token is disabled through the REST API, and resumes', async () => {
    await setEnabled('API under test', false);
    const stopped = await pollUntil('/api/disabled', 'without', (REFRESH_SECONDS + 5) * 1000);
    console.log(
      `injection: disabled through REST → first request without the header after ${stopped} ms (refresh every ${REFRESH_SECONDS} s)`,
    );
    await expect.poll(() => ruleRow(pattern).locator('.rule-status').textContent()).toContain('disabled');
    await setEnabled('API under test', true);
    await pollUntil('/api/enabled', 'with', (REFRESH_SECONDS + 5) * 1000);
    await expect.poll(() => ruleRow(pattern).locator('.rule-status').textContent()).toBe('Injecting.');
  });

  it('measures the time from turning the rule off in the popup to the first request without the header', async () => {
    // The page fetches every 20 ms and the API records arrival times; the click is the start.
    await page.evaluate(() => {
      let i = 0;
      const w = window as unknown as { ticker: number };
      w.ticker = window.setInterval(() => void fetch(`/api/tick?i=${i++}`), 20);
    });
    await api.waitFor('/api/tick?i=5');
    // The start is the switch's change event in the popup: Playwright's own wait before its click (the popup is a
    // background tab, whose animation frames the browser throttles) is not the extension's time.
    await popup.evaluate(() => {
      const w = window as unknown as { toggledAt?: number };
      document.addEventListener('change', () => (w.toggledAt ??= Date.now()), { capture: true, once: true });
    });
    await ruleRow(pattern).getByRole('checkbox', { name: 'On' }).uncheck();
    const clicked = await popup.evaluate(() => (window as unknown as { toggledAt?: number }).toggledAt ?? 0);
    let firstWithout: number | undefined;
    for (let waited = 0; waited < 5_000 && firstWithout === undefined; waited += 20) {
      firstWithout = api.seen.find(
        (r) => r.at >= clicked && r.path.startsWith('/api/tick') && !r.authorization,
      )?.at;
      await new Promise((done) => setTimeout(done, 20));
    }
    await page.evaluate(() => window.clearInterval((window as unknown as { ticker: number }).ticker));
    expect(firstWithout).toBeDefined();
    const elapsed = (firstWithout ?? 0) - clicked;
    console.log(`injection: popup toggle off → first request without the header: ${elapsed} ms`);
    expect(elapsed).toBeLessThan(2_000);
    await expect.poll(() => ruleRow(pattern).locator('.rule-status').textContent()).toBe('Off.');
    await ruleRow(pattern).getByRole('checkbox', { name: 'On' }).check();
    await expect.poll(() => ruleRow(pattern).locator('.rule-status').textContent()).toBe('Injecting.');
    await expectLeaseOf(server.baseUrl, await fetchFromPage('/api/on-again'), {
      name: 'API under test',
      value: value,
    });
  });

  it('stops while paused, and resumes', async () => {
    await popup.getByRole('checkbox', { name: 'Pause all injection' }).check();
    await expect.poll(() => ruleRow(pattern).locator('.rule-status').textContent()).toContain('Paused');
    expect(await fetchFromPage('/api/paused')).toBeUndefined();
    await popup.getByRole('checkbox', { name: 'Pause all injection' }).uncheck();
    await expect.poll(() => ruleRow(pattern).locator('.rule-status').textContent()).toBe('Injecting.');
    await expectLeaseOf(server.baseUrl, await fetchFromPage('/api/resumed'), {
      name: 'API under test',
      value: value,
    });
  });

  it('stops sending an expiring token at its expiration', async () => {
    const expiring = await createToken((path, init) => fetch(`${server.baseUrl}${path}`, init), adminBasic, {
      name: 'short-lived',
      expirationTimeout: 7,
    });
    const ref = { server: server.baseUrl, user: 'admin', name: 'short-lived' };
    expect(await send('bindTokenValue', { ...ref, value: expiring.token })).toEqual({
      ok: true,
      value: null,
    });
    const expPattern = `http://127.0.0.1:${api.port}/exp`;
    expect(
      await send('saveRule', { rule: { token: ref, patterns: [expPattern], enabled: true } }),
    ).toMatchObject({ ok: true });
    await expectLeaseOf(server.baseUrl, await fetchFromPage('/exp/before'), {
      name: 'short-lived',
      value: expiring.token,
    });
    const expiresAt = Date.parse(expiring.expirationDate);
    await pollUntil('/exp/after', 'without', expiresAt - Date.now() + 5_000);
    const stoppedAfter = Date.now() - expiresAt;
    console.log(
      `injection: token expired at ${expiring.expirationDate}; header gone ${stoppedAfter} ms later`,
    );
    expect(stoppedAfter).toBeLessThan(2_500);
    await expect.poll(() => ruleRow(expPattern).locator('.rule-status').textContent()).toContain('expired');
    // The other rule's token is unaffected.
    await expectLeaseOf(server.baseUrl, await fetchFromPage('/api/still'), {
      name: 'API under test',
      value: value,
    });
  });

  it('still applies its rules after a browser restart (values kept on this device)', async () => {
    expect(await send('setInjectionSettings', { keepValuesOnDevice: true })).toMatchObject({ ok: true });
    await context.close();
    await launch();
    page = await context.newPage();
    await page.goto(`${api.origin}/page`);
    // A value restored from the device injects once its server confirmed the token (a check at start-up).
    await pollUntil('/api/after-restart-check', 'with', 10_000);
    await page.goto(`${api.origin}/api/after-restart`);
    await expectLeaseOf(server.baseUrl, (await api.waitFor('/api/after-restart')).authorization, {
      name: 'API under test',
      value: value,
    });
    popup = await context.newPage();
    await popup.goto(`${extensionUrl}/popup.html`);
    await expectLeaseOf(server.baseUrl, await fetchFromPage('/api/after-restart-fetch'), {
      name: 'API under test',
      value: value,
    });
    const view = (await send('getInjection', {})) as { value: { status: Record<string, { state: string }> } };
    expect(
      Object.values(view.value.status)
        .map((s) => s.state)
        .sort(),
    ).toEqual(['active', 'expired']);
  });
});
