// The token a rule binds is the one the user chose or pasted, in Debian's Chromium: two values pasted in turn, a
// token chosen in Edit, and a rules file imported; a recording API on loopback says which value arrived.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtensionProfile, type ExtensionProfile } from '../fixtures/extension-browser';
import {
  type ApiUnderTest,
  type RealClockServer,
  startApiUnderTest,
  startRealClockServer,
} from '../fixtures/extension-servers';
import { whoIs } from '../fixtures/lease-header';
import { connectAndSignIn } from '../fixtures/popup-sign-in';
import { adminBasic } from '../fixtures/test-app';
import { createTokenOverHttp } from '../fixtures/test-server';

let server: RealClockServer;
let api: ApiUnderTest;
let profile: ExtensionProfile;
let context: BrowserContext;
let extensionUrl: string;
let popup: Page;
let page: Page;
let counter = 0;
const values: Record<string, string> = {};

beforeAll(async () => {
  api = await startApiUnderTest();
  server = await startRealClockServer({ corsOrigins: [api.origin] });
  profile = await createExtensionProfile('rule-token', { viewport: { width: 400, height: 720 } });
  ({ context, extensionUrl } = await profile.launch());
  for (const name of ['first', 'second'])
    values[name] = await createTokenOverHttp(server.baseUrl, adminBasic, { name, expirationTimeout: 3600 });
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
  await api?.stop();
});

/** A page on the API's origin fetches `prefix`; the token whose lease the API received, by name. */
async function tokenSeen(prefix: string): Promise<string | undefined> {
  const path = `${prefix}?n=${++counter}`;
  await page.evaluate((p) => fetch(p).then((res) => res.text()), path);
  const header = (await api.waitFor(path)).authorization;
  // Rules send leases: the token a lease is of is the one the server takes it for. A value itself never goes out.
  if (Object.values(values).some((value) => header === `fmetoken token=${value}`)) return 'a token value';
  return (await whoIs(server.baseUrl, header))?.token?.name ?? header;
}

async function paste(name: string): Promise<void> {
  await popup.getByRole('button', { name: 'Paste the value of a token created elsewhere' }).click();
  await popup.getByLabel('Token name').fill(name);
  await popup.getByLabel('Token value').fill(values[name] ?? '');
  await popup.getByRole('button', { name: 'Check & keep' }).click();
  await expect.poll(() => popup.locator('.notice').textContent()).toContain(`The value of "${name}" is held`);
}

const tokenField = () => popup.locator('.rule-form select').first();
const chosen = () => tokenField().locator('option:checked').textContent();

describe('the token a rule binds', () => {
  it('is the second of two values pasted in turn, as the notice and the Token field say', async () => {
    popup = await context.newPage();
    await popup.goto(`${extensionUrl}/popup.html`);
    await connectAndSignIn(popup, server.baseUrl);
    await popup.getByRole('tab', { name: 'Injection' }).click();
    await popup.getByRole('button', { name: 'New rule' }).click();
    await paste('first');
    // The notice can show before the Token field has the new value among its choices: polled.
    await expect.poll(chosen).toContain('first');
    await paste('second');
    await popup.getByLabel('URL patterns').fill(`http://127.0.0.1:${api.port}/api`);
    await popup.getByRole('button', { name: 'Save rule' }).click();
    const rule = popup.getByRole('listitem', { name: `http://127.0.0.1:${api.port}/api`, exact: true });
    await expect.poll(() => rule.locator('.rule-status').textContent()).toBe('Injecting.');
    page = await context.newPage();
    await page.goto(`${api.origin}/page`);
    expect(await tokenSeen('/api/pasted')).toBe('second');
    expect(await rule.locator('.token-meta').textContent()).toContain('second (admin)');
  });

  it('is the one chosen in Edit', async () => {
    await popup.bringToFront();
    const rule = popup.getByRole('listitem', { name: `http://127.0.0.1:${api.port}/api`, exact: true });
    await rule.getByRole('button', { name: 'Edit' }).click();
    await expect.poll(chosen).toContain('second');
    await tokenField().selectOption({ label: `first (admin, ${server.baseUrl})` });
    await popup.getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(() => rule.locator('.token-meta').textContent()).toContain('first (admin)');
    await expect.poll(() => tokenSeen('/api/chosen')).toBe('first');
  });

  it('is the one a rules file names, once imported', async () => {
    const options = await context.newPage();
    await options.goto(`${extensionUrl}/options.html`);
    await options.getByRole('tab', { name: 'Injection' }).click();
    const file = {
      format: 'tokenward-rules',
      version: 1,
      rules: [
        {
          token: { server: server.baseUrl, user: 'admin', name: 'second' },
          patterns: [`http://127.0.0.1:${api.port}/imported`],
          enabled: true,
        },
      ],
    };
    // The user scrolled just far enough to reach Import rules…, at the bottom edge of the window.
    await options.getByText('Import rules…').evaluate((button) => button.scrollIntoView({ block: 'end' }));
    await options.locator('input[type=file]').setInputFiles({
      name: 'rules.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(file)),
    });
    await expect.poll(() => options.getByRole('status').last().textContent()).toContain('Imported 1 rule');
    // The report below the button is brought into view: it would otherwise be written off screen.
    const report = options.locator('.import-report');
    await expect
      .poll(
        () => report.evaluate((element) => element.getBoundingClientRect().bottom <= window.innerHeight + 1),
        { timeout: 5_000 },
      )
      .toBe(true);
    await options.close();
    await expect.poll(() => tokenSeen('/imported/x')).toBe('second');
    expect(await tokenSeen('/api/still')).toBe('first');
  });
});
