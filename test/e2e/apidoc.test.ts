// The API docs page in Chromium against a real server: Get Token signs in, Try it out calls /tokens with the token.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../fixtures/chromium';
import { ADMIN_PASSWORD } from '../fixtures/test-app';
import { startTestServer, type TestServer } from '../fixtures/test-server';

const SCREENSHOT = fileURLToPath(new URL('../../docs/screenshots/apidoc.png', import.meta.url));
// The committed screenshot changes only when asked for: UPDATE_SCREENSHOTS=1 npm run test:e2e
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
// The test server's clock starts at 10:00 UTC; an apidoc token lives exactly one hour.
const SIGNED_IN = 'Signed in as admin, token valid until 2026-11-22T11:00:00Z';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The Swagger UI block of one operation, found by its method and path. */
function operation(page: Page, method: string, path: string): Locator {
  return page
    .locator(`.opblock-${method}`)
    .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
}

/** Presses Execute and waits for the call to be answered; returns the status the page then shows. */
async function executeAndReadStatus(page: Page, block: Locator): Promise<string> {
  const answered = page.waitForResponse((res) => isTokensCall(res.request()));
  await block.getByRole('button', { name: 'Execute' }).click();
  const status = (await answered).status();
  const cell = block.locator('.live-responses-table tbody .response-col_status').first();
  await expect.poll(async () => (await cell.textContent())?.trim()).toBe(String(status));
  return String(status);
}

function isTokensCall(request: Request): boolean {
  return new URL(request.url()).pathname === '/fmerest/v3/tokens' && request.method() === 'GET';
}

describe('the docs page over HTTP', () => {
  it('redirects to the slash form and loads only its own script files, cached by content', async () => {
    const redirect = await fetch(`${server.baseUrl}/fmerest/apidoc/v3`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('Location')).toBe('/fmerest/apidoc/v3/');

    const page = await fetch(`${server.baseUrl}/fmerest/apidoc/v3/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('Content-Type')).toMatch(/^text\/html/);
    const html = await page.text();
    // No inline script: every <script> loads a file, so a strict Content-Security-Policy can be added.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    const assets = [...html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((match) => match[1]);
    expect(assets.map((asset) => asset?.replace(/\?v=[0-9a-f]+$/, ''))).toEqual([
      'assets/swagger-ui.css',
      'assets/apidoc.css',
      'assets/swagger-ui-bundle.js',
      'assets/apidoc.js',
    ]);
    for (const asset of assets) {
      const res = await fetch(`${server.baseUrl}/fmerest/apidoc/v3/${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('Content-Type'), asset).toMatch(
        asset?.includes('.js') ? /^text\/javascript/ : /^text\/css/,
      );
      expect(res.headers.get('Cache-Control'), asset).toBe('public, max-age=31536000, immutable');
      expect((await res.text()).length, asset).toBeGreaterThan(500);
    }

    const missing = await fetch(`${server.baseUrl}/fmerest/apidoc/v3/assets/index.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
    const openapi = await fetch(`${server.baseUrl}/fmerest/v3/openapi.json`);
    expect(openapi.status).toBe(200);
    expect(await openapi.json()).toMatchObject({ openapi: '3.1.0' });
  });
});

describe('the docs page in Chromium', () => {
  it('signs in with Get Token and calls GET /fmerest/v3/tokens with the apidoc token', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const origin = new URL(server.baseUrl).origin;
    const requests: Request[] = [];
    context.on('request', (request) => requests.push(request));
    // Anything bound elsewhere is recorded above (and fails the test) but never leaves the machine.
    await context.route(
      (url) => url.protocol !== 'data:' && url.origin !== origin,
      (route) => route.abort(),
    );
    const page = await context.newPage();

    await page.goto(`${server.baseUrl}/fmerest/apidoc/v3`);
    expect(page.url()).toBe(`${origin}/fmerest/apidoc/v3/`);
    const tokens = operation(page, 'get', '/fmerest/v3/tokens');
    await tokens.waitFor({ state: 'visible', timeout: 15_000 });
    // Swagger UI lists what it finds wrong with a document above the operations; there must be nothing.
    expect(await page.locator('.errors-wrapper').count()).toBe(0);

    // Before Get Token the page has no credential: the call is refused.
    await tokens.locator('.opblock-summary-control').click();
    await tokens.getByRole('button', { name: 'Try it out' }).click();
    expect(await executeAndReadStatus(page, tokens)).toBe('401');
    const anonymous = requests.filter(isTokensCall);
    expect(anonymous).toHaveLength(1);
    expect(await anonymous[0]?.headerValue('authorization')).toBeNull();

    await page.getByRole('button', { name: 'Get Token' }).click();
    const form = page.getByRole('form', { name: 'Sign in for an API documentation token' });
    await form.getByLabel('User name').fill('admin');
    await form.getByLabel('Password').fill('not the password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toBe('Sign-in failed: the user name or password is wrong.');

    await form.getByLabel('Password').fill(ADMIN_PASSWORD);
    const login = page.waitForResponse((res) => new URL(res.url()).pathname === '/fmerest/v3/login');
    await form.getByRole('button', { name: 'Sign in' }).click();
    const loginResponse = await login;
    expect(loginResponse.status()).toBe(201);
    const session: unknown = await loginResponse.json();
    expect(session).toMatchObject({ user: 'admin', type: 'SESSION', source: 'apidoc' });
    const token = session !== null && typeof session === 'object' ? Reflect.get(session, 'token') : undefined;
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    const status = page.getByRole('banner').getByRole('status');
    await expect.poll(() => status.textContent()).toBe(SIGNED_IN);
    await expect.poll(() => form.isHidden()).toBe(true);

    expect(await executeAndReadStatus(page, tokens)).toBe('200');
    await expect
      .poll(() =>
        tokens.locator('.live-responses-table tbody .response-col_description').first().textContent(),
      )
      .toContain('"items"');
    const calls = requests.filter(isTokensCall);
    expect(calls).toHaveLength(2);
    expect(await calls[1]?.headerValue('authorization')).toBe(`fmetoken token=${token}`);

    // The token is kept in memory only: not in the address, not in web storage.
    const stored = await page.evaluate(() => ({
      url: location.href,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    expect(JSON.stringify(stored)).not.toContain(String(token));

    const offSite = requests
      .map((request) => request.url())
      .filter((url) => {
        const parsed = new URL(url);
        return parsed.protocol !== 'data:' && parsed.origin !== origin;
      });
    expect(offSite).toEqual([]);
    expect(requests.length).toBeGreaterThan(5);

    if (UPDATE_SCREENSHOTS) {
      await mkdir(dirname(SCREENSHOT), { recursive: true });
      // The top of the page: the signed-in bar and the operation list (the test token stays out of the picture).
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: SCREENSHOT });
    }
    await context.close();
  });
});
