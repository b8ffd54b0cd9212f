// Requests another site makes a browser send (review of issues 12 and 13): a form submitted from a page on
// another site carries an injected Authorization header, so the API must not act on it; an account that is not
// the caller's own is not found or forbidden alike to someone without the permission.
import { request } from 'node:http';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '../shared/schemas/error';
import { adminBasic } from './fixtures/test-app';
import { createTokenOverHttp, startTestServer, type TestServer } from './fixtures/test-server';

let server: TestServer;
let token: string;
beforeEach(async () => {
  server = await startTestServer();
  token = await createTokenOverHttp(server.baseUrl, adminBasic, { name: 'injected' });
});
afterEach(() => server.stop());

/** Over node:http: fetch drops the Sec-Fetch-* headers that only a browser may set. */
function createRepository(
  name: string,
  fetchHeaders: Record<string, string>,
): Promise<{ status: number; body: string; challenge?: string }> {
  const body = new URLSearchParams({ name }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.baseUrl}/fmerest/v3/repositories`,
      {
        method: 'POST',
        headers: {
          Authorization: `fmetoken token=${token}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          ...fetchHeaders,
        },
      },
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

describe('a form that a page on another site submits', () => {
  it.each([
    ['cross-site', 'navigate'],
    ['same-site', 'navigate'],
    ['cross-site', 'nested-navigate'],
  ])('is refused (%s %s) and changes nothing', async (site, mode) => {
    const res = await createRepository('Forged', { 'Sec-Fetch-Site': site, 'Sec-Fetch-Mode': mode });
    expect(res.status).toBe(403);
    expect(v.parse(ErrorBodySchema, JSON.parse(res.body)).code).toBe('CROSS_SITE_REQUEST');
    // Not a missing permission: nothing for the extension to offer adding.
    expect(res.challenge).toBeUndefined();
    const check = await fetch(`${server.baseUrl}/fmerest/v3/repositories/Forged`, {
      headers: { Authorization: adminBasic },
    });
    expect(check.status).toBe(404);
  });

  it.each([
    ['same-origin', 'navigate'],
    ['none', 'navigate'],
    ['cross-site', 'cors'],
  ])(
    'goes on when the server or the user started it, or a page asked through CORS (%s %s)',
    async (site, mode) => {
      const res = await createRepository(`Fine ${site} ${mode}`, {
        'Sec-Fetch-Site': site,
        'Sec-Fetch-Mode': mode,
      });
      expect(res.status).toBe(201);
    },
  );

  it('goes on for scripts and FME clients, which send no Sec-Fetch headers', async () => {
    expect((await createRepository('Script', {})).status).toBe(201);
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
