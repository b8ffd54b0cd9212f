// Other sites against an injected token, the way an attacker would work: pages on other hosts (127.0.0.2, which the
// extension has no access to, and localhost, which it has) and their sandboxed and data: frames send every request
// a page can send without CORS to a recording API and to tokenward itself, under one rule for both. With the
// default (the target's own site, and safe navigations) none of them carries the token, while the API's own page,
// a typed address and a followed link do; with *Any page* they do carry it, and tokenward still refuses every
// write. One browser session for all of it.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createExtensionProfile,
  type ExtensionProfile,
  signInWithToken,
} from '../fixtures/extension-browser';
import { type RealClockServer, startRealClockServer } from '../fixtures/extension-servers';
import { injectedLease } from '../fixtures/lease-header';
import { adminBasic } from '../fixtures/test-app';

declare const chrome: {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  storage: { local: { set(items: Record<string, unknown>): Promise<void> } };
};

interface Recorded {
  tag: string;
  method: string;
  authorization: string | undefined;
}

interface Listening {
  port: number;
  close(): Promise<void>;
}

let server: RealClockServer;
let recorder: Listening;
let otherIp: Listening;
let otherName: Listening;
const recorded: Recorded[] = [];
let profile: ExtensionProfile;
let context: BrowserContext;
let popup: Page;
let header = '';
let ruleId = 0;
let ref: { server: string; user: string; name: string };

/** Every request a page can make a browser send to `rec` without CORS, tagged `<prefix>-<vector>`. */
const REC_VECTORS = [
  'fetch-nocors-form',
  'fetch-nocors-text',
  'fetch-nocors-formdata',
  'fetch-cors-form',
  'img',
  'beacon',
  'script',
  'websocket',
];

function recVectors(rec: string, prefix: string): string {
  return `
const u = (v) => ${JSON.stringify(rec)} + '/rec?v=${prefix}-' + v;
const fd = new FormData(); fd.append('a', '1');
fetch(u('fetch-nocors-form'), { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ a: '1' }) }).catch(() => 0);
fetch(u('fetch-nocors-text'), { method: 'POST', mode: 'no-cors', body: 'x' }).catch(() => 0);
fetch(u('fetch-nocors-formdata'), { method: 'POST', mode: 'no-cors', body: fd }).catch(() => 0);
fetch(u('fetch-cors-form'), { method: 'POST', body: new URLSearchParams({ a: '1' }) }).catch(() => 0);
new Image().src = u('img');
navigator.sendBeacon(u('beacon'), 'x');
const s = document.createElement('script'); s.src = u('script'); document.head.appendChild(s);
try { new WebSocket(u('websocket').replace(/^http/, 'ws')).onerror = () => 0; } catch (e) {}
`;
}

/** Every write a page can send to tokenward without a preflight, in each dialect and body type. */
const WRITES = [
  ['POST', '/fmerest/v3/repositories'],
  ['POST', '/fmerest/v3/tokens'],
  ['POST', '/fmerest/v3/repositories/Samples/items'],
  ['POST', '/fmeapiv4/repositories'],
] as const;
const WRITES_PER_PAGE = 7;

function apiWrites(api: string, prefix: string): string {
  const name = (what: string) => JSON.stringify(`${prefix}-${what}`);
  return `
const api = ${JSON.stringify(api)};
const form = (name) => new URLSearchParams({ name });
fetch(api + '/fmerest/v3/repositories', { method: 'POST', mode: 'no-cors', body: form(${name('nocors')}) }).catch(() => 0);
fetch(api + '/fmerest/v3/repositories', { method: 'POST', body: form(${name('cors')}) }).catch(() => 0);
navigator.sendBeacon(api + '/fmerest/v3/repositories', form(${name('beacon')}));
fetch(api + '/fmerest/v3/repositories', { method: 'POST', mode: 'no-cors', body: JSON.stringify({ name: ${name('text')} }) }).catch(() => 0);
fetch(api + '/fmerest/v3/tokens', { method: 'POST', mode: 'no-cors', body: form(${name('token')}) }).catch(() => 0);
const upload = new FormData(); upload.append('file', new Blob(['forged']), ${name('upload.fmw')});
fetch(api + '/fmerest/v3/repositories/Samples/items', { method: 'POST', mode: 'no-cors', body: upload }).catch(() => 0);
fetch(api + '/fmeapiv4/repositories', { method: 'POST', mode: 'no-cors', body: JSON.stringify({ name: ${name('v4')} }) }).catch(() => 0);
`;
}

function page(script: string, frames = ''): string {
  return `<!doctype html><title>another site</title><script>${script}</script>${frames}`;
}

const attribute = (html: string) => html.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

/** A sandboxed and a data: frame (both opaque origins) running the same script. */
function opaqueFrames(script: (suffix: string) => string): string {
  const sandboxed = `<iframe sandbox="allow-scripts" srcdoc="${attribute(page(script('sandbox')))}"></iframe>`;
  const data = `<iframe src="data:text/html,${encodeURIComponent(page(script('data')))}"></iframe>`;
  return sandboxed + data;
}

/** The pages of another site: every vector from the page and its opaque frames, a form post, a link. */
function otherSite(request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? '/', 'http://x');
  const prefix = url.searchParams.get('prefix') ?? 'x';
  const rec = `http://127.0.0.1:${recorder.port}`;
  response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  if (url.pathname === '/form') {
    const action = url.searchParams.get('action') ?? '';
    response.end(
      `<!doctype html><form method="post" action="${attribute(action)}"><input name="name" value="${prefix}-form">` +
        '</form><script>document.forms[0].submit()</script>',
    );
  } else if (url.pathname === '/link') {
    response.end(`<!doctype html><a href="${rec}/rec?v=${prefix}-link">follow</a>`);
  } else {
    const all = (suffix: string) =>
      recVectors(rec, suffix ? `${prefix}-${suffix}` : prefix) +
      apiWrites(server.baseUrl, suffix ? `${prefix}-${suffix}` : prefix);
    response.end(page(all(''), `<iframe src="${rec}/rec?v=${prefix}-iframe"></iframe>${opaqueFrames(all)}`));
  }
}

/** The recording API: `/rec?v=tag` and WebSocket handshakes are recorded; `/own` is its own page. */
function recording(request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? '/', 'http://x');
  if (url.pathname === '/own') {
    const rec = `http://127.0.0.1:${recorder.port}`;
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(
      page(
        recVectors(rec, 'own'),
        `<iframe sandbox="allow-scripts" srcdoc="${attribute(page(recVectors(rec, 'own-sandbox')))}"></iframe>`,
      ),
    );
    return;
  }
  record(request);
  response.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
  response.end('recorded');
}

function record(request: IncomingMessage) {
  const tag = new URL(request.url ?? '/', 'http://x').searchParams.get('v');
  if (tag !== null)
    recorded.push({ tag, method: request.method ?? '', authorization: request.headers.authorization });
}

async function listen(host: string, listener: RequestListener, websockets = false): Promise<Listening> {
  const http = createServer(listener);
  if (websockets)
    http.on('upgrade', (request, socket) => {
      record(request);
      const accept = createHash('sha1')
        .update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
    });
  await new Promise<void>((resolve) => http.listen(0, host, resolve));
  return {
    port: (http.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  recorder = await listen('127.0.0.1', recording, true);
  otherIp = await listen('127.0.0.2', otherSite);
  otherName = await listen('127.0.0.1', otherSite);
  server = await startRealClockServer();
  profile = await createExtensionProfile('attacks');
  const launched = await profile.launch();
  context = launched.context;
  ({ popup, ref } = await signInWithToken(launched, server.baseUrl, 'attacked'));
  // One rule for tokenward's own API and the recording API, as a user would make it: no choice of pages.
  ruleId = await saveRule({});
});

afterAll(async () => {
  await profile?.close();
  await server?.stop();
  for (const listening of [recorder, otherIp, otherName]) await listening?.close();
});

async function send(type: string, data: unknown): Promise<unknown> {
  return popup.evaluate(([t, d]) => chrome.runtime.sendMessage({ type: t, data: d }), [type, data] as const);
}

/** Saves the rule (a new one, or ruleId's) and waits until it injects. */
async function saveRule(extra: Record<string, unknown>): Promise<number> {
  const patterns = [new URL(server.baseUrl).host, `127.0.0.1:${recorder.port}`];
  const saved = (await send('saveRule', {
    ...(ruleId !== 0 && { id: ruleId }),
    rule: { token: ref, patterns, enabled: true, ...extra },
  })) as { ok: boolean; value: { id: number } };
  expect(saved.ok).toBe(true);
  // It injects once the background has checked the token with the server.
  for (let i = 0; i < 100; i++) {
    const view = (await send('getInjection', {})) as { value: { status: Record<string, { state: string }> } };
    if (view.value.status[String(saved.value.id)]?.state === 'active') {
      // What the rule sends: a lease of the token, never its value.
      header = await injectedLease(popup, ref);
      return saved.value.id;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the rule did not turn on');
}

/** Waits until every tag arrived (or 10 s), then answers the records of those tags. */
async function arrivals(tags: string[]): Promise<Recorded[]> {
  await expect
    .poll(() => tags.filter((tag) => !recorded.some((r) => r.tag === tag)), { timeout: 10_000 })
    .toEqual([]);
  return recorded.filter((r) => tags.includes(r.tag));
}

const tagsOf = (prefix: string) => REC_VECTORS.map((vector) => `${prefix}-${vector}`);

/** Opens another site's attack page; the tags its page and opaque frames send to the recording API. */
async function attackFrom(host: string, port: number, prefix: string): Promise<string[]> {
  const tab = await context.newPage();
  await tab.goto(`http://${host}:${port}/attack?prefix=${prefix}`);
  const tags = [
    ...tagsOf(prefix),
    `${prefix}-iframe`,
    ...tagsOf(`${prefix}-sandbox`),
    ...tagsOf(`${prefix}-data`),
  ];
  await arrivals(tags);
  await tab.close();
  return tags;
}

/** Another site's form, posted at once: a top-level POST navigation. */
async function formFrom(host: string, port: number, prefix: string, action: string): Promise<void> {
  const tab = await context.newPage();
  const landed = tab.waitForURL(action);
  await tab.goto(`http://${host}:${port}/form?prefix=${prefix}&action=${encodeURIComponent(action)}`);
  await landed;
  await tab.close();
}

/** tokenward's writes since `since`: how many arrived, how many carried a header, and what they changed. */
async function writesSince(since: number, prefixes: string[]) {
  const arrived = server.seen.filter(
    (r) => r.at >= since && WRITES.some(([method, path]) => r.method === method && r.path === path),
  );
  const repositories = (await (
    await fetch(`${server.baseUrl}/fmerest/v3/repositories`, { headers: { Authorization: adminBasic } })
  ).json()) as { items: { name: string }[] };
  const tokens = (await (
    await fetch(`${server.baseUrl}/fmerest/v3/tokens?limit=-1`, { headers: { Authorization: adminBasic } })
  ).json()) as { items: { name: string }[] };
  const items = (await (
    await fetch(`${server.baseUrl}/fmerest/v3/repositories/Samples/items`, {
      headers: { Authorization: adminBasic },
    })
  ).json()) as { items: { name: string }[] };
  const forged = [...repositories.items, ...tokens.items, ...items.items]
    .map((item) => item.name)
    .filter((name) => prefixes.some((prefix) => name.startsWith(prefix)));
  return { arrived: arrived.length, authorized: arrived.filter((r) => r.authorized).length, forged };
}

const carried = (records: Recorded[]) =>
  records.filter((r) => r.authorization !== undefined).map((r) => r.tag);

describe('requests that other sites start', () => {
  it('carry the token in none of 52 vectors by default, and write nothing on tokenward', async () => {
    const since = Date.now();
    const tags = [
      ...(await attackFrom('127.0.0.2', otherIp.port, 'ip')),
      ...(await attackFrom('localhost', otherName.port, 'name')),
    ];
    const rec = `http://127.0.0.1:${recorder.port}`;
    await formFrom('127.0.0.2', otherIp.port, 'ip', `${rec}/rec?v=ip-form`);
    await formFrom('localhost', otherName.port, 'name', `${rec}/rec?v=name-form`);
    await formFrom('localhost', otherName.port, 'name', `${server.baseUrl}/fmerest/v3/repositories`);
    const records = await arrivals([...tags, 'ip-form', 'name-form']);
    console.log(
      `default: ${carried(records).length} of ${records.length} requests other sites started carried the token`,
    );
    expect(records).toHaveLength(52);
    expect(carried(records)).toEqual([]);
    // Every write reached tokenward (six pages, and the form): none changed anything.
    const writes = await writesSince(since, ['ip', 'name']);
    expect(writes.arrived).toBe(6 * WRITES_PER_PAGE + 1);
    expect(writes.forged).toEqual([]);
  });

  it('carry it from the API’s own page (not its sandboxed frame), typed addresses and followed links', async () => {
    const own = await context.newPage();
    await own.goto(`http://127.0.0.1:${recorder.port}/own`);
    const records = await arrivals([...tagsOf('own'), ...tagsOf('own-sandbox')]);
    await own.close();
    expect(carried(records).sort()).toEqual(tagsOf('own').sort());
    expect(records.find((r) => r.tag === 'own-websocket')?.authorization).toBe(header);

    const typed = await context.newPage();
    await typed.goto(`http://127.0.0.1:${recorder.port}/rec?v=typed`);
    const link = await context.newPage();
    await link.goto(`http://127.0.0.2:${otherIp.port}/link?prefix=ip`);
    await link.getByRole('link', { name: 'follow' }).click();
    const navigations = await arrivals(['typed', 'ip-link']);
    expect(navigations.map((r) => [r.tag, r.authorization])).toEqual([
      ['typed', header],
      ['ip-link', header],
    ]);
    await typed.close();
    await link.close();
  });

  it('carry it with Any page, shown on the rule; tokenward refuses every write all the same', async () => {
    ruleId = await saveRule({ anyPage: true });
    const row = popup.getByRole('listitem').filter({ hasText: 'from any page' });
    await popup.reload();
    await popup.getByRole('tab', { name: 'Injection' }).click();
    await row.waitFor();
    const since = Date.now();
    const fromIp = await arrivals(await attackFrom('127.0.0.2', otherIp.port, 'any-ip'));
    const fromName = await arrivals(await attackFrom('localhost', otherName.port, 'any-name'));
    await formFrom('localhost', otherName.port, 'any-name', `${server.baseUrl}/fmerest/v3/repositories`);
    console.log(
      `any page: ${carried(fromIp).length} of ${fromIp.length} from a host without access (127.0.0.2), ` +
        `${carried(fromName).length} of ${fromName.length} from one with access (localhost) carried the token`,
    );
    // The extension has no access to 127.0.0.2: only its opaque frames' requests and its frame get the header
    // (the browser asks for access to a non-opaque initiator of a subresource, never to an opaque one).
    expect(carried(fromIp).sort()).toEqual(
      [...tagsOf('any-ip-sandbox'), ...tagsOf('any-ip-data'), 'any-ip-iframe'].sort(),
    );
    expect(carried(fromName)).toHaveLength(fromName.length);
    const writes = await writesSince(since, ['any-']);
    expect(writes.arrived).toBe(6 * WRITES_PER_PAGE + 1);
    expect(writes.authorized).toBeGreaterThan(WRITES_PER_PAGE);
    expect(writes.forged).toEqual([]);
    ruleId = await saveRule({});
  });

  // The rule form's choice of pages and a rule for any page; UPDATE_SCREENSHOTS=1 npm run test:e2e also writes
  // them, light and dark, for the README.
  it('shows the choice in the form and on the rule', async () => {
    const shot = (name: string) =>
      fileURLToPath(new URL(`../../docs/screenshots/${name}.png`, import.meta.url));
    const extensionUrl = popup.url().replace(/\/popup\.html.*$/, '');
    ruleId = await saveRule({ anyPage: true });
    await popup.reload();
    await popup.getByRole('tab', { name: 'Injection' }).click();
    await popup.getByRole('button', { name: 'New rule' }).click();
    await popup.getByLabel('URL patterns').fill('api.example.com/v1');
    await popup.getByRole('radio', { name: 'Any page' }).check();
    await popup.getByRole('button', { name: 'Save rule' }).click();
    await popup.locator('.rule-form .form-error').waitFor();
    const form = popup.locator('.rule-form fieldset.pages');
    await form.scrollIntoViewIfNeeded();
    const options = await context.newPage();
    await options.setViewportSize({ width: 1100, height: 760 });
    await options.goto(`${extensionUrl}/options.html`);
    await options.evaluate(() =>
      chrome.storage.local.set({ rulesUpdateNotice: { ownSite: 3, unconfirmed: 1 } }),
    );
    await options.getByRole('tab', { name: 'Injection' }).click();
    await options.getByText('from any page').waitFor();
    // A rule for any page needs its confirmation, and says so on the options page once saved.
    expect(await popup.locator('.rule-form .form-error').textContent()).not.toBe('');
    for (const scheme of process.env.UPDATE_SCREENSHOTS === '1' ? (['light', 'dark'] as const) : []) {
      await popup.emulateMedia({ colorScheme: scheme });
      await popup.screenshot({ path: shot(`rule-form-pages-${scheme}`) });
      await options.emulateMedia({ colorScheme: scheme });
      await options.screenshot({ path: shot(`rules-any-page-${scheme}`), fullPage: true });
    }
    await options.close();
    await popup.emulateMedia({ colorScheme: 'light' });
    await popup.getByRole('button', { name: 'Cancel' }).click();
    ruleId = await saveRule({});
  });
});
