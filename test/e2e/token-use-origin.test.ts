// The built extension in Chromium against a real server: after a real request with a token from the browser,
// the token's details say when, from which address and by which client it was last used, and show its live
// leases, which end all at once after a confirmation. Both colour schemes, popup and options page.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditBothSchemes } from '../fixtures/appearance';
import { createExtensionProfile, type ExtensionProfile } from '../fixtures/extension-browser';
import { connectAndSignIn } from '../fixtures/popup-sign-in';
import { adminBasic, fmetoken, jsonInit } from '../fixtures/test-app';
import { startTestServer, type TestServer } from '../fixtures/test-server';

// Screenshots to look at (not committed): SCREENSHOTS_DIR=… to keep them somewhere else.
const SHOTS = process.env.SCREENSHOTS_DIR ?? join(tmpdir(), 'tokenward-use-origin-shots');

let server: TestServer;
let profile: ExtensionProfile;
let context: BrowserContext;
let extensionUrl: string;
let value: string;

beforeAll(async () => {
  server = await startTestServer();
  profile = await createExtensionProfile('token-use-origin', { viewport: { width: 400, height: 600 } });
  ({ context, extensionUrl } = await profile.launch());
  const res = await fetch(
    `${server.baseUrl}/fmerest/v3/tokens`,
    jsonInit('POST', adminBasic, { name: 'used from here', description: 'called from a browser tab' }),
  );
  expect(res.status).toBe(201);
  value = ((await res.json()) as { token: string }).token;
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
});

/** Mints a lease of the token with its own value, as a script would. */
async function mintLease(): Promise<void> {
  const res = await fetch(
    `${server.baseUrl}/fmerest/v3/tokens/admin/${encodeURIComponent('used from here')}/leases`,
    jsonInit('POST', fmetoken(value), { ttl: 600 }),
  );
  expect(res.status, await res.clone().text()).toBe(201);
}

async function liveLeases(): Promise<number> {
  const res = await fetch(
    `${server.baseUrl}/fmerest/v3/tokens/admin/${encodeURIComponent('used from here')}/leases`,
    {
      headers: { Authorization: adminBasic },
    },
  );
  return ((await res.json()) as { live: number }).live;
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('where a token was used, in its details', () => {
  it('shows the address and client of a real request from the browser, and ends its leases', async () => {
    // A real request from a browser tab, same-origin with the server: Chromium's own User-Agent goes with it.
    const tab = await context.newPage();
    await tab.goto(`${server.baseUrl}/fmeinfo/version`);
    const status = await tab.evaluate(
      async (authorization) =>
        (await fetch('/fmerest/v3/info', { headers: { Authorization: authorization } })).status,
      fmetoken(value),
    );
    expect(status).toBe(200);
    await tab.close();
    // A lease used from here counts for its parent too.
    await mintLease();

    const popup = await context.newPage();
    await popup.goto(`${extensionUrl}/popup.html`);
    await connectAndSignIn(popup, server.baseUrl);
    const row = popup.getByRole('listitem', { name: 'used from here', exact: true });
    await row.getByRole('button', { name: 'Details' }).click();
    const details = popup.getByLabel('Details of used from here');
    await expect.poll(() => details.textContent()).toContain('Last used from127.0.0.1 by Chrome');
    await expect.poll(() => details.textContent()).toContain('1 live lease');
    expect(await auditBothSchemes(popup, 'popup details')).toEqual([]);
    await shoot(popup, 'popup-details');

    await details.getByRole('button', { name: 'End all leases' }).click();
    expect(await auditBothSchemes(popup, 'popup details, ending leases')).toEqual([]);
    await shoot(popup, 'popup-details-confirm');
    // Nothing ends before the confirmation.
    expect(await liveLeases()).toBe(1);
    await details.getByRole('button', { name: 'Yes, end it' }).click();
    await expect.poll(() => details.textContent()).toContain('none live');
    expect(await liveLeases()).toBe(0);
    await popup.close();
  });

  it('shows the same on the options page', async () => {
    await mintLease();
    await mintLease();
    const page = await context.newPage();
    await page.setViewportSize({ width: 1000, height: 700 });
    await page.goto(`${extensionUrl}/options.html`);
    const row = page.getByRole('row', { name: 'used from here (admin)', exact: true });
    await row.getByRole('button', { name: 'used from here', exact: true }).click();
    const details = page.getByLabel('Details of used from here');
    await expect.poll(() => details.textContent()).toContain('Last used from127.0.0.1 by Chrome');
    await expect.poll(() => details.textContent()).toContain('2 live leases');
    expect(await auditBothSchemes(page, 'options details')).toEqual([]);
    await shoot(page, 'options-details');
    await page.close();
  });
});
