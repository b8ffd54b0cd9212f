// The built extension in Chromium against a real tokenward server: the popup saves a URL and checks it.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPortUrl } from '../../extension/testing/loopback-server';
import { createExtensionProfile, type ExtensionProfile } from '../fixtures/extension-browser';
import { startTestServer, type TestServer } from '../fixtures/test-server';

const CONNECTED = 'Connected to tokenward 0.1.0 (build 21807)';

let server: TestServer;
let profile: ExtensionProfile;
let context: BrowserContext;
let popupUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  profile = await createExtensionProfile('popup', {
    viewport: { width: 360, height: 200 },
    deviceScaleFactor: 2,
  });
  const launched = await profile.launch();
  context = launched.context;
  popupUrl = `${launched.extensionUrl}/popup.html`;
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
});

async function statusText(page: Page): Promise<string> {
  return (await page.getByRole('status').textContent()) ?? '';
}

/** Waits for the status line to read `text`; on timeout the assertion shows what it said instead. */
async function expectStatus(page: Page, text: string): Promise<void> {
  await page
    .waitForFunction((expected) => document.querySelector('[role=status]')?.textContent === expected, text, {
      timeout: 10_000,
    })
    .catch(() => undefined);
  expect(await statusText(page)).toBe(text);
}

async function saveServerUrl(page: Page, url: string): Promise<void> {
  await page.getByLabel('Server URL').fill(url);
  await page.getByRole('button', { name: 'Save & check' }).click();
}

describe('popup', () => {
  it('connects to a reachable server, remembers it, and reports an unreachable one', async () => {
    const page = await context.newPage();
    await page.goto(popupUrl);
    // The form appears once storage has loaded; nothing was saved yet, so it shows the default.
    expect(await page.getByLabel('Server URL').inputValue()).toBe('http://127.0.0.1:8787');

    await saveServerUrl(page, server.baseUrl);
    await expectStatus(page, CONNECTED);

    // A new popup reads the saved URL back and checks it without a click.
    await page.reload();
    expect(await page.getByLabel('Server URL').inputValue()).toBe(server.baseUrl);
    await expectStatus(page, CONNECTED);

    const closed = await closedPortUrl();
    await saveServerUrl(page, closed);
    await expectStatus(page, `The server at ${closed} is unreachable.`);
    // Finding: an unreachable URL is not saved for good; the next popup still opens the working server.
    await page.reload();
    expect(await page.getByLabel('Server URL').inputValue()).toBe(server.baseUrl);
    await expectStatus(page, CONNECTED);

    await saveServerUrl(page, 'ftp://example.com');
    await expectStatus(page, 'The server URL must start with http:// or https://, not ftp:.');
    await page.close();
  });
});
