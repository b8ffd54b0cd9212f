// The session this browser is signed in with, in Debian's Chromium: marked by an icon, disabled or removed after a
// question that says it signs you out, and then the popup and the open options page both show the sign-in form.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtensionProfile, type ExtensionProfile } from '../fixtures/extension-browser';
import { connectAndSignIn } from '../fixtures/popup-sign-in';
import { ADMIN_PASSWORD, adminBasic } from '../fixtures/test-app';
import { startTestServer, type TestServer } from '../fixtures/test-server';

let server: TestServer;
let profile: ExtensionProfile;
let context: BrowserContext;
let extensionUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  profile = await createExtensionProfile('current', { viewport: { width: 400, height: 600 } });
  ({ context, extensionUrl } = await profile.launch());
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
});

async function sessionOnServer(name: string): Promise<{ enabled: boolean } | number> {
  const res = await fetch(`${server.baseUrl}/fmerest/v3/tokens/admin/${encodeURIComponent(name)}`, {
    headers: { Authorization: adminBasic },
  });
  return res.status === 200 ? ((await res.json()) as { enabled: boolean }) : res.status;
}

async function signInAgain(page: Page): Promise<void> {
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The popup's row of this browser's session, and its name. */
async function currentRow(popup: Page): Promise<{ row: Locator; name: string }> {
  await popup.getByRole('tab', { name: 'Session tokens' }).click();
  const row = popup.locator('.token-row', { hasText: '(your current session)' });
  await expect.poll(() => row.count()).toBe(1);
  const name = (await row.locator('.token-name').textContent()) ?? '';
  return { row, name };
}

async function openOptions(): Promise<Page> {
  const options = await context.newPage();
  await options.setViewportSize({ width: 1100, height: 700 });
  await options.goto(`${extensionUrl}/options.html`);
  await options.getByRole('tab', { name: 'Session tokens' }).click();
  await options.getByRole('table').waitFor();
  return options;
}

const reasonOf = (page: Page) => page.locator('.connect .notice-error').textContent();

describe("the browser's own session", () => {
  it('is removed after a question that says it signs you out; popup and options page sign out at once', async () => {
    const popup = await context.newPage();
    await popup.goto(`${extensionUrl}/popup.html`);
    await connectAndSignIn(popup, server.baseUrl);
    const options = await openOptions();
    await popup.bringToFront();
    const { row, name } = await currentRow(popup);
    // A small user icon beside the name.
    expect(await row.locator('.current-marker svg').count()).toBe(1);

    await row.getByRole('button', { name: 'Remove' }).click();
    expect(await row.locator('.confirm-text').textContent()).toBe(
      'Remove your current session? This signs you out; you will sign in again.',
    );
    await row.getByRole('button', { name: 'Yes, remove' }).click();
    const reason = `You removed your current session (“${name}”), so you are signed out of ${server.baseUrl}. Sign in again to go on.`;
    await expect.poll(() => reasonOf(popup)).toBe(reason);
    await expect.poll(() => reasonOf(options)).toBe(reason);
    expect(await options.getByLabel('Password').isVisible()).toBe(true);
    expect(await sessionOnServer(name)).toBe(404);
    await options.close();
    await popup.close();
  });

  it('is disabled from the options page the same way, and enabled again like any other session', async () => {
    const popup = await context.newPage();
    await popup.goto(`${extensionUrl}/popup.html`);
    await signInAgain(popup);
    const { name } = await currentRow(popup);
    const options = await openOptions();
    const row = options.getByRole('row', { name: `${name} (admin)` });
    await row.getByRole('button', { name: 'Disable' }).click();
    await expect
      .poll(() => options.locator('.token-table .confirm-text').textContent())
      .toBe('Disable your current session? This signs you out; you will sign in again.');
    await options.getByRole('button', { name: 'Yes, disable' }).click();
    const reason = `You disabled your current session (“${name}”), so you are signed out of ${server.baseUrl}. Sign in again to go on.`;
    await expect.poll(() => reasonOf(options)).toBe(reason);
    await expect.poll(() => reasonOf(popup)).toBe(reason);
    expect(await sessionOnServer(name)).toMatchObject({ enabled: false });

    // Signed in again, the disabled session is just another session: one click enables it.
    await signInAgain(options);
    await options.getByRole('table').waitFor();
    const old = options.getByRole('row', { name: `${name} (admin)` });
    await old.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => sessionOnServer(name)).toMatchObject({ enabled: true });
    expect(await options.getByRole('table').isVisible()).toBe(true);
    await options.close();
    await popup.close();
  });
});
