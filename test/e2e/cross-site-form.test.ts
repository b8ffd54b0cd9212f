// The attack a header tool opens (security review): a page on another site submits a form to an API that a rule
// covers, and Chromium injects the rule's token into that navigation. The recording API shows the browser does
// inject; tokenward's own API refuses such a request, so the forged form creates nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackServer, startLoopbackServer } from '../../extension/testing/loopback-server';
import { launchWithExtension } from '../fixtures/chromium';
import { type RealClockServer, startRealClockServer } from '../fixtures/extension-servers';
import { connectAndSignIn } from '../fixtures/popup-sign-in';
import { adminBasic, jsonInit } from '../fixtures/test-app';

declare const chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };

const EXTENSION_DIR = fileURLToPath(new URL('../../.output/chrome-mv3', import.meta.url));

let server: RealClockServer;
let recorder: LoopbackServer;
let attacker: LoopbackServer;
const recorded: (string | undefined)[] = [];
let profileDir: string;
let context: BrowserContext;
let popup: Page;
let header = '';

/** An HTML page that posts a form to `action` as soon as it loads. */
function attackPage(request: IncomingMessage, response: ServerResponse) {
  const action = decodeURIComponent(/[?&]action=([^&]+)/.exec(request.url ?? '')?.[1] ?? '');
  response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  response.end(
    `<!doctype html><title>another site</title><form method="post" action="${action}">` +
      '<input name="name" value="Forged"></form><script>document.forms[0].submit()</script>',
  );
}

beforeAll(async () => {
  recorder = await startLoopbackServer((request, response) => {
    recorded.push(request.headers.authorization);
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end('recorded');
  });
  attacker = await startLoopbackServer(attackPage);
  server = await startRealClockServer();
  profileDir = await mkdtemp(join(tmpdir(), 'tokenward-csrf-'));
  context = await launchWithExtension(profileDir, EXTENSION_DIR, { viewport: { width: 420, height: 720 } });
  context.setDefaultTimeout(10_000);
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionUrl = `chrome-extension://${new URL(worker.url()).host}`;

  const created = await fetch(
    `${server.baseUrl}/fmerest/v3/tokens`,
    jsonInit('POST', adminBasic, { name: 'csrf', expirationTimeout: 3600 }),
  );
  const { token } = (await created.json()) as { token: string };
  header = `fmetoken token=${token}`;

  popup = await context.newPage();
  await popup.goto(`${extensionUrl}/popup.html`);
  await connectAndSignIn(popup, server.baseUrl);
  const ref = { server: server.baseUrl, user: 'admin', name: 'csrf' };
  expect(await send('bindTokenValue', { ...ref, value: token })).toEqual({ ok: true, value: null });
  // One rule for tokenward's own API and the recording API, on 127.0.0.1; the attacker's page is on localhost.
  const patterns = [new URL(server.baseUrl).host, new URL(recorder.url).host];
  const saved = (await send('saveRule', { rule: { token: ref, patterns, enabled: true } })) as {
    ok: boolean;
    value: { id: number };
  };
  expect(saved.ok).toBe(true);
  // The rule turns on once the background has checked the token with the server.
  for (let i = 0; i < 100; i++) {
    const view = (await send('getInjection', {})) as { value: { status: Record<string, { state: string }> } };
    if (view.value.status[String(saved.value.id)]?.state === 'active') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the rule did not turn on');
});

afterAll(async () => {
  await context?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await server?.stop();
  await recorder?.close();
  await attacker?.close();
});

async function send(type: string, data: unknown): Promise<unknown> {
  return popup.evaluate(([t, d]) => chrome.runtime.sendMessage({ type: t, data: d }), [type, data] as const);
}

/** Opens the attacker's page on localhost (another site than 127.0.0.1), which submits its form at once. */
async function submitFrom(action: string): Promise<Page> {
  const page = await context.newPage();
  const port = new URL(attacker.url).port;
  const landed = page.waitForURL(action);
  await page.goto(`http://localhost:${port}/attack?action=${encodeURIComponent(action)}`);
  await landed;
  return page;
}

describe('a form on another site, aimed at an API a rule covers', () => {
  it('carries the injected token: the browser does inject into such navigations', async () => {
    const page = await submitFrom(`${recorder.url}/transfer`);
    await expect.poll(() => recorded.length).toBeGreaterThan(0);
    expect(recorded.at(-1)).toBe(header);
    await page.close();
  });

  it('is refused by tokenward, and creates nothing', async () => {
    const page = await submitFrom(`${server.baseUrl}/fmerest/v3/repositories`);
    await expect.poll(async () => (await page.textContent('body')) ?? '').toContain('CROSS_SITE_REQUEST');
    const check = await fetch(`${server.baseUrl}/fmerest/v3/repositories/Forged`, {
      headers: { Authorization: adminBasic },
    });
    expect(check.status).toBe(404);
    await page.close();
  });
});
