// The built extension in Chromium against a real server: edit a token's permissions through the dependency
// offer, renew an expired token, details, bulk disable in the options table, 1,000 tokens in the table, and
// a restricted sign-in, a mistyped token, and the server switcher when signed out.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtensionProfile, type ExtensionProfile } from '../fixtures/extension-browser';
import { connectAndSignIn } from '../fixtures/popup-sign-in';
import { ADMIN_PASSWORD, adminBasic, basic, fmetoken, jsonInit } from '../fixtures/test-app';
import { startTestServer, type TestServer } from '../fixtures/test-server';

let server: TestServer;
let profile: ExtensionProfile;
let context: BrowserContext;
let extensionUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  profile = await createExtensionProfile('token-editing', { viewport: { width: 400, height: 600 } });
  ({ context, extensionUrl } = await profile.launch());
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
});

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.baseUrl}/fmerest/v3${path}`, init);
}

async function createToken(body: Record<string, unknown>, authorization = adminBasic): Promise<string> {
  const res = await api('/tokens', jsonInit('POST', authorization, body));
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

async function restToken(user: string, name: string) {
  const res = await api(`/tokens/${encodeURIComponent(user)}/${encodeURIComponent(name)}`, {
    headers: { Authorization: adminBasic },
  });
  return (await res.json()) as {
    enabled: boolean;
    expired: boolean;
    restricted: boolean;
    permissions?: string[];
    expirationDate: string;
  };
}

function row(page: Page, name: string): Locator {
  return page.getByRole('listitem', { name, exact: true });
}

/** Counts the user's clicks on the page, so the report can say how many a task took. */
async function countClicks(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    const w = window as unknown as { clicks: number };
    w.clicks = 0;
    document.addEventListener('click', () => w.clicks++, true);
  });
  return () => page.evaluate(() => (window as unknown as { clicks: number }).clicks);
}

async function openPopup(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${extensionUrl}/popup.html`);
  return page;
}

describe('editing and renewing tokens', () => {
  it('connects and signs in', async () => {
    const page = await openPopup();
    await connectAndSignIn(page, server.baseUrl);
    await page.close();
  });

  it("edits a token's permissions through the dependency offer, reviewed before anything is sent", async () => {
    await createToken({ name: 'edit me', restricted: true, permissions: ['repositories:access'] });
    const page = await openPopup();
    const target = row(page, 'edit me');
    await target.waitFor();
    const clicks = await countClicks(page);
    const started = performance.now();
    await target.getByRole('button', { name: 'Edit' }).click();
    // Finding: the form's first field the user can change has the focus.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('token-description');
    await page.getByLabel('Repository 1 name').fill('Samples');
    await page.getByLabel('Repository 1 Run').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    const offer = page.locator('.offer');
    await expect
      .poll(() => offer.locator('li').allTextContents())
      .toEqual([
        'Repository Samples: Read repository/Samples:read',
        'Run Workspace: Access runworkspace:access',
      ]);
    await page.getByRole('button', { name: 'Grant additional permissions' }).click();
    await page.getByText('Review the permissions, then save.').waitFor();
    expect((await restToken('admin', 'edit me')).permissions).toEqual(['repositories:access']);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await target.waitFor();
    await expect
      .poll(async () => (await restToken('admin', 'edit me')).permissions)
      .toEqual([
        'repositories:access',
        'repository/Samples:read',
        'repository/Samples:run',
        'runworkspace:access',
      ]);
    const elapsed = performance.now() - started;
    console.log(
      `edit permissions (with the dependency offer): ${await clicks()} clicks + 1 typed name, ${elapsed.toFixed(0)} ms`,
    );

    // The details list the permissions by label, with the absolute expiry beside the relative one.
    await target.getByRole('button', { name: 'Details' }).click();
    const details = page.getByLabel('Details of edit me');
    await expect.poll(() => details.textContent()).toContain('Repository Samples: Run');
    // (The test server's clock runs behind the browser's, so only the shape of the relative part is fixed.)
    expect(await details.textContent()).toMatch(/Expires\w{3} \d+, 2026, .*\(expires in \d+ days\)/);
    await page.close();
  });

  it('renews an expired API token by giving it a new expiration', async () => {
    await createToken({ name: 'lapsed', expirationTimeout: 60 });
    server.app.clock.advance(120);
    const page = await openPopup();
    await page.getByRole('button', { name: 'New token' }).waitFor();
    const clicks = await countClicks(page);
    const started = performance.now();
    await page.getByRole('tab', { name: 'Expired' }).click();
    const target = row(page, 'lapsed');
    await target.getByRole('button', { name: 'Renew…' }).click();
    await page.getByRole('button', { name: 'Renew and enable' }).click();
    await expect.poll(async () => (await restToken('admin', 'lapsed')).expired).toBe(false);
    const elapsed = performance.now() - started;
    console.log(`renew an expired token: ${await clicks()} clicks, ${elapsed.toFixed(0)} ms`);
    expect(await restToken('admin', 'lapsed')).toMatchObject({ enabled: true, expired: false });
    // Back on the list (still "Expired"), the renewed token has left it.
    await expect.poll(() => target.count()).toBe(0);
    await page.getByRole('tab', { name: 'Active' }).click();
    await row(page, 'lapsed').waitFor();
    await page.close();
  });
});

describe('the options table', () => {
  it('disables several selected tokens at once', async () => {
    for (const name of ['bulk a', 'bulk b', 'bulk c']) await createToken({ name });
    const page = await context.newPage();
    await page.setViewportSize({ width: 1200, height: 800 });
    await page.goto(`${extensionUrl}/options.html`);
    await page.getByRole('row', { name: 'bulk a (admin)' }).waitFor();
    await page.getByLabel('Search tokens').fill('bulk');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(3);
    await page.getByLabel('Select all shown tokens').check();
    await page.getByRole('button', { name: 'Disable selected' }).click();
    await expect
      .poll(() => page.locator('.notice').textContent())
      .toBe('Disabled 3 tokens: bulk a, bulk b, bulk c.');
    for (const name of ['bulk a', 'bulk b', 'bulk c'])
      expect((await restToken('admin', name)).enabled).toBe(false);
    await expect.poll(() => page.locator('tbody .chip-disabled').count()).toBe(3);
    // Sorting by a heading reverses on the second click.
    await page.getByRole('button', { name: /^Name/ }).click();
    await page.getByRole('button', { name: /^Name/ }).click();
    expect(await page.locator('tbody tr td.name').first().textContent()).toBe('bulk c');
    await page.close();
  });

  it('shows 1,000 tokens', async () => {
    await server.app.addUser('many', 'many password', ['fmeuser']);
    const login = await api('/login', jsonInit('POST', basic('many', 'many password')));
    const { token } = (await login.json()) as { token: string };
    for (let i = 0; i < 1000; i++) {
      const res = await api('/tokens', jsonInit('POST', fmetoken(token), { name: `token ${i}` }));
      expect(res.status).toBe(201);
    }
    const page = await context.newPage();
    await page.setViewportSize({ width: 1200, height: 800 });
    await page.goto(`${extensionUrl}/options.html`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User name').fill('many');
    await page.getByLabel('Password').fill('many password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('row', { name: 'token 999 (many)' }).waitFor();
    const started = performance.now();
    await page.reload();
    await page.getByRole('row', { name: 'token 0 (many)' }).waitFor();
    const shown = performance.now() - started;
    // The 1,000 active API tokens (the sessions are under Session tokens, as in the popup).
    expect(await page.locator('tbody tr').count()).toBe(1000);
    // Measured inside the page: from the click on the heading to the first frame that shows the new order.
    const sorted = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const heading = [...document.querySelectorAll<HTMLButtonElement>('button.sort')].find((b) =>
            b.textContent?.startsWith('Name'),
          );
          const started = performance.now();
          heading?.click();
          const check = () => {
            if (document.querySelector('tbody td.name')?.textContent === 'token 0') {
              requestAnimationFrame(() => resolve(performance.now() - started));
            } else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
    );
    console.log(
      `options table: 1,000 tokens shown ${shown.toFixed(0)} ms after reload; re-sorted by name in ${sorted.toFixed(0)} ms`,
    );
    expect(shown).toBeLessThan(10_000);
    // Back to the administrator for the next test.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'New token' }).waitFor();
    await page.close();
  });
});

describe('layout', () => {
  it('keeps checkboxes square, and Export and Import the same size', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1100, height: 800 });
    await page.goto(`${extensionUrl}/options.html`);
    await page.getByRole('tab', { name: 'Injection' }).click();
    const box = await page.getByLabel(/Keep token values on this device/).boundingBox();
    // Before: the text-field padding squashed boxes to a 7 px oval.
    expect(box?.width).toBeGreaterThanOrEqual(13);
    expect(box?.height).toBe(box?.width);
    const exported = await page.getByRole('button', { name: 'Export rules' }).boundingBox();
    const imported = await page.getByText('Import rules…').boundingBox();
    expect(imported?.height).toBe(exported?.height);
    await page.close();
  });
});

describe('signed in narrowly, mistyped, signed out', () => {
  it('names a mistyped token, and shows changes unavailable to a restricted token sign-in', async () => {
    const narrow = await createToken({
      name: 'narrow',
      restricted: true,
      permissions: ['repositories:access'],
    });
    const page = await openPopup();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Use an API token instead' }).click();
    const mistyped = `${narrow.slice(0, 39)}${narrow[39] === '0' ? '1' : '0'}`;
    await page.getByLabel('API token').fill(mistyped);
    await page.getByRole('button', { name: 'Use token' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('That is not a valid tokenward token: its checksum does not match. Was it mistyped?');

    await page.getByLabel('API token').fill(narrow);
    await page.getByRole('button', { name: 'Use token' }).click();
    const newToken = page.getByRole('button', { name: 'New token' });
    await newToken.waitFor();
    expect(await newToken.isDisabled()).toBe(true);
    expect(await newToken.getAttribute('title')).toMatch(/restricted API token/);
    const other = row(page, 'edit me');
    for (const name of ['Edit', 'Disable', 'Duplicate', 'Remove']) {
      const button = other.getByRole('button', { name, exact: true });
      expect(await button.isDisabled()).toBe(true);
      expect(await button.getAttribute('title')).toMatch(/^Unavailable: /);
    }
    await page.close();
  });

  it('keeps the server switcher on a signed-out server, and Esc leaves the server form', async () => {
    const other = await startTestServer();
    try {
      const page = await openPopup();
      await page.getByRole('button', { name: 'New token' }).waitFor();
      await page.getByLabel('Server', { exact: true }).selectOption({ label: 'Add a server…' });
      await page.getByLabel('Server URL').press('Escape');
      await page.getByRole('button', { name: 'New token' }).waitFor();
      await page.getByLabel('Server', { exact: true }).selectOption({ label: 'Add a server…' });
      await page.getByLabel('Server URL').fill(other.baseUrl);
      await page.getByRole('button', { name: 'Save & check' }).click();
      await page.getByLabel('User name').waitFor();
      // Signed out of the new server, the switcher is still there to go back.
      const switcher = page.getByLabel('Server', { exact: true });
      await switcher.selectOption(server.baseUrl);
      await page.getByRole('button', { name: 'New token' }).waitFor();
      // And a saved server can be forgotten: back on the signed-out one, "Forget" it.
      await switcher.selectOption(other.baseUrl);
      await page.getByLabel('User name').waitFor();
      await switcher.selectOption({ label: `Forget ${other.baseUrl.replace('http://', '')}` });
      await page.getByRole('button', { name: 'New token' }).waitFor();
      expect(await switcher.locator('option').allTextContents()).not.toContain(
        other.baseUrl.replace('http://', ''),
      );
      await page.close();
    } finally {
      await other.stop();
    }
  });
});
