// Containment in Firefox ESR: the same near-miss requests the Chromium tests send (one list, containment-cases.ts),
// and where the token's value stays in the Firefox profile with "keep values on this device" off and on.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LoopbackServer, startLoopbackServer } from '../../extension/testing/loopback-server';
import { type RealClockServer, startRealClockServer } from '../fixtures/extension-servers';
import {
  aria,
  describeFirefox,
  type FirefoxWithExtension,
  front,
  launchFirefoxWithExtension,
} from '../fixtures/firefox';
import { expectLeaseOf } from '../fixtures/lease-header';
import { ADMIN_PASSWORD, adminBasic, jsonInit } from '../fixtures/test-app';
import { CONTAINMENT_SUBDOMAINS, containmentCases, type Recorded, recordingApi } from './containment-cases';

/** The extension API the tests call inside the extension's pages (Firefox's own `browser`). */
declare const browser: { runtime: { sendMessage(message: unknown): Promise<unknown> } };

const TOKEN_NAME = 'firefox containment';

let server: RealClockServer;
const apis: LoopbackServer[] = [];
const seen: Recorded[] = [];
let A = 0;
let B = 0;
let C = 0;
let firefox: FirefoxWithExtension;
let popup: Page;
let page: Page;
/** The lease the rules send (all bind the one token), learnt from the first matching request. */
let header: string | undefined;
let value = '';
let counter = 0;

/** A message to the background from the popup; the answer crosses as JSON (BiDi drops objects it cannot
 * serialise from an extension's compartment). */
async function send(type: string, data: unknown): Promise<unknown> {
  const answer = await popup.evaluate(
    async (t, d) => JSON.stringify(await browser.runtime.sendMessage({ type: t, data: d })) ?? 'null',
    type,
    data,
  );
  return JSON.parse(answer);
}

function tagged(url: string): { url: string; tag: string } {
  const tag = `ff${++counter}`;
  return { url: `${url}${url.includes('?') ? '&' : '?'}tag=${tag}`, tag };
}

async function recordOf(tag: string): Promise<Recorded> {
  const until = Date.now() + 5_000;
  for (;;) {
    const hit = seen.find((request) =>
      new URLSearchParams(request.url.split('?')[1] ?? '').getAll('tag').includes(tag),
    );
    if (hit) return hit;
    if (Date.now() > until) throw new Error(`no request tagged ${tag} arrived`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** The page on port A requests `url` (fetch, or a navigation in a fresh tab); the header the API received. */
async function headerOf(url: string, how: 'fetch' | 'navigate' = 'fetch'): Promise<string | undefined> {
  const { url: target, tag } = tagged(url);
  if (how === 'fetch') {
    await front(page);
    await page.evaluate((u) => fetch(u, { mode: 'no-cors', cache: 'no-store' }).then(() => null), target);
  } else {
    const tab = await firefox.open(target);
    await tab.close();
  }
  return (await recordOf(tag)).authorization;
}

async function redirectHeaders(from: string, to: string): Promise<[string | undefined, string | undefined]> {
  const last = tagged(to);
  const first = tagged(`${from}/redirect?to=${encodeURIComponent(last.url)}`);
  await front(page);
  await page.evaluate((u) => fetch(u, { mode: 'no-cors', cache: 'no-store' }).then(() => null), first.url);
  return [(await recordOf(first.tag)).authorization, (await recordOf(last.tag)).authorization];
}

/** How many times `needle` occurs in the files under `dir`, read as bytes. */
async function occurrences(dir: string, needle: Buffer): Promise<{ count: number; files: string[] }> {
  let count = 0;
  const files: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      continue; // a file the browser removed while we walked
    }
    let found = 0;
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) found++;
    if (found > 0) files.push(path.slice(dir.length + 1));
    count += found;
  }
  return { count, files };
}

/** Occurrences of `text` in the profile, as Latin-1 and as UTF-16 (how Firefox may store a string). */
async function onDisk(text: string): Promise<{ count: number; files: string[] }> {
  const narrow = await occurrences(firefox.profileDir, Buffer.from(text, 'latin1'));
  const wide = await occurrences(firefox.profileDir, Buffer.from(text, 'utf16le'));
  return { count: narrow.count + wide.count, files: [...narrow.files, ...wide.files] };
}

describeFirefox('containment in Firefox ESR', () => {
  beforeAll(async () => {
    const ports = [0, 0, 0];
    for (const index of [0, 1, 2]) {
      const api = await startLoopbackServer(recordingApi(seen, () => ports[index] ?? 0));
      ports[index] = Number(new URL(api.url).port);
      apis.push(api);
    }
    [A, B, C] = ports as [number, number, number];
    server = await startRealClockServer();
    // Names below localhost resolve to loopback, as they do in Chromium.
    firefox = await launchFirefoxWithExtension({
      prefs: { 'network.dns.localDomains': CONTAINMENT_SUBDOMAINS.join(',') },
    });
    const created = await fetch(
      `${server.baseUrl}/fmerest/v3/tokens`,
      jsonInit('POST', adminBasic, { name: TOKEN_NAME, expirationTimeout: 3600 }),
    );
    expect(created.status).toBe(201);
    value = ((await created.json()) as { token: string }).token;

    popup = await firefox.open('/popup.html');
    await popup.locator('#server-url').fill(server.baseUrl);
    await popup.locator(aria('button', 'Save & check')).click();
    await popup.locator('#sign-in-user').fill('admin');
    await popup.locator('#sign-in-password').fill(ADMIN_PASSWORD);
    await popup.locator(aria('button', 'Sign in')).click();
    await popup.locator(aria('button', 'New token')).wait();
    expect(
      await send('bindTokenValue', { server: server.baseUrl, user: 'admin', name: TOKEN_NAME, value }),
    ).toEqual({ ok: true, value: null });
    page = await firefox.open(`http://127.0.0.1:${A}/page`);
  });

  afterAll(async () => {
    await firefox?.remove();
    await server?.stop();
    for (const api of apis) await api.close();
  });

  it('sends the token on none of the near misses the Chromium tests send, and on every match', async () => {
    const { rules, matching, nonMatching, navigations, redirects } = containmentCases({ A, B, C });
    const ref = { server: server.baseUrl, user: 'admin', name: TOKEN_NAME };
    for (const rule of rules) {
      const extra = rule.anyPage ? { anyPage: true } : {};
      const saved = await send('saveRule', {
        rule: { token: ref, patterns: rule.patterns, enabled: true, ...extra },
      });
      expect(saved, rule.patterns[0]).toMatchObject({ ok: true });
    }
    await expect
      .poll(async () => {
        const view = (await send('getInjection', {})) as {
          value: { status: Record<string, { state: string }> };
        };
        return Object.values(view.value.status).map((status) => status.state);
      })
      .toEqual(['active', 'active', 'active']);
    header = await headerOf(matching[0] ?? '');
    await expectLeaseOf(server.baseUrl, header, { name: TOKEN_NAME, value });
    const carried: string[] = [];
    const missed: string[] = [];
    for (const url of matching) if ((await headerOf(url)) !== header) missed.push(url);
    for (const url of nonMatching) if ((await headerOf(url)) !== undefined) carried.push(url);
    for (const url of navigations)
      if ((await headerOf(url, 'navigate')) !== undefined) carried.push(`navigate ${url}`);
    for (const [from, to] of redirects) {
      const [first, second] = await redirectHeaders(from, to);
      if (first !== header) missed.push(`${from} (redirecting)`);
      if (second !== undefined) carried.push(`${from} → ${to}`);
    }
    const total = nonMatching.length + navigations.length + redirects.length;
    console.log(
      `firefox containment: ${carried.length} of ${total} non-matching requests carried the header; ` +
        `${matching.length + redirects.length - missed.length} of ${matching.length + redirects.length} matching ones did`,
    );
    expect(total).toBeGreaterThanOrEqual(50);
    expect(carried).toEqual([]);
    expect(missed).toEqual([]);
  });

  it("reads a narrow regex with Firefox's engine: a lookahead injects within its origin, (?i) is refused", async () => {
    const ref = { server: server.baseUrl, user: 'admin', name: TOKEN_NAME };
    const lookahead = `/^http:\\/\\/127\\.0\\.0\\.1:${C}\\/(?=re\\/)/`;
    const inline = `/^http:\\/\\/127\\.0\\.0\\.1:${C}\\/(?i)ci/`;
    expect(
      await send('saveRule', { rule: { token: ref, patterns: [lookahead], enabled: true } }),
    ).toMatchObject({
      ok: true,
    });
    // An inline flag is no JavaScript syntax: the form refuses it before the browser is asked.
    const refused = await send('saveRule', { rule: { token: ref, patterns: [inline], enabled: true } });
    expect(refused).toMatchObject({ ok: false });
    const stateOf = async (pattern: string) => {
      const view = (await send('getInjection', {})) as {
        value: {
          rules: { id: number; patterns: string[] }[];
          status: Record<string, { state: string; message?: string }>;
        };
      };
      const rule = view.value.rules.find((candidate) => candidate.patterns[0] === pattern);
      return rule && view.value.status[String(rule.id)];
    };
    await expect.poll(() => stateOf(lookahead)).toMatchObject({ state: 'active' });
    // RE2 has no lookahead: Chromium refuses this rule; Firefox injects it, within its origin.
    expect(await headerOf(`http://127.0.0.1:${C}/re/x`)).toBe(header);
    for (const url of [
      `http://127.0.0.1:${C}/rex`,
      `http://127.0.0.1:${C}/ci`,
      `http://127.0.0.1:${B}/re/x`,
      `http://localhost:${C}/re/x`,
    ])
      expect(await headerOf(url), url).toBeUndefined();
  });

  it('keep off: no byte of the value in the profile, running or closed; keep on: none in plain text', async () => {
    // The search reads what Firefox writes: the saved rules are on disk (storage.local) in the same profile.
    const pattern = `http://127.0.0.1:${A}/api`;
    await expect.poll(async () => (await onDisk(pattern)).count, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await headerOf(`${pattern}/before-search`)).toBe(header);
    const off = await onDisk(value);
    expect(await send('setInjectionSettings', { keepValuesOnDevice: true })).toMatchObject({ ok: true });
    expect(await headerOf(`${pattern}/kept`)).toBe(header);
    const kept = await onDisk(value);
    await firefox.close();
    const closed = await onDisk(value);
    console.log(
      `firefox containment: the value occurs ${off.count} times in the profile with keep off, ${kept.count} with keep on (sealed), ${closed.count} after closing`,
      [...off.files, ...kept.files, ...closed.files],
    );
    expect([off.count, kept.count, closed.count]).toEqual([0, 0, 0]);
  });
});
