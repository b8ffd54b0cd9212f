// tokenward served over plain HTTP on a host name that is not loopback (a LAN or intranet deployment,
// `HOST=0.0.0.0`, e.g. http://tokenward.example.com:8787). Browsers send Fetch Metadata (Sec-Fetch-*) only to
// potentially trustworthy URLs (https, loopback), so the cross-site write guard sees no Sec-Fetch-Site there.
// Host names are mapped to 127.0.0.1 by Chromium's resolver; the extension is given access to *.example.com, as a
// user grants it for a rule on a non-loopback host.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../fixtures/chromium';
import { EXTENSION_DIR, signInWithToken } from '../fixtures/extension-browser';
import { type RealClockServer, startRealClockServer } from '../fixtures/extension-servers';
import { ADMIN_PASSWORD, adminBasic } from '../fixtures/test-app';

declare const chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };

let server: RealClockServer;
let evil: { port: number; close(): Promise<void> };
let context: BrowserContext;
let popup: Page;
let dirs: string[] = [];
let tw = '';
/** The token the user signed in with, which their rules bind. */
let ref: { server: string; user: string; name: string };
const seenHeaders: Record<string, string | undefined>[] = [];

async function listen(listener: RequestListener) {
  const http = createServer(listener);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

async function saveRule(rule: Record<string, unknown>): Promise<void> {
  const saved = (await popup.evaluate((data) => chrome.runtime.sendMessage({ type: 'saveRule', data }), {
    rule,
  })) as { ok: boolean; value: { id: number }; error?: unknown };
  expect(saved, JSON.stringify(saved)).toMatchObject({ ok: true });
  for (let i = 0; i < 100; i++) {
    const view = (await popup.evaluate(() =>
      chrome.runtime.sendMessage({ type: 'getInjection', data: {} }),
    )) as {
      value: { status: Record<string, { state: string }> };
    };
    if (view.value.status[String(saved.value.id)]?.state === 'active') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('rule did not turn on');
}

async function repositoryNames(): Promise<string[]> {
  const res = await fetch(`${server.baseUrl}/fmerest/v3/repositories`, {
    headers: { Authorization: adminBasic },
  });
  return ((await res.json()) as { items: { name: string }[] }).items.map((i) => i.name);
}

beforeAll(async () => {
  server = await startRealClockServer();
  const port = new URL(server.baseUrl).port;
  tw = `http://tokenward.example.com:${port}`;
  evil = await listen((req, res) => {
    seenHeaders.push({ url: req.url });
    const html = new URL(req.url ?? '/', 'http://x').searchParams.get('html') ?? '';
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(html);
  });
  // The built extension with access to *.example.com, as a user grants it at run time.
  const ext = await mkdtemp(join(tmpdir(), 'plain-http-ext-'));
  const profileDir = await mkdtemp(join(tmpdir(), 'plain-http-profile-'));
  dirs = [ext, profileDir];
  await cp(EXTENSION_DIR, ext, { recursive: true });
  const manifest = JSON.parse(await readFile(join(ext, 'manifest.json'), 'utf8'));
  manifest.host_permissions.push('http://*.example.com/*', 'http://*.other.org/*');
  await writeFile(join(ext, 'manifest.json'), JSON.stringify(manifest));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      `--disable-extensions-except=${ext}`,
      `--load-extension=${ext}`,
      '--host-resolver-rules=MAP *.example.com 127.0.0.1, MAP *.other.org 127.0.0.1',
      ...CHROMIUM_ARGS,
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  context.setDefaultTimeout(10_000);
  const launched = { context, worker, extensionUrl: `chrome-extension://${new URL(worker.url()).host}` };
  ({ popup, ref } = await signInWithToken(launched, server.baseUrl, 'plain-http'));
  // The user's rule for their tokenward on the intranet host: the default pages (its own site).
  await saveRule({ token: ref, patterns: [`tokenward.example.com:${port}`], enabled: true });
});

afterAll(async () => {
  await context?.close();
  await server?.stop();
  await evil?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function forge(name: string) {
  return `<script>
fetch(${JSON.stringify(`${tw}/fmerest/v3/repositories`)}, { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ name: ${JSON.stringify(name)} }) }).catch(() => 0);
</script>`;
}

/** The forged write, sent from a page at `origin`; resolves once it reached tokenward, carrying the token. */
async function attackFrom(origin: string, name: string): Promise<void> {
  const writes = () =>
    server.seen.filter((r) => r.method === 'POST' && r.path === '/fmerest/v3/repositories' && r.authorized);
  const before = writes().length;
  const page = await context.newPage();
  await page.goto(`${origin}/attack?html=${encodeURIComponent(forge(name))}`);
  // The token rode (what the rule allows there): only the server's guard stands between it and the write.
  await expect.poll(() => writes().length, { timeout: 5_000 }).toBe(before + 1);
  await page.close();
}

describe('tokenward over plain HTTP on a non-loopback host', () => {
  it('the browser sends no Sec-Fetch-Site there: a write from another origin of the site is refused all the same', async () => {
    // A page on another origin of the same site (any intranet page, a user-content host): the default rule lets
    // the token ride (the target's own site), and the server must refuse the write (another origin).
    await attackFrom(`http://evil.example.com:${evil.port}`, 'forged-same-site');
    expect(await repositoryNames()).not.toContain('forged-same-site');
  });

  it('with Any page, a write from a page on another site is refused all the same', async () => {
    const port = new URL(server.baseUrl).port;
    await saveRule({
      token: ref,
      patterns: [`tokenward.example.com:${port}/fmerest`],
      enabled: true,
      anyPage: true,
    });
    await attackFrom(`http://evil.other.org:${evil.port}`, 'forged-cross-site');
    expect(await repositoryNames()).not.toContain('forged-cross-site');
  });

  it('the server’s own form still works there (same origin, no Fetch Metadata)', async () => {
    const page = await context.newPage();
    await page.goto(`${tw}/fmetoken/`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Generate token' }).click();
    await page.waitForURL(`${tw}/fmetoken/service/generate`);
    expect(await page.locator('body').textContent()).toMatch(/^[0-9a-f]{40}$/);
    await page.close();
  });
});
