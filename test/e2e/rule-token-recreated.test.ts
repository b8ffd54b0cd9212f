// A rule binds the token the user chose. Removed in the popup and then re-created under the same name
// (another token, with other permissions), the rule must not start injecting leases of the newcomer; saving
// the rule again chooses it.
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
import { adminBasic, jsonInit } from '../fixtures/test-app';
import { createTokenOverHttp } from '../fixtures/test-server';

declare const chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };

let server: RealClockServer;
let api: ApiUnderTest;
let profile: ExtensionProfile;
let context: BrowserContext;
let extensionUrl: string;
let popup: Page;
let page: Page;
let counter = 0;

beforeAll(async () => {
  api = await startApiUnderTest();
  server = await startRealClockServer({ corsOrigins: [api.origin] });
  profile = await createExtensionProfile('recreated', { viewport: { width: 400, height: 720 } });
  ({ context, extensionUrl } = await profile.launch());
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
  await api?.stop();
});

const send = (type: string, data: unknown) =>
  popup.evaluate(([t, d]) => chrome.runtime.sendMessage({ type: t, data: d }), [type, data] as const);

/** The permissions of the token the header the API received is a lease of (undefined: no header). */
async function seen(prefix: string): Promise<{ name?: string; restricted?: boolean } | undefined> {
  const path = `${prefix}?n=${++counter}`;
  await page.evaluate((p) => fetch(p).then((res) => res.text()), path);
  const header = (await api.waitFor(path)).authorization;
  const me = await whoIs(server.baseUrl, header);
  if (me === undefined) return header === undefined ? undefined : { name: 'refused' };
  const tokens = await fetch(`${server.baseUrl}/fmerest/v3/tokens/admin/${me.token?.name}`, {
    headers: { Authorization: adminBasic },
  });
  const token = (await tokens.json()) as { restricted: boolean };
  return { name: me.token?.name ?? '', restricted: token.restricted };
}

describe('a rule whose token is removed and re-created under the same name', () => {
  it('stays stopped (removed) instead of injecting the new token of that name', async () => {
    await createTokenOverHttp(server.baseUrl, adminBasic, {
      name: 'ci',
      expirationTimeout: 3600,
      restricted: true,
      permissions: ['repositories:access'],
    });
    popup = await context.newPage();
    await popup.goto(`${extensionUrl}/popup.html`);
    await connectAndSignIn(popup, server.baseUrl);
    expect(await send('setInjectionSettings', { refreshSeconds: 2 })).toMatchObject({ ok: true });
    const ref = { server: server.baseUrl, user: 'admin', name: 'ci' };
    const pattern = `http://127.0.0.1:${api.port}/api`;
    expect(
      await send('saveRule', { rule: { token: ref, patterns: [pattern], enabled: true } }),
    ).toMatchObject({
      ok: true,
    });
    page = await context.newPage();
    await page.goto(`${api.origin}/page`);
    await expect.poll(() => seen('/api/first')).toEqual({ name: 'ci', restricted: true });

    // The user removes "ci" in the popup; the rule stops and says the token was removed.
    await popup.bringToFront();
    const row = popup.locator('.token-row', { hasText: 'ci' }).first();
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByRole('button', { name: 'Yes, remove' }).click();
    await expect
      .poll(
        async () =>
          ((await send('getInjection', {})) as { value: { status: Record<string, { state: string }> } }).value
            .status['1']?.state,
      )
      .toBe('removed');
    expect(await seen('/api/after-remove')).toBeUndefined();

    // Later a new, unrestricted token is made under the same name (another script, another person, the CLI).
    const created = await fetch(
      `${server.baseUrl}/fmerest/v3/tokens`,
      jsonInit('POST', adminBasic, { name: 'ci', expirationTimeout: 3600 }),
    );
    expect(created.status).toBe(201);
    // The periodic check (every 2 s here) and opening the popup run; give them time.
    await new Promise((done) => setTimeout(done, 3_000));
    await send('refreshTokens', {});
    await new Promise((done) => setTimeout(done, 3_000));
    await send('refreshTokens', {});
    const status = (
      (await send('getInjection', {})) as {
        value: { status: Record<string, { state: string; message?: string }> };
      }
    ).value.status['1'];
    const header = await seen('/api/after-recreate');
    expect(header).toBeUndefined();
    expect(status).toMatchObject({
      state: 'removed',
      message: 'Stopped: the token was removed from the server.',
    });

    // Saving the rule again (Edit → Save rule) chooses the "ci" the server has now.
    await popup.getByRole('tab', { name: 'Injection' }).click();
    const rule = popup.getByRole('listitem', { name: pattern, exact: true });
    await rule.getByRole('button', { name: 'Edit' }).click();
    await popup.getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(() => seen('/api/after-resave')).toEqual({ name: 'ci', restricted: false });
  }, 60_000);
});
