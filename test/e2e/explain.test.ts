// Injection that explains itself, in Debian's Chromium: a 403's missing permission on the rule and in the popup
// with "Add it to <token>", a 401, "Does this URL match?", pause in the header, and a check when the popup opens.
import { fileURLToPath } from 'node:url';
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
import { adminBasic, jsonInit } from '../fixtures/test-app';

declare const tokenward: { notices: { clicked(id: string): Promise<boolean>; run(): Promise<void> } };
declare const chrome: {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  notifications: { getAll(): Promise<Record<string, boolean>> };
  storage: {
    local: {
      set(items: Record<string, unknown>): Promise<void>;
      get(key: string): Promise<Record<string, unknown>>;
    };
  };
  tabs: { query(filter: { url: string }): Promise<{ id?: number }[]> };
  action: { getBadgeText(details: { tabId: number }): Promise<string> };
};

const SHOTS = (name: string) => fileURLToPath(new URL(`../../docs/screenshots/${name}.png`, import.meta.url));
const CHALLENGE = 'fmetoken realm="tokenward", error="insufficient_scope", scope="repository/Samples:write"';

let server: RealClockServer;
let api: ApiUnderTest;
let profile: ExtensionProfile;
let context: BrowserContext;
let worker: Worker;
let extensionUrl: string;
let popup: Page;
let page: Page;
let value = '';
let pattern = '';

beforeAll(async () => {
  api = await startApiUnderTest((path) => {
    if (path.startsWith('/api/forbidden')) return { status: 403, headers: { 'WWW-Authenticate': CHALLENGE } };
    if (path.startsWith('/api/unauthorized'))
      return { status: 401, headers: { 'WWW-Authenticate': 'fmetoken realm="tokenward"' } };
    return undefined;
  });
  server = await startRealClockServer({ corsOrigins: [api.origin] });
  profile = await createExtensionProfile('explain', { viewport: { width: 420, height: 720 } });
  ({ context, extensionUrl, worker } = await profile.launch());
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
  await api?.stop();
});

async function rest(path: string, init: RequestInit): Promise<Response> {
  return fetch(`${server.baseUrl}/fmerest/v3${path}`, init);
}

async function setEnabled(enabled: boolean): Promise<void> {
  const res = await rest('/tokens/admin/explained', jsonInit('PUT', adminBasic, { enabled }));
  expect(res.status).toBe(204);
}

async function openPopup(): Promise<Page> {
  const opened = await context.newPage();
  await opened.goto(`${extensionUrl}/popup.html`);
  return opened;
}

const ruleRow = (p: Page) => p.getByRole('listitem', { name: pattern, exact: true });

/** The page on the API origin fetches `path`; the header the API received. */
async function fetchFromPage(path: string): Promise<string | undefined> {
  await page.evaluate((p) => fetch(p).then((res) => res.status), path);
  return (await api.waitFor(path)).authorization;
}

async function badgeOf(url: string): Promise<string> {
  return worker.evaluate(async (u) => {
    const [tab] = await chrome.tabs.query({ url: u });
    return tab?.id === undefined ? 'no tab' : chrome.action.getBadgeText({ tabId: tab.id });
  }, url);
}

/** The whole page, or (`fullPage: false`, for a form whose buttons stick to the bottom) the view as scrolled. */
async function shoot(p: Page, name: string, fullPage = true): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  for (const scheme of ['light', 'dark'] as const) {
    await p.emulateMedia({ colorScheme: scheme });
    await p.screenshot({ path: SHOTS(`${name}-${scheme}`), fullPage });
  }
  await p.emulateMedia({ colorScheme: 'light' });
}

describe('injection that explains itself', () => {
  it('makes a rule through the popup, with request types by their friendly names', async () => {
    const made = await rest(
      '/tokens',
      jsonInit('POST', adminBasic, {
        name: 'explained',
        restricted: true,
        permissions: ['repositories:access'],
        expirationTimeout: 3600,
      }),
    );
    expect(made.status).toBe(201);
    value = ((await made.json()) as { token: string }).token;
    pattern = `http://127.0.0.1:${api.port}/api`;

    popup = await openPopup();
    await connectAndSignIn(popup, server.baseUrl);

    await popup.getByRole('tab', { name: 'Injection' }).click();
    await popup.getByRole('button', { name: 'New rule' }).click();
    await popup.getByRole('button', { name: 'Paste the value of a token created elsewhere' }).click();
    await popup.getByLabel('Token name').fill('explained');
    await popup.getByLabel('Token value').fill(value);
    await popup.getByRole('button', { name: 'Check & keep' }).click();
    await expect.poll(() => popup.locator('.rule-form select').inputValue()).toContain('explained');
    await popup.getByLabel('URL patterns').fill(pattern);
    await popup.getByLabel('Page loads (main_frame)').check();
    await popup.getByLabel('fetch/XHR (xmlhttprequest)').check();

    // The form's own URL check, on the draft's patterns.
    const check = popup.locator('.rule-form .url-check');
    await check.getByLabel('Does this URL match?').fill(`http://127.0.0.1:${api.port}/api/items`);
    await expect.poll(() => check.getByRole('status').textContent()).toContain('Matches explained (admin)');
    await check.getByLabel('Does this URL match?').fill(`http://127.0.0.1:${api.port + 1}/api/items`);
    await expect
      .poll(() => check.getByRole('status').textContent())
      .toContain(`other port: the URL has ${api.port + 1}, the pattern ${api.port}`);
    await shoot(popup, 'explain-rule-form');

    await popup.getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(() => ruleRow(popup).locator('.rule-status').textContent()).toBe('Injecting.');
    expect(await ruleRow(popup).locator('.token-meta').textContent()).toContain('Page loads, fetch/XHR');

    page = await context.newPage();
    await page.goto(`${api.origin}/page`);
    await expectLeaseOf(server.baseUrl, await fetchFromPage('/api/ok'), { name: 'explained', value });
  });

  it('shows a 403 on the rule with the missing permission, without the query string, and measures it', async () => {
    await popup.bringToFront();
    const path = '/api/forbidden/items?fmetoken=not-for-the-screen';
    await fetchFromPage(path);
    const refused = (await api.waitFor(path)).at;
    const outcome = ruleRow(popup).locator('.rule-outcome');
    await outcome.waitFor({ timeout: 5_000 });
    const shown = Date.now();
    const text = (await outcome.textContent()) ?? '';
    console.log(`explain: 403 on a matched request → explanation on the rule after ${shown - refused} ms`);
    expect(shown - refused).toBeLessThan(3_000);
    expect(text).toContain('403 Forbidden');
    expect(text).toContain('explained');
    expect(text).toContain(`${api.origin}/api/forbidden/items`);
    expect(text).toContain('Repository Samples: Write');
    expect(text).toContain('repository/Samples:write');
    expect(text).not.toContain('not-for-the-screen');
    expect(text).not.toContain(value);
    await shoot(popup, 'explain-rule-403');
  });

  it('shows it for the current tab when the popup opens, and "Add it to" opens the edit form with the offer', async () => {
    await page.bringToFront();
    const second = await openPopup();
    const here = second.getByRole('region', { name: 'Refused on this tab' });
    await expect.poll(() => here.textContent()).toContain('Repository Samples: Write');
    await shoot(second, 'explain-popup-tab');
    await here.getByRole('button', { name: 'Add it to explained' }).click();
    // The form edits the token with the permission ticked, and offers what it depends on.
    await second.getByRole('button', { name: 'Save changes' }).waitFor();
    const offer = second.locator('.offer');
    await expect.poll(() => offer.textContent()).toContain('repository/Samples:read');
    await second.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await shoot(second, 'explain-add-permission', false);
    await offer.getByRole('button', { name: 'Grant additional permissions' }).click();
    await second.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(async () => {
        const res = await rest('/tokens/admin/explained', { headers: { Authorization: adminBasic } });
        return ((await res.json()) as { permissions?: string[] }).permissions?.sort();
      })
      .toEqual(['repositories:access', 'repository/Samples:read', 'repository/Samples:write']);
    await second.close();
  });

  it('shows a 401 on the rule', async () => {
    await popup.bringToFront();
    await fetchFromPage('/api/unauthorized');
    await expect
      .poll(() => ruleRow(popup).locator('.rule-outcome').textContent())
      .toContain('401 Unauthorized');
  });

  it('answers "Does this URL match?" on the injection tab: the rule and token, or why not', async () => {
    const check = popup.locator('.url-check');
    await check.getByLabel('Does this URL match?').fill(`${api.origin}/api/x`);
    await expect.poll(() => check.getByRole('status').textContent()).toContain('Sends explained (admin)');
    await check.getByLabel('Does this URL match?').fill(`${api.origin}/other`);
    await expect
      .poll(() => check.getByRole('status').textContent())
      .toContain('other path: /other is not under /api');
    // The current tab: the page on the API origin, the last one used before the popup.
    await check.getByRole('button', { name: 'Current tab' }).click();
    await expect.poll(() => check.getByLabel('Does this URL match?').inputValue()).toBe(`${api.origin}/page`);
    await shoot(popup, 'explain-url-check');
  });

  it('pauses from the header, with OFF on the badge, and resumes', async () => {
    // One pause per page: in the popup, the header's.
    expect(await popup.getByRole('checkbox', { name: /Pause/ }).count()).toBe(1);
    await popup.getByRole('checkbox', { name: 'Pause all injection' }).check();
    await expect.poll(() => badgeOf(`${api.origin}/page`)).toBe('OFF');
    expect(await fetchFromPage('/api/paused')).toBeUndefined();
    const check = popup.locator('.url-check');
    await check.getByLabel('Does this URL match?').fill(`${api.origin}/api/x`);
    await expect.poll(() => check.getByRole('status').textContent()).toContain('Paused');
    await shoot(popup, 'explain-paused');
    await popup.getByRole('checkbox', { name: 'Pause all injection' }).uncheck();
    await expect.poll(() => fetchFromPage(`/api/resumed-${Date.now()}`)).toBeDefined();
    await expectLeaseOf(server.baseUrl, await fetchFromPage('/api/resumed'), { name: 'explained', value });
  });

  it('resumes a token re-enabled on the server as soon as the popup opens (refresh every 60 s)', async () => {
    await popup.close();
    await setEnabled(false);
    // Opening the popup checks at once: the disabled token stops.
    popup = await openPopup();
    await expect.poll(() => fetchFromPage(`/api/disabled-${Date.now()}`)).toBeUndefined();
    await popup.close();
    await setEnabled(true);
    expect(await fetchFromPage('/api/still-off')).toBeUndefined();
    const opened = Date.now();
    popup = await openPopup();
    let resumed = 0;
    for (let n = 0; resumed === 0 && Date.now() - opened < 5_000; n++) {
      if ((await fetchFromPage(`/api/resume-${n}`)) !== undefined) resumed = Date.now();
    }
    console.log(`explain: popup opened → re-enabled token injecting again after ${resumed - opened} ms`);
    expect(resumed).toBeGreaterThan(0);
    expect(resumed - opened).toBeLessThan(2_000);
  });

  it("notifies once before a rule's token expires, and one click extends it", async () => {
    // The first rule's token expires within the hour: the default thresholds (1 day, 1 hour) notified it once.
    expect(Object.keys(await worker.evaluate(() => chrome.notifications.getAll()))).toEqual([
      `tokenward-expiry:${JSON.stringify([server.baseUrl, 'admin', 'explained'])}`,
    ]);
    // A notice 1 minute before expiry, for a token that expires in 80 s.
    await worker.evaluate(() => chrome.storage.local.set({ expiryNoticeSettings: { beforeMinutes: [1] } }));
    const made = await rest(
      '/tokens',
      jsonInit('POST', adminBasic, { name: 'expiring', expirationTimeout: 80 }),
    );
    const expiring = (await made.json()) as { token: string; expirationDate: string };
    const ref = { server: server.baseUrl, user: 'admin', name: 'expiring' };
    const send = (type: string, data: unknown) =>
      popup.evaluate(([t, d]) => chrome.runtime.sendMessage({ type: t, data: d }), [type, data] as const);
    expect(await send('bindTokenValue', { ...ref, value: expiring.token })).toEqual({
      ok: true,
      value: null,
    });
    const expPattern = `http://127.0.0.1:${api.port}/exp`;
    expect(
      await send('saveRule', { rule: { token: ref, patterns: [expPattern], enabled: true } }),
    ).toMatchObject({
      ok: true,
    });
    await popup.getByRole('tab', { name: 'Injection' }).click();
    const expRow = popup.getByRole('listitem', { name: expPattern, exact: true });
    // Within a day of its expiry, the rule shows the countdown.
    await expect
      .poll(() => expRow.getByRole('timer').textContent())
      .toMatch(/expiring expires in \d+ min|less than/);
    await shoot(popup, 'explain-countdown');
    const expiresAt = Date.parse(expiring.expirationDate);
    const noticeId = `tokenward-expiry:${JSON.stringify([server.baseUrl, 'admin', 'expiring'])}`;
    const notices = () => worker.evaluate(() => chrome.notifications.getAll());
    expect(Object.keys(await notices())).not.toContain(noticeId);
    let shownAt = 0;
    while (shownAt === 0 && Date.now() < expiresAt) {
      if (Object.keys(await notices()).includes(noticeId)) shownAt = Date.now();
      else await new Promise((done) => setTimeout(done, 100));
    }
    const id = noticeId;
    console.log(
      `explain: expiry notice shown ${expiresAt - shownAt} ms before the token expired (asked: 60000)`,
    );
    expect(expiresAt - shownAt).toBeGreaterThan(50_000);
    expect(expiresAt - shownAt).toBeLessThanOrEqual(61_000);
    // The button: the token is extended on the server, the notice goes, and injection goes on past the old expiry.
    expect(await worker.evaluate((n) => tokenward.notices.clicked(n), id)).toBe(true);
    const after = await rest('/tokens/admin/expiring', { headers: { Authorization: adminBasic } });
    const extended = Date.parse(((await after.json()) as { expirationDate: string }).expirationDate);
    expect(extended - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(Object.keys(await notices())).not.toContain(id);
    await expect.poll(() => expRow.getByRole('timer').count()).toBe(0);
    // Not shown again: a check run now, as the alarm would run it, finds nothing to notify.
    await worker.evaluate(() => tokenward.notices.run());
    expect(Object.keys(await notices())).not.toContain(id);
    await expectLeaseOf(server.baseUrl, await fetchFromPage('/exp/extended'), {
      name: 'expiring',
      value: expiring.token,
    });
  });

  it('sets the notice thresholds on the options page, which checks the tokens when it opens', async () => {
    const options = await context.newPage();
    await options.setViewportSize({ width: 1100, height: 900 });
    await options.goto(`${extensionUrl}/options.html`);
    await options.getByRole('tab', { name: 'Injection' }).click();
    const field = options.getByLabel("Notify before a rule's token expires", { exact: false });
    await expect.poll(() => field.inputValue()).toBe('0.02');
    await field.fill('24, 1');
    await field.press('Enter');
    await field.blur();
    await expect
      .poll(() => worker.evaluate(() => chrome.storage.local.get('expiryNoticeSettings')))
      .toEqual({ expiryNoticeSettings: { beforeMinutes: [1440, 60] } });
    await shoot(options, 'explain-options');
    await options.close();
  });
});
