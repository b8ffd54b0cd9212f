// The built extension in Chromium, driven from the keyboard: wherever a button takes itself away (a removed
// token or rule, a granted offer, a cancelled "Add a server"), the focus lands on the next thing to do, never on
// <body>, where a keyboard user would have to start again from the top of the page.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtensionProfile, type ExtensionProfile } from '../fixtures/extension-browser';
import { connectAndSignIn } from '../fixtures/popup-sign-in';
import { adminBasic } from '../fixtures/test-app';
import { createTokenOverHttp, startTestServer, type TestServer } from '../fixtures/test-server';

let server: TestServer;
let profile: ExtensionProfile;
let context: BrowserContext;
let popup: Page;
let extensionUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  profile = await createExtensionProfile('keyboard-focus', { viewport: { width: 400, height: 600 } });
  const launched = await profile.launch();
  context = launched.context;
  extensionUrl = launched.extensionUrl;
  for (const name of ['focus one', 'focus two', 'focus three']) {
    await createTokenOverHttp(server.baseUrl, adminBasic, { name, expirationTimeout: 3600 });
  }
  popup = await context.newPage();
  await popup.goto(`${extensionUrl}/popup.html`);
  await connectAndSignIn(popup, server.baseUrl);
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
});

/** What has the focus: its accessible name as a user would hear it, and the row (list item or table row) it is in. */
function focused(page = popup): Promise<{ tag: string; text: string; row: string | null }> {
  return page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    const row = active?.closest('li') ?? active?.closest('tbody')?.querySelector('tr');
    return {
      tag: active?.tagName.toLowerCase() ?? 'none',
      text: (active?.getAttribute('aria-label') ?? active?.textContent ?? '').trim(),
      row: row?.getAttribute('aria-label') ?? null,
    };
  });
}

/** Focuses a button and presses Enter on it, as a keyboard user does. */
async function press(button: ReturnType<Page['getByRole']>, page = popup): Promise<void> {
  await button.focus();
  await page.keyboard.press('Enter');
}

/** Answers a row's question "Yes, remove", once it has opened on Cancel (as a person sees it do, a frame later). */
async function confirmRemove(page = popup): Promise<void> {
  await expect.poll(async () => (await focused(page)).text).toBe('Cancel');
  await press(page.getByRole('button', { name: 'Yes, remove' }), page);
}

describe('the keyboard focus in the popup', () => {
  it('moves to the next token when one is removed, and to New token when none is left', async () => {
    const row = (name: string) => popup.getByRole('listitem', { name, exact: true });
    await row('focus two').waitFor();
    await press(row('focus two').getByRole('button', { name: 'Remove' }));
    await confirmRemove();
    await row('focus two').waitFor({ state: 'detached' });
    // Newest first: "focus one" took the removed row's place.
    await expect.poll(async () => (await focused()).row).toBe('focus one');

    for (const name of ['focus one', 'focus three']) {
      await press(row(name).getByRole('button', { name: 'Remove' }));
      await confirmRemove();
      await row(name).waitFor({ state: 'detached' });
    }
    await popup.getByText('No active API tokens.').waitFor();
    expect(await focused()).toMatchObject({ tag: 'button', text: 'New token' });
  });

  it('moves to what was granted, then on to Create token, when the offer goes away', async () => {
    await press(popup.getByRole('button', { name: 'New token' }));
    await popup.getByLabel('Name', { exact: true }).fill('focus granted');
    await popup.getByLabel('Choose permissions').check();
    await popup.getByLabel('Repository 1 name').fill('Samples');
    await popup.getByLabel('Repository 1 Run').check();
    await press(popup.getByRole('button', { name: 'Create token' }));
    await press(popup.getByRole('button', { name: 'Grant additional permissions' }));
    await expect.poll(async () => (await focused()).text).toMatch(/^Added .*Review the permissions/);
    await popup.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'button', text: 'Create token' });
    await popup.keyboard.press('Enter');
    await popup.getByRole('button', { name: 'Done' }).click();
  });

  it('moves to the next rule when one is removed, and to New rule when none is left', async () => {
    await popup.getByRole('tab', { name: 'Injection' }).click();
    const patterns = ['http://127.0.0.1:1/first', 'http://127.0.0.1:1/second'];
    for (const pattern of patterns) {
      await popup.getByRole('button', { name: 'New rule' }).click();
      await popup.getByLabel('URL patterns').fill(pattern);
      await popup.getByRole('button', { name: 'Save rule' }).click();
      await popup.getByRole('listitem', { name: pattern, exact: true }).waitFor();
    }
    const rule = (pattern: string) => popup.getByRole('listitem', { name: pattern, exact: true });
    const [first, second] = patterns as [string, string];
    const before = await popup.getByRole('listitem').evaluateAll((rows) => rows.map((row) => row.ariaLabel));
    const [top, bottom] = before.indexOf(first) < before.indexOf(second) ? [first, second] : [second, first];
    await press(rule(top).getByRole('button', { name: 'Remove' }));
    await rule(top).waitFor({ state: 'detached' });
    await expect.poll(async () => (await focused()).row).toBe(bottom);
    await press(rule(bottom).getByRole('button', { name: 'Remove' }));
    await popup.getByText('No injection rules yet.').waitFor();
    expect(await focused()).toMatchObject({ tag: 'button', text: 'New rule' });
  });

  it('opens "Add a server" on its URL field, and Esc goes back to the server list', async () => {
    const switcher = popup.getByLabel('Server', { exact: true });
    await switcher.focus();
    await switcher.selectOption({ label: 'Add a server…' });
    await expect.poll(async () => (await focused()).tag).toBe('input');
    expect((await focused()).text).toBe('');
    expect(await popup.evaluate(() => document.activeElement?.id)).toBe('server-url');
    await popup.keyboard.press('Escape');
    await expect.poll(async () => (await focused()).tag).toBe('select');
    expect((await focused()).text).toBe('Server');
  });
});

describe('the keyboard focus on the options page', () => {
  it('moves to the next token in the table when one is removed, and to the search when none is left', async () => {
    for (const name of ['table one', 'table two']) {
      await createTokenOverHttp(server.baseUrl, adminBasic, { name, expirationTimeout: 3600 });
    }
    const options = await context.newPage();
    await options.goto(`${extensionUrl}/options.html`);
    const row = (name: string) => options.getByRole('row', { name: `${name} (admin)`, exact: true });
    const removeRow = async (name: string) => {
      await press(row(name).getByRole('button', { name: 'Remove' }), options);
      await confirmRemove(options);
      await row(name).waitFor({ state: 'detached' });
    };
    await row('focus granted').waitFor();
    const shown = await options
      .locator('tbody > tr:first-child')
      .evaluateAll((rows) =>
        rows.map((tr) => tr.getAttribute('aria-label')?.replace(/ \(admin\)$/, '') ?? ''),
      );
    expect([...shown].sort()).toEqual(['focus granted', 'table one', 'table two']);
    const [top, middle, bottom] = shown as [string, string, string];
    // The middle row goes: the one below takes its place, and the focus.
    await removeRow(middle);
    await expect.poll(async () => (await focused(options)).row).toBe(`${bottom} (admin)`);
    // The last row goes: the one above.
    await removeRow(bottom);
    await expect.poll(async () => (await focused(options)).row).toBe(`${top} (admin)`);
    await removeRow(top);
    await options.getByText('No active API tokens.').waitFor();
    expect(await focused(options)).toMatchObject({ tag: 'input', text: 'Search tokens' });
  });
});
