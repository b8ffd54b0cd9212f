// Requests another site makes a browser send: a form it submits, a no-cors fetch or a beacon carries an injected
// Authorization header, so the API must not act on any write that a page on another origin starts; an account
// that is not the caller's own is not found or forbidden alike to someone without the permission.
import { request } from 'node:http';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../shared/schemas/error';
import { ADMIN_PASSWORD, adminBasic } from './fixtures/test-app';
import { createTokenOverHttp, startTestServer, type TestServer } from './fixtures/test-server';

let server: TestServer;
let token: string;
beforeEach(async () => {
  server = await startTestServer();
  token = await createTokenOverHttp(server.baseUrl, adminBasic, { name: 'injected' });
});
afterEach(() => server.stop());

interface Answer {
  status: number;
  body: string;
  challenge?: string;
}

/** Over node:http: fetch drops the Sec-Fetch-* and Origin headers that only a browser may set. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | Buffer = '',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { method, headers: { 'Content-Length': Buffer.byteLength(body), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text, challenge: res.headers['www-authenticate'] }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function createRepository(name: string, fetchHeaders: Record<string, string>): Promise<Answer> {
  return send(
    server.baseUrl,
    'POST',
    '/fmerest/v3/repositories',
    {
      Authorization: `fmetoken token=${token}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      ...fetchHeaders,
    },
    new URLSearchParams({ name }).toString(),
  );
}

async function repositoryExists(name: string): Promise<boolean> {
  const check = await fetch(`${server.baseUrl}/fmerest/v3/repositories/${encodeURIComponent(name)}`, {
    headers: { Authorization: adminBasic },
  });
  return check.status === 200;
}

const MULTIPART = [
  '--b',
  'Content-Disposition: form-data; name="file"; filename="x.fmw"',
  'Content-Type: application/octet-stream',
  '',
  'payload',
  '--b--',
  '',
].join('\r\n');

/** Every write a page can make a browser send without a preflight, in each dialect (the body is what a page can). */
function writes(name: string) {
  const auth = { Authorization: `fmetoken token=${token}` };
  const form = { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' };
  return [
    ['v3 form', 'POST', '/fmerest/v3/repositories', form, new URLSearchParams({ name }).toString()],
    [
      'v3 text',
      'POST',
      '/fmerest/v3/repositories',
      { ...auth, 'Content-Type': 'text/plain' },
      `{"name":"${name}"}`,
    ],
    [
      'v3 multipart',
      'POST',
      '/fmerest/v3/repositories/Samples/items',
      { ...auth, 'Content-Type': 'multipart/form-data; boundary=b' },
      MULTIPART,
    ],
    ['v3 token', 'POST', '/fmerest/v3/tokens', form, new URLSearchParams({ name }).toString()],
    ['v3 delete', 'DELETE', '/fmerest/v3/repositories/Samples', auth, ''],
    ['v4 form', 'POST', '/fmeapiv4/repositories', form, new URLSearchParams({ name }).toString()],
    [
      'legacy token service',
      'POST',
      '/fmetoken/service/generate',
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({ user: 'admin', password: ADMIN_PASSWORD }).toString(),
    ],
  ] as const;
}

const OTHER_PAGE = 'http://localhost:5173';

describe('a write that a page on another origin makes the browser send', () => {
  it.each([
    ['cross-site', 'navigate', OTHER_PAGE],
    ['same-site', 'navigate', 'http://127.0.0.1:5173'],
    ['cross-site', 'nested-navigate', OTHER_PAGE],
    ['cross-site', 'no-cors', OTHER_PAGE],
    ['cross-site', 'no-cors', 'null'],
    ['cross-site', 'cors', OTHER_PAGE],
    ['same-site', 'cors', 'http://127.0.0.1:5173'],
    ['cross-site', 'same-origin', 'null'],
    ['cross-site', 'cors', 'chrome-extension-not://x'],
  ])('is refused (%s %s from %s) with CROSS_SITE_REQUEST and changes nothing', async (site, mode, origin) => {
    const res = await createRepository('Forged', {
      'Sec-Fetch-Site': site,
      'Sec-Fetch-Mode': mode,
      Origin: origin,
    });
    expect(res.status).toBe(403);
    expect(v.parse(ErrorBodySchema, JSON.parse(res.body)).code).toBe('CROSS_SITE_REQUEST');
    // Not a missing permission: nothing for the extension to offer adding.
    expect(res.challenge).toBeUndefined();
    expect(await repositoryExists('Forged')).toBe(false);
  });

  it('is refused in every dialect and body type a page can send, and none of them writes', async () => {
    const headers = { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors', Origin: OTHER_PAGE };
    const statuses: Record<string, number> = {};
    for (const [label, method, path, own, body] of writes('Forged2'))
      statuses[label] = (await send(server.baseUrl, method, path, { ...own, ...headers }, body)).status;
    expect(
      Object.values(statuses).every((status) => status === 403),
      JSON.stringify(statuses),
    ).toBe(true);
    expect(await repositoryExists('Forged2')).toBe(false);
    expect(await repositoryExists('Samples')).toBe(true);
  });
});

// Browsers send Fetch Metadata only to potentially trustworthy URLs: to tokenward over plain HTTP on a host that
// is not loopback (`http://tokenward.corp:8787`), a page's write carries its Origin and no Sec-Fetch-Site.
describe('a write over plain HTTP to a host that is not loopback (no Fetch Metadata)', () => {
  const host = 'tokenward.corp:8787';
  it.each([
    ['another site', 'http://evil.example'],
    ['another origin of the site', 'http://app.tokenward.corp:8787'],
    ['another port of the host', 'http://tokenward.corp:8788'],
    ['an opaque or no-referrer page', 'null'],
  ])('from %s (%s) is refused', async (_what, origin) => {
    const res = await createRepository('Forged plain', { Host: host, Origin: origin });
    expect(res.status).toBe(403);
    expect(v.parse(ErrorBodySchema, JSON.parse(res.body)).code).toBe('CROSS_SITE_REQUEST');
    expect(await repositoryExists('Forged plain')).toBe(false);
  });

  it.each([
    ['the server’s own page', { Host: host, Origin: `http://${host}` }],
    [
      'its own page behind a proxy that forwards the host',
      { 'X-Forwarded-Host': host, Origin: `http://${host}` },
    ],
    [
      'an extension’s background',
      { Host: host, Origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' },
    ],
  ])('from %s goes on', async (what, headers) => {
    expect((await createRepository(`Plain ${what.replace(/[^a-z]/gi, '')}`, headers)).status).toBe(201);
  });
});

describe('a write that goes on', () => {
  it.each([
    ['same-origin', 'navigate', undefined],
    ['same-origin', 'cors', 'http://127.0.0.1'],
    ['none', 'navigate', undefined],
    // Chromium's extension service worker: `none`; Firefox's background script: `same-origin`, both with the
    // extension's origin; one without host access would say `cross-site`.
    ['none', 'cors', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop'],
    ['same-origin', 'cors', 'moz-extension://9ab02750-df98-446c-a068-d99784d3da6b'],
    ['cross-site', 'cors', 'moz-extension://9ab02750-df98-446c-a068-d99784d3da6b'],
  ])('when the server, the user or the extension started it (%s %s %s)', async (site, mode, origin) => {
    const name = `Fine ${site} ${mode} ${origin?.split(':')[0] ?? 'none'}`;
    const res = await createRepository(name, {
      'Sec-Fetch-Site': site,
      'Sec-Fetch-Mode': mode,
      ...(origin && { Origin: origin }),
    });
    expect(res.status).toBe(201);
  });

  it('goes on for scripts and FME clients, which send no Sec-Fetch headers and no Origin', async () => {
    expect((await createRepository('Script', {})).status).toBe(201);
  });

  it('reads are not refused: a page may load what the server serves', async () => {
    const res = await send(server.baseUrl, 'GET', '/fmerest/v3/repositories', {
      Authorization: `fmetoken token=${token}`,
      'Sec-Fetch-Site': 'cross-site',
      'Sec-Fetch-Mode': 'no-cors',
    });
    expect(res.status).toBe(200);
  });
});

describe('an origin in CORS_ORIGINS', () => {
  it('may write, in any mode; another origin still may not', async () => {
    const allowed = await startTestServer({ app: { corsOrigins: [OTHER_PAGE] } });
    try {
      const allowedToken = await createTokenOverHttp(allowed.baseUrl, adminBasic, { name: 'cors' });
      const post = (origin: string, mode: string) =>
        send(
          allowed.baseUrl,
          'POST',
          '/fmerest/v3/repositories',
          {
            Authorization: `fmetoken token=${allowedToken}`,
            'Content-Type': 'application/x-www-form-urlencoded',
            'Sec-Fetch-Site': 'cross-site',
            'Sec-Fetch-Mode': mode,
            Origin: origin,
          },
          new URLSearchParams({ name: `From ${origin.split(':')[1]?.slice(2)} ${mode}` }).toString(),
        );
      expect((await post(OTHER_PAGE, 'cors')).status).toBe(201);
      expect((await post(OTHER_PAGE, 'no-cors')).status).toBe(201);
      expect((await post('http://localhost:5174', 'cors')).status).toBe(403);
    } finally {
      await allowed.stop();
    }
  });
});

describe("someone else's account, without the permission to manage users", () => {
  it('is 403 whether it exists or not (no 404 that tells who exists)', async () => {
    const guest = { name: 'guest', password: 'guest-password-1' };
    const created = await fetch(`${server.baseUrl}/fmerest/v3/security/accounts`, {
      method: 'POST',
      headers: { Authorization: adminBasic, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...guest, roles: ['fmeguest'] }),
    });
    expect(created.status).toBe(201);
    const basic = `Basic ${Buffer.from(`${guest.name}:${guest.password}`).toString('base64')}`;
    const put = (name: string) =>
      fetch(`${server.baseUrl}/fmerest/v3/security/accounts/${name}`, {
        method: 'PUT',
        headers: { Authorization: basic, 'Content-Type': 'application/json' },
        body: JSON.stringify({ enabled: true }),
      });
    expect((await put('admin')).status).toBe(403);
    expect((await put('nosuchuser')).status).toBe(403);
  });
});
