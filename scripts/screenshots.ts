// Takes the README's screenshots of the built extension (npm run build first) in Chromium, light and dark:
// npx tsx scripts/screenshots.ts [out-dir]   (default docs/screenshots/)
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchWithExtension } from '../test/fixtures/chromium';
import { startRealClockServer } from '../test/fixtures/extension-servers';
import { ADMIN_PASSWORD, adminBasic, jsonInit } from '../test/fixtures/test-app';

const out = resolve(process.argv[2] ?? 'docs/screenshots');
const extensionDir = resolve('.output/chrome-mv3');

async function main(): Promise<void> {
  await mkdir(out, { recursive: true });
  const server = await startRealClockServer();
  const api = (path: string, body: unknown) =>
    fetch(`${server.baseUrl}/fmerest/v3${path}`, jsonInit('POST', adminBasic, body));
  await api('/tokens', {
    name: 'CI deploy',
    description: 'deploys from CI',
    expirationTimeout: 7 * 86_400,
    restricted: true,
    permissions: [
      'repositories:access',
      'repository/Samples:read',
      'repository/Samples:run',
      'runworkspace:access',
    ],
  });
  await api('/tokens', { name: 'Local testing', expirationTimeout: 30 * 86_400 });
  await api('/tokens', { name: 'Nightly report', expirationTimeout: 90 * 86_400, enabled: false });
  await api('/tokens', { name: 'Old script', expirationTimeout: 1 });
  for (const name of ['alice', 'bob']) {
    await api('/security/accounts', { name, password: `${name} password 123`, roles: ['fmeuser'] });
  }
  const profile = await mkdtemp(join(tmpdir(), 'tokenward-shots-'));
  const context = await launchWithExtension(profile, extensionDir, {
    viewport: { width: 400, height: 600 },
    deviceScaleFactor: 2,
  });
  try {
    let [worker] = context.serviceWorkers();
    worker ??= await context.waitForEvent('serviceworker');
    const base = `chrome-extension://${new URL(worker.url()).host}`;
    const page = await context.newPage();
    await page.goto(`${base}/popup.html`);
    await page.getByLabel('Server URL').fill(server.baseUrl);
    await page.getByRole('button', { name: 'Save & check' }).click();
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'New token' }).waitFor();
    await page.getByRole('listitem', { name: 'CI deploy' }).waitFor();

    const both = async (name: string, shoot: (p: Page) => Promise<void>) => {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await shoot(page);
        await page.screenshot({ path: join(out, `${name}-${scheme}.png`) });
      }
    };
    await both('popup-tokens', async () => {});
    await page.getByRole('listitem', { name: 'CI deploy' }).getByRole('button', { name: 'Details' }).click();
    await both('popup-details', async () => {});
    await page.getByRole('listitem', { name: 'CI deploy' }).getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Jobs Manage').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('button', { name: 'Grant additional permissions' }).scrollIntoViewIfNeeded();
    await both('popup-edit', async () => {});
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: 'Expired' }).click();
    await page.getByRole('button', { name: 'Renew…' }).click();
    await both('popup-renew', async () => {});
    await page.getByRole('button', { name: 'Cancel' }).click();

    const options = await context.newPage();
    await options.setViewportSize({ width: 1200, height: 700 });
    await options.goto(`${base}/options.html`);
    await options
      .getByRole('table')
      .waitFor()
      .catch(async (error) => {
        await options.screenshot({ path: join(out, 'options-failed.png') });
        throw error;
      });
    for (const scheme of ['light', 'dark'] as const) {
      await options.emulateMedia({ colorScheme: scheme });
      await options.screenshot({ path: join(out, `options-table-${scheme}.png`), fullPage: true });
    }
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
    await server.stop();
  }
}

await main();
