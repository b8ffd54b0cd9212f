// The Firefox build in Debian's Firefox ESR against a real server: the flows a user depends on, from connecting
// to renewing an expired token, with the kept token injected by a saved rule and contained to its prefix.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type ApiUnderTest,
  type RealClockServer,
  startApiUnderTest,
  startRealClockServer,
} from '../fixtures/extension-servers';
import {
  aria,
  describeFirefox,
  type FirefoxWithExtension,
  front,
  launchFirefoxWithExtension,
} from '../fixtures/firefox';
import { expectLeaseOf } from '../fixtures/lease-header';
import { ADMIN_PASSWORD, adminBasic, jsonInit } from '../fixtures/test-app';

/** Firefox's own extension API in the extension's pages. */
declare const browser: {
  permissions: {
    contains(request: { origins: string[] }): Promise<boolean>;
    remove(request: { origins: string[] }): Promise<boolean>;
  };
};

const TOKEN_NAME = 'firefox deploy';

let server: RealClockServer;
let api: ApiUnderTest;
let firefox: FirefoxWithExtension;
let popup: Page;
let counter = 0;
let value = '';

async function restToken(name: string) {
  const res = await fetch(`${server.baseUrl}/fmerest/v3/tokens/admin/${encodeURIComponent(name)}`, {
    headers: { Authorization: adminBasic },
  });
  return (await res.json()) as { description: string; enabled: boolean; expired: boolean };
}

async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.$eval(selector, (element) => element.textContent ?? '').catch(() => '')).trim();
}

/** A page on the API origin fetches `path`; the header the API received. */
async function fetchFrom(page: Page, prefix: string): Promise<string | undefined> {
  const path = `${prefix}${prefix.includes('?') ? '&' : '?'}n=${++counter}`;
  await front(page);
  await page.evaluate((p) => fetch(p, { cache: 'no-store' }).then((res) => res.text()), path);
  return (await api.waitFor(path)).authorization;
}

describeFirefox('the Firefox build in Firefox ESR', () => {
  beforeAll(async () => {
    api = await startApiUnderTest();
    server = await startRealClockServer({ corsOrigins: [api.origin] });
    firefox = await launchFirefoxWithExtension();
    popup = await firefox.open('/popup.html');
  });

  afterAll(async () => {
    await firefox?.remove();
    await server?.stop();
    await api?.stop();
  });

  it('connects to the server and signs in', async () => {
    // Firefox grants the manifest's loopback hosts at install: no prompt stands between the user and a rule.
    expect(
      await popup.evaluate(() =>
        browser.permissions.contains({
          origins: ['http://127.0.0.1/*', 'https://localhost/*', 'ws://[::1]/*'],
        }),
      ),
    ).toBe(true);
    await popup.locator('#server-url').fill(server.baseUrl);
    await popup.locator(aria('button', 'Save & check')).click();
    await expect.poll(() => textOf(popup, '[role="status"]')).toMatch(/^Connected to tokenward /);
    await popup.locator('#sign-in-user').fill('admin');
    await popup.locator('#sign-in-password').fill(ADMIN_PASSWORD);
    await popup.locator(aria('button', 'Sign in')).click();
    await popup.locator(aria('button', 'New token')).wait();
  });

  it('creates a token, keeps it, and a saved rule injects it on its prefix only', async () => {
    await popup.locator(aria('button', 'New token')).click();
    await popup.locator('#token-name').fill(TOKEN_NAME);
    await popup.locator(aria('button', 'Create token')).click();
    await popup.waitForSelector('output[aria-label="Token value"]');
    value = await textOf(popup, 'output[aria-label="Token value"]');
    expect(value).toMatch(/^[0-9a-f]{40}$/);
    await popup.locator('.created .keep input').click();
    await popup.locator(aria('button', 'Done')).click();
    await popup.locator(`li[aria-label="${TOKEN_NAME}"]`).wait();

    const pattern = `http://127.0.0.1:${api.port}/api`;
    await popup.locator(aria('tab', 'Injection')).click();
    await popup.locator(aria('button', 'New rule')).click();
    await popup.select('.rule-form select', JSON.stringify([server.baseUrl, 'admin', TOKEN_NAME]));
    const chosen = await popup.$eval('.rule-form select', (select) =>
      select instanceof HTMLSelectElement ? (select.selectedOptions[0]?.text ?? '') : '',
    );
    expect(chosen).toBe(`${TOKEN_NAME} (admin, ${server.baseUrl})`);
    await popup.locator('.rule-form textarea').fill(pattern);
    await popup.locator(aria('button', 'Save rule')).click();
    const status = `li.rule-row[aria-label="${pattern}"] .rule-status`;
    await expect.poll(() => textOf(popup, status), { timeout: 10_000 }).toBe('Injecting.');

    const page = await firefox.open(`${api.origin}/page`);
    // The rule sends a lease of the token, never its value.
    const header = await fetchFrom(page, '/api?q=1');
    await expectLeaseOf(server.baseUrl, header, { name: TOKEN_NAME, value });
    expect(await fetchFrom(page, '/api/items')).toBe(header);
    for (const path of ['/page', '/other', '/apix', '/API/x'])
      expect(await fetchFrom(page, path), path).toBeUndefined();
    // A navigation to the prefix carries it too.
    const tab = await firefox.open(`${api.origin}/api/navigated?n=${++counter}`);
    expect((await api.waitFor(`/api/navigated?n=${counter}`)).authorization).toBe(header);
    await tab.close();
    await page.close();
  });

  it('says on the rule that host access was removed, and its one button gets it back', async () => {
    const pattern = `http://127.0.0.1:${api.port}/api`;
    const status = `li.rule-row[aria-label="${pattern}"] .rule-status`;
    await front(popup);
    // Firefox lets the user take away even a host the manifest lists (about:addons → Permissions).
    expect(await popup.evaluate(() => browser.permissions.remove({ origins: ['http://127.0.0.1/*'] }))).toBe(
      true,
    );
    await expect
      .poll(() => textOf(popup, status))
      .toBe('Access to http://127.0.0.1 was removed in the browser, so this rule stopped.');
    const page = await firefox.open(`${api.origin}/page`);
    expect(await fetchFrom(page, '/api?removed')).toBeUndefined();
    // The server is on the same host: a popup opened now says why it cannot reach it, not "unreachable".
    const fresh = await firefox.open('/popup.html');
    const removed = `Access to ${server.baseUrl} was removed in the browser, so tokenward cannot reach the server.`;
    await expect
      .poll(() =>
        fresh.$$eval('[role="status"], [role="alert"]', (found) =>
          found.map((node) => node.textContent ?? ''),
        ),
      )
      .toContain(removed);
    // Said once: the sign-in's reason is not repeated under the status line that gives it.
    const said = await fresh.$$eval('[role="status"], [role="alert"]', (found) =>
      found.map((node) => node.textContent ?? ''),
    );
    expect(said.filter((text) => text === removed)).toHaveLength(1);
    expect(await fresh.$eval('body', (body) => body.textContent ?? '')).not.toContain('unreachable');
    await fresh.close();
    await front(popup);
    await popup.locator(aria('button', 'Grant access again')).click();
    await expect.poll(() => textOf(popup, status)).toBe('Injecting.');
    expect(
      await popup.evaluate(() => browser.permissions.contains({ origins: ['http://127.0.0.1/*'] })),
    ).toBe(true);
    await expectLeaseOf(server.baseUrl, await fetchFrom(page, '/api?granted'), { name: TOKEN_NAME, value });
    await page.close();
  });

  it("edits a token's description in place", async () => {
    await front(popup);
    await popup.locator(aria('tab', 'Tokens')).click();
    const row = `li[aria-label="${TOKEN_NAME}"]`;
    await popup.locator(`${row} ${aria('button', 'Edit')}`).click();
    await popup.locator('#token-description').fill('edited in Firefox');
    await popup.locator(aria('button', 'Save changes')).click();
    await expect.poll(async () => (await restToken(TOKEN_NAME)).description).toBe('edited in Firefox');
  });

  it('renews an expired API token with a new expiration', async () => {
    const made = await fetch(
      `${server.baseUrl}/fmerest/v3/tokens`,
      jsonInit('POST', adminBasic, { name: 'lapsed', expirationTimeout: 1 }),
    );
    expect(made.status).toBe(201);
    await expect.poll(async () => (await restToken('lapsed')).expired, { timeout: 5_000 }).toBe(true);
    // A popup opened now lists it under Expired.
    await popup.close();
    popup = await firefox.open('/popup.html');
    await popup.locator(aria('tab', 'Expired')).click();
    await popup.locator(`li[aria-label="lapsed"] ${aria('button', 'Renew…')}`).click();
    await popup.locator(aria('button', 'Renew and enable')).click();
    await expect.poll(async () => (await restToken('lapsed')).expired).toBe(false);
    expect(await restToken('lapsed')).toMatchObject({ enabled: true, expired: false });
  });
});
