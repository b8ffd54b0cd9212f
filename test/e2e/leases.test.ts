// Leases on the wire, in Debian's Chromium with the built extension, the real server on loopback and an "API under
// test" that records the Authorization header: the header is a lease, it lapses with its ttl, revoking the parent
// stops every lease at once, and a renewal leaves no request without a live lease.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hammer } from '../fixtures/agreement';
import { createExtensionProfile, type ExtensionProfile } from '../fixtures/extension-browser';
import {
  type ApiUnderTest,
  type RealClockServer,
  startApiUnderTest,
  startRealClockServer,
} from '../fixtures/extension-servers';
import { expectLeaseOf } from '../fixtures/lease-header';
import { connectAndSignIn } from '../fixtures/popup-sign-in';
import { adminBasic, jsonInit } from '../fixtures/test-app';
import { createTokenOverHttp } from '../fixtures/test-server';

declare const chrome: {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  storage: { local: { get(): Promise<unknown> } };
};

const TTL_SECONDS = 60;
const NAME = 'leased';

let server: RealClockServer;
let api: ApiUnderTest;
let profile: ExtensionProfile;
let context: BrowserContext;
let extensionUrl: string;
let popup: Page;
let page: Page;
let value = '';
let counter = 0;

beforeAll(async () => {
  api = await startApiUnderTest();
  server = await startRealClockServer({ corsOrigins: [api.origin] });
  profile = await createExtensionProfile('leases');
  ({ context, extensionUrl } = await profile.launch());
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
  await api?.stop();
});

async function send(type: string, data: unknown): Promise<unknown> {
  return popup.evaluate(([t, d]) => chrome.runtime.sendMessage({ type: t, data: d }), [type, data] as const);
}

async function fetchFromPage(prefix: string): Promise<string | undefined> {
  const path = `${prefix}?n=${++counter}`;
  await page.evaluate((p) => fetch(p).then((res) => res.text()), path);
  return (await api.waitFor(path)).authorization;
}

/** When the server received each lease mint for the token (its arrival, on the server's clock = ours). */
function mints(): number[] {
  return server.seen
    .filter(
      (request) => request.method === 'POST' && request.path === `/fmerest/v3/tokens/admin/${NAME}/leases`,
    )
    .map((request) => request.at);
}

async function statusOfHeader(authorization: string): Promise<number> {
  const res = await fetch(`${server.baseUrl}/fmerest/v3/security/me`, {
    headers: { Authorization: authorization },
  });
  await res.body?.cancel();
  return res.status;
}

describe('leases on the wire', () => {
  let first: string | undefined;

  it('sends a lease of the signed-in user’s own token, never the token, with nothing pasted or on disk', async () => {
    value = await createTokenOverHttp(server.baseUrl, adminBasic, { name: NAME, expirationTimeout: 3600 });
    popup = await context.newPage();
    await popup.goto(`${extensionUrl}/popup.html`);
    await connectAndSignIn(popup, server.baseUrl);
    expect(await send('setInjectionSettings', { leaseSeconds: TTL_SECONDS })).toMatchObject({ ok: true });
    const ref = { server: server.baseUrl, user: 'admin', name: NAME };
    const pattern = `http://127.0.0.1:${api.port}/lease`;
    expect(
      await send('saveRule', { rule: { token: ref, patterns: [pattern], enabled: true } }),
    ).toMatchObject({
      ok: true,
    });
    page = await context.newPage();
    await page.goto(`${api.origin}/page`);
    first = await fetchFromPage('/lease/first');
    await expectLeaseOf(server.baseUrl, first, { name: NAME, value });
    const local = JSON.stringify(await popup.evaluate(() => chrome.storage.local.get()));
    expect(local).not.toContain(value);
    expect(local).not.toContain(first?.slice('fmetoken token='.length) ?? 'none');
    // The rule row says it sends a lease and when it renews.
    await popup.getByRole('tab', { name: 'Injection' }).click();
    await expect
      .poll(() => popup.getByRole('listitem', { name: pattern }).locator('.rule-lease').textContent())
      .toMatch(
        /^Sends a lease, never the token; next renewal in \d+ s, at .+ \(minted with your sign-in\)\.$/,
      );
  });

  it('renews before the lease lapses (no request without one), and a captured lease is refused after its ttl', async () => {
    if (first === undefined) throw new Error('no lease captured');
    const [minted] = mints();
    if (minted === undefined) throw new Error('no mint seen');
    // The page sends a matched request every 100 ms until the first lease's ttl has passed.
    const start = Date.now();
    await page.evaluate(() => {
      let i = 0;
      const w = window as unknown as { ticker: number };
      w.ticker = window.setInterval(() => void fetch(`/lease/tick?i=${i++}`), 100);
    });
    const lapsedAt = minted + TTL_SECONDS * 1000;
    await new Promise((done) => setTimeout(done, lapsedAt + 1_500 - Date.now()));
    await page.evaluate(() => window.clearInterval((window as unknown as { ticker: number }).ticker));
    expect(await statusOfHeader(first)).toBe(401);

    const ticks = api.seen.filter((request) => request.path.startsWith('/lease/tick') && request.at >= start);
    const headers = [...new Set(ticks.map((request) => request.authorization))];
    const times = mints();
    // The i-th lease seen is the i-th one minted; the server cuts its expiry to whole seconds: a second of margin.
    const expiry = (header: string | undefined) =>
      (times[headers.indexOf(header)] ?? Number.NEGATIVE_INFINITY) + (TTL_SECONDS - 1) * 1000;
    const without = ticks.filter((request) => request.authorization === undefined).length;
    const lapsed = ticks.filter((request) => request.at >= expiry(request.authorization)).length;
    console.log(
      `leases: ${ticks.length} matched requests over ${Math.round((Date.now() - start) / 1000)} s, ` +
        `${headers.length} leases, renewed ${times.length > 1 ? Math.round(((times[1] ?? 0) - minted) / 1000) : '-'} s after the first; ` +
        `${without} without the header, ${lapsed} with a lapsed lease`,
    );
    expect(ticks.length).toBeGreaterThan(300);
    expect(headers.length).toBeGreaterThanOrEqual(2);
    expect(without).toBe(0);
    expect(lapsed).toBe(0);
    const current = ticks.at(-1)?.authorization;
    expect(current).not.toBe(first);
    expect(await statusOfHeader(current ?? '')).toBe(200);
  }, 90_000);

  it('stops every lease at once when the parent is disabled: 0 accepted after the 2xx', async () => {
    // Two live leases of the token: the one the rule sends now, and one minted through the API.
    const current = await fetchFromPage('/lease/before-revoke');
    const other = await fetch(
      `${server.baseUrl}/fmerest/v3/tokens/admin/${NAME}/leases`,
      jsonInit('POST', adminBasic, { ttl: TTL_SECONDS }),
    );
    const { token: second } = (await other.json()) as { token: string };
    const leases = [current ?? '', `fmetoken token=${second}`];
    for (const header of leases) expect(await statusOfHeader(header)).toBe(200);
    let turn = 0;
    const shots = hammer(() => statusOfHeader(leases[turn++ % leases.length] ?? ''), 4);
    await shots.sent(20);
    const disabled = await fetch(
      `${server.baseUrl}/fmerest/v3/tokens/admin/${NAME}`,
      jsonInit('PUT', adminBasic, { enabled: false }),
    );
    const answeredAt = performance.now();
    expect(disabled.status).toBe(204);
    await shots.sent(40, answeredAt);
    await shots.stop();
    const after = shots.shots.filter((shot) => shot.startedAt > answeredAt);
    const acceptedAfter = after.filter((shot) => shot.status === 200).length;
    console.log(
      `leases: parent disabled → ${after.length} uses of its leases after the 204, ${acceptedAfter} accepted`,
    );
    expect(after.length).toBeGreaterThanOrEqual(40);
    expect(acceptedAfter).toBe(0);
    // The rule stops and says why once the extension next leases (the refresh, or the 401 the API would answer).
    expect(await send('refreshTokens', {})).toMatchObject({ ok: true });
    await send('setRuleEnabled', { id: 1, enabled: true });
    await expect
      .poll(async () => {
        const view = (await send('getInjection', {})) as {
          value: { status: Record<string, { state: string }> };
        };
        return view.value.status['1']?.state;
      })
      .toBe('disabled');
    expect(await fetchFromPage('/lease/after-revoke')).toBeUndefined();
  });
});
